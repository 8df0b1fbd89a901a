"""The navigation, shaped by what the user may see (the pages check access themselves too)."""

from django.urls import NoReverseMatch, reverse

from . import policy

# (label, url name, permission needed or None for any signed-in user)
NAVIGATION = [
    ("Home", "core:home", None),
    ("Users", "accounts:user_list", "users.view"),
    ("Activity", "accounts:activity_list", "activity.view"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = []
    for label, name, permission in NAVIGATION:
        if permission and not policy.can(user, permission):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
