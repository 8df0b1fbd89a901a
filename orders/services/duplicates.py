"""A rep's decision about a possible duplicate order: keep it, or merge it into the earlier one."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts.audit import record_activity
from accounts.models import User
from common.errors import DomainError, PermissionDenied

from .. import domain
from ..domain import money
from ..models import Order, OrderStatus
from ..selectors import order_qs_for_update
from .transitions import order_transition

# The original must not hold stock yet for lines to be added to it without touching the ledger.
MERGEABLE_INTO = frozenset({OrderStatus.NEW, OrderStatus.CONFIRMATION_PENDING})


def _check_actor(actor: User) -> None:
    kinds = domain.actor_kinds(role=actor.role, permissions=actor.permissions, is_assigned_agent=False)
    if not actor.is_active or not kinds & {domain.REP, domain.MANAGER}:
        raise PermissionDenied("Only reps and managers decide about duplicates.")


@transaction.atomic
def duplicate_keep(*, order_id, actor: User) -> Order:
    """Not a duplicate after all: clear the flag (the link to the other order stays as a record)."""
    _check_actor(actor)
    order = order_qs_for_update().get(pk=order_id)
    if not order.is_possible_duplicate:
        raise DomainError(f"Order {order.order_number} is not flagged as a duplicate.")
    order.is_possible_duplicate = False
    order.save(update_fields=["is_possible_duplicate"])
    record_activity(
        actor=actor,
        action="duplicate_kept",
        entity_type="order",
        entity_id=order.pk,
        changes={"is_possible_duplicate": {"old": True, "new": False}},
    )
    return order


@transaction.atomic
def duplicate_merge(*, order_id, actor: User) -> Order:
    """Cancel the duplicate, adding to the earlier order any items it does not have yet.

    Returns the earlier order. Refused when the earlier order already holds stock and the
    duplicate has items it lacks (keep the duplicate as its own order then).
    """
    _check_actor(actor)
    duplicate = order_qs_for_update().get(pk=order_id)
    if not duplicate.is_possible_duplicate or duplicate.duplicate_of_id is None:
        raise DomainError(f"Order {duplicate.order_number} is not flagged as a duplicate.")
    original = order_qs_for_update().get(pk=duplicate.duplicate_of_id)
    known = {item["sku"] for item in original.items}
    extra = [item for item in duplicate.items if item["sku"] not in known]
    if extra and original.status not in MERGEABLE_INTO:
        raise DomainError(
            f"Order {original.order_number} is already {OrderStatus(original.status).label.lower()}; "
            f"it cannot take new items. Keep {duplicate.order_number} as its own order instead."
        )
    if extra:
        original.items = [*original.items, *extra]
        original.subtotal = money(sum((Decimal(item["total"]) for item in original.items), Decimal("0")))
        original.total_amount = money(original.subtotal + original.delivery_fee)
        original.save(update_fields=["items", "subtotal", "total_amount"])
    duplicate.is_possible_duplicate = False
    duplicate.save(update_fields=["is_possible_duplicate"])
    record_activity(
        actor=actor,
        action="duplicate_merged",
        entity_type="order",
        entity_id=duplicate.pk,
        extra={"merged_into": original.order_number, "items_added": [item["sku"] for item in extra]},
    )
    order_transition(
        order_id=duplicate.pk,
        to_status=OrderStatus.CANCELLED,
        actor=actor,
        reason=f"Duplicate of {original.order_number}",
        note=f"Merged {len(extra)} new item(s) into {original.order_number}." if extra else "Merged.",
    )
    return original
