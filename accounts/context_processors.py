"""The navigation, shaped by what the user may see (the pages check access themselves too)."""

from django.urls import NoReverseMatch, reverse

from . import policy
from .models import Role


def _delivers(user) -> bool:
    """The agent's run is for delivery agents only (managers also have deliveries.edit, and get 403 there)."""
    return user.role == Role.DELIVERY_AGENT and policy.can(user, "deliveries.edit")


# (label, url name, permission needed or None for any signed-in user, or a function of the user).
# Entries whose URL does not exist (yet) are skipped, so an app adds its page here and it appears
# once routed.
NAVIGATION = [
    ("Dashboard", "core:home", None),
    ("Orders", "orders:list", "orders.view"),
    ("Confirm", "orders:queue", "orders.edit"),
    ("New order", "orders:create", "orders.create"),
    ("Deliveries", "logistics:agent_run", _delivers),
    ("Dispatch", "logistics:dispatch", "orders.assign"),
    ("Customers", "customers:list", "customers.view"),
    ("Products", "catalog:list", "products.view"),
    ("Finance", "finance:home", "financial.view"),
    ("Workflows", "automation:list", "workflows.view"),
    ("Integrations", "integrations:list", "integrations.view"),
    ("Imports", "integrations:import_list", "integrations.view"),
    ("Users", "accounts:user_list", "users.view"),
    ("Activity", "accounts:activity_list", "activity.view"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = []
    for label, name, permission in NAVIGATION:
        if callable(permission) and not permission(user):
            continue
        if isinstance(permission, str) and not policy.can(user, permission):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    context = {"nav_items": items}
    try:
        context["notifications_url"] = reverse("accounts:notifications")
        context["notifications_badge_url"] = reverse("accounts:notifications_badge")
    except NoReverseMatch:
        pass
    return context
