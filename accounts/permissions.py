"""Permissions: defaults per role in the schema's `users.permissions` JSONB shape, overridable per user.

    {"orders": {"view": true, "create": true, "edit": true, "delete": false, "assign": true}, ...}

A user's effective permissions are the role's defaults with the user's own `permissions` laid on
top (only the keys they set). Object rules (an agent sees only their orders) live in policy.py.
"""

from __future__ import annotations

import copy
from typing import Any

from .models import Role

ACTIONS = ("view", "create", "edit", "delete", "assign", "export")

# Resources and the actions that mean something for each, with the extra flags some carry:
# - orders.view_all: see every order (without it a rep sees their own and unassigned ones)
# - orders.prepare: pack orders (confirmed -> being_prepared -> ready_for_pickup)
RESOURCES: dict[str, tuple[str, ...]] = {
    "orders": (*ACTIONS, "view_all", "prepare"),
    "customers": ACTIONS,
    "deliveries": ACTIONS,  # delivery attempts, proofs, dispatch
    "products": ACTIONS,
    "financial": ACTIONS,
    "workflows": ACTIONS,
    "integrations": ACTIONS,  # webhooks, imports, their logs
    "users": ACTIONS,  # user management
    "activity": ("view", "export"),  # the activity log
}


def _grant(**resources: str) -> dict[str, dict[str, bool]]:
    """_grant(orders="view create") -> the full table with those actions true, the rest false."""
    table = {resource: dict.fromkeys(actions, False) for resource, actions in RESOURCES.items()}
    for resource, actions in resources.items():
        for action in actions.split():
            if action == "*":
                table[resource] = dict.fromkeys(RESOURCES[resource], True)
            else:
                table[resource][action] = True
    return table


ROLE_DEFAULTS: dict[str, dict[str, dict[str, bool]]] = {
    Role.ADMIN: _grant(**dict.fromkeys(RESOURCES, "*")),
    Role.MANAGER: _grant(
        orders="*",
        customers="*",
        deliveries="*",
        products="*",
        financial="*",
        workflows="*",
        integrations="*",
        users="view",
        activity="*",
    ),
    Role.CUSTOMER_REP: _grant(
        orders="view create edit",
        customers="view create edit",
        deliveries="view",
        products="view",
        workflows="view",
    ),
    Role.DELIVERY_AGENT: _grant(orders="view", customers="view", deliveries="view create edit"),
    Role.ACCOUNTANT: _grant(
        orders="view view_all export",
        customers="view",
        deliveries="view",
        products="view",
        financial="*",
    ),
}


def role_defaults(role: str) -> dict[str, dict[str, bool]]:
    return copy.deepcopy(ROLE_DEFAULTS.get(role, _grant()))


def effective_permissions(*, role: str, overrides: dict[str, Any] | None) -> dict[str, dict[str, bool]]:
    """The role's table with the user's overrides applied (unknown keys are ignored)."""
    table = role_defaults(role)
    for resource, actions in (overrides or {}).items():
        if resource not in table or not isinstance(actions, dict):
            continue
        for action, allowed in actions.items():
            if action in table[resource] and isinstance(allowed, bool):
                table[resource][action] = allowed
    return table


def clean_overrides(*, role: str, wanted: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    """Only what differs from the role's defaults is stored, so role changes keep working."""
    defaults = role_defaults(role)
    stored: dict[str, dict[str, bool]] = {}
    for resource, actions in wanted.items():
        for action, allowed in actions.items():
            if resource in defaults and action in defaults[resource] and defaults[resource][action] != bool(allowed):
                stored.setdefault(resource, {})[action] = bool(allowed)
    return stored
