"""The one answer to "may this user do this (to this object)?", used by pages, HTMX fragments,
the API, Django admin and exports alike. Nothing is protected only by a template.

    can(user, "orders.view")                  # the permission table only
    can(user, "orders.edit", order)           # plus the object rules
    require(user, "orders.view", order)       # raises PermissionDenied
    scope(user, "orders", Order.objects.all())  # the rows this user may see

Object rules:
- orders: a delivery agent sees only orders assigned to them; a rep sees orders assigned to them
  and unassigned ones (the queue), or all when their `orders.view_all` is set.
- deliveries: an agent sees only their own attempts.
- customers: an agent sees only customers of orders assigned to them.
The object rules read attributes by name (assigned_agent_id, agent_id...), so this module does
not import the apps it protects.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from common.errors import PermissionDenied

from .models import Role
from .permissions import effective_permissions


def permissions_of(user) -> dict[str, dict[str, bool]]:
    """Effective permissions, computed once per user object (per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_effective_permissions", None)
    if cached is None:
        cached = effective_permissions(role=user.role, overrides=user.permissions)
        user._effective_permissions = cached
    return cached


def has_permission(user, permission: str) -> bool:
    resource, _, action = permission.partition(".")
    return bool(permissions_of(user).get(resource, {}).get(action, False))


def can(user, permission: str, obj: Any = None) -> bool:
    if not has_permission(user, permission):
        return False
    if obj is None:
        return True
    resource = permission.partition(".")[0]
    rule = OBJECT_RULES.get(resource)
    return rule(user, obj) if rule else True


def require(user, permission: str, obj: Any = None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied()


def scope(user, resource: str, queryset: QuerySet) -> QuerySet:
    """Rows of `resource` the user may view. Apply to every list, search, export and API query."""
    if not has_permission(user, f"{resource}.view"):
        return queryset.none()
    scoper = SCOPES.get(resource)
    return scoper(user, queryset) if scoper else queryset


# --- Object rules -----------------------------------------------------------------------------


def _sees_all_orders(user) -> bool:
    return user.role in (Role.ADMIN, Role.MANAGER) or has_permission(user, "orders.view_all")


def _order_rule(user, order) -> bool:
    if user.role == Role.DELIVERY_AGENT:
        return order.assigned_agent_id == user.pk
    if _sees_all_orders(user):
        return True
    return order.assigned_rep_id in (None, user.pk)


def _order_scope(user, queryset: QuerySet) -> QuerySet:
    if user.role == Role.DELIVERY_AGENT:
        return queryset.filter(assigned_agent_id=user.pk)
    if _sees_all_orders(user):
        return queryset
    return queryset.filter(Q(assigned_rep_id=user.pk) | Q(assigned_rep_id__isnull=True))


def _delivery_rule(user, delivery) -> bool:
    return user.role != Role.DELIVERY_AGENT or delivery.agent_id == user.pk


def _delivery_scope(user, queryset: QuerySet) -> QuerySet:
    return queryset.filter(agent_id=user.pk) if user.role == Role.DELIVERY_AGENT else queryset


def _customer_rule(user, customer) -> bool:
    if user.role != Role.DELIVERY_AGENT:
        return True
    return customer.orders.filter(assigned_agent_id=user.pk).exists()


def _customer_scope(user, queryset: QuerySet) -> QuerySet:
    if user.role != Role.DELIVERY_AGENT:
        return queryset
    return queryset.filter(orders__assigned_agent_id=user.pk).distinct()


OBJECT_RULES = {"orders": _order_rule, "deliveries": _delivery_rule, "customers": _customer_rule}
SCOPES = {"orders": _order_scope, "deliveries": _delivery_scope, "customers": _customer_scope}


# --- Django admin -----------------------------------------------------------------------------
# Which permission resource each admin model belongs to ("app_label.model_name" -> resource).
ADMIN_RESOURCES = {
    "accounts.user": "users",
    "accounts.refreshsession": "users",
    "accounts.notification": "users",
    "accounts.activitylog": "activity",
    "customers.customer": "customers",
    "catalog.product": "products",
    "catalog.stockmovement": "products",
    "orders.order": "orders",
    "orders.orderhistory": "orders",
    "orders.callattempt": "orders",
    "orders.deliveryarea": "orders",
    "logistics.agentarea": "deliveries",
    "accounts.twofactordevice": "users",
    "logistics.delivery": "deliveries",
    "finance.financialtransaction": "financial",
    "finance.expense": "financial",
    "automation.workflow": "workflows",
    "automation.workflowexecution": "workflows",
    "integrations.webhook": "integrations",
    "integrations.webhooklog": "integrations",
}
ADMIN_ACTIONS = {"view": "view", "add": "create", "change": "edit", "delete": "delete"}


def can_admin(user, perm: str, obj: Any = None) -> bool:
    """Django's "app.action_model" permission, answered by the permission table and object rules."""
    app_label, _, codename = perm.partition(".")
    action, _, model_name = codename.partition("_")
    resource = ADMIN_RESOURCES.get(f"{app_label}.{model_name}")
    if resource is None or action not in ADMIN_ACTIONS:
        return False  # Django's own models (groups, permissions...) are not used here
    return can(user, f"{resource}.{ADMIN_ACTIONS[action]}", obj if resource in OBJECT_RULES else None)


def can_admin_app(user, app_label: str) -> bool:
    return any(
        has_permission(user, f"{resource}.view")
        for key, resource in ADMIN_RESOURCES.items()
        if key.partition(".")[0] == app_label
    )
