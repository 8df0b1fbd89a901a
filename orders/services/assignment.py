"""Assigning orders to agents and reps, and the internal notes on an order."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts import policy
from accounts.audit import record_activity
from accounts.models import NotificationType, Role, User
from accounts.services import notify
from common.errors import DomainError, PermissionDenied, ValidationFailed

from ..models import Order, OrderStatus
from ..selectors import order_qs_for_update

# An agent can take an order until it leaves with them.
AGENT_ASSIGNABLE = frozenset(
    {OrderStatus.NEW, OrderStatus.CONFIRMATION_PENDING, OrderStatus.CONFIRMED, OrderStatus.BEING_PREPARED,
     OrderStatus.READY_FOR_PICKUP}
)  # fmt: skip
MAX_NOTE_LENGTH = 2000


def order_assign(*, order_id, actor: User | None, agent_id=None, rep_id=None, unassign_agent: bool = False) -> Order:
    """Assign (or change) the delivery agent and/or the rep of an order.

    Needs orders.assign (reps may take an unassigned order for themselves); `actor=None` is the
    system (automatic dispatch, logistics.tasks), as for order_transition. The agent must be an
    active delivery agent and the order not yet out for delivery; the rep an active customer rep.
    The newly assigned person is notified.
    """
    with transaction.atomic():
        order = order_qs_for_update().get(pk=order_id)
        if actor is not None and not _may_assign(actor, order, rep_id):
            raise PermissionDenied("You may not assign this order.")
        before = {"assigned_agent_id": order.assigned_agent_id, "assigned_rep_id": order.assigned_rep_id}
        if agent_id or unassign_agent:
            _set_agent(order, None if unassign_agent else _person(agent_id, Role.DELIVERY_AGENT, "agent"))
        if rep_id:
            order.assigned_rep = _person(rep_id, Role.CUSTOMER_REP, "rep", also=(Role.MANAGER, Role.ADMIN))
        after = {"assigned_agent_id": order.assigned_agent_id, "assigned_rep_id": order.assigned_rep_id}
        if after == before:
            return order
        order.save(update_fields=["assigned_agent", "assigned_rep"])
        record_activity(
            actor=actor,
            action="order_assigned",
            entity_type="order",
            entity_id=order.pk,
            changes={k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]},
        )
        _notify_assignee(order, before, actor)
    return order


def _may_assign(actor: User, order: Order, rep_id) -> bool:
    self_take = rep_id is not None and str(rep_id) == str(actor.pk) and order.assigned_rep_id is None
    return policy.can(actor, "orders.assign", order) or (self_take and policy.can(actor, "orders.edit", order))


def _set_agent(order: Order, agent: User | None) -> None:
    if order.status not in AGENT_ASSIGNABLE:
        raise DomainError(
            f"Order {order.order_number} is {OrderStatus(order.status).label.lower()}; its agent cannot change now."
        )
    order.assigned_agent = agent


def _person(user_id, role: str, field: str, also: tuple[str, ...] = ()) -> User:
    person = User.objects.filter(pk=user_id, is_active=True, role__in=(role, *also)).first()
    if person is None:
        raise ValidationFailed.single(field, f"Choose an active {Role(role).label.lower()}.")
    return person


def _notify_assignee(order: Order, before: dict, actor: User | None) -> None:
    for field, label in (("assigned_agent_id", "deliver"), ("assigned_rep_id", "confirm")):
        new_id = getattr(order, field)
        if new_id and new_id != before[field] and new_id != getattr(actor, "pk", None):
            notify(
                users=[User.objects.get(pk=new_id)],
                type=NotificationType.ORDER,
                title=f"Order {order.order_number} assigned to you to {label}",
                data={"order_id": str(order.pk), "order_number": order.order_number, "action": "assigned",
                      "link": f"/orders/{order.pk}/"},
            )  # fmt: skip


def order_add_note(*, order_id, actor: User, text: str) -> Order:
    """Append a dated, signed line to the order's internal notes (never rewrites earlier ones)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed.single("note", "Write the note first.")
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationFailed.single("note", f"Keep notes under {MAX_NOTE_LENGTH} characters.")
    with transaction.atomic():
        order = order_qs_for_update().get(pk=order_id)
        # Staff who may edit the order, or the agent carrying it (door codes, landmarks...).
        if not (policy.can(actor, "orders.edit", order) or order.assigned_agent_id == actor.pk):
            raise PermissionDenied("You may not add notes to this order.")
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        line = f"[{stamp} {actor.full_name}] {text}"
        order.internal_notes = f"{order.internal_notes}\n{line}" if order.internal_notes else line
        order.save(update_fields=["internal_notes"])
        record_activity(actor=actor, action="order_note_added", entity_type="order", entity_id=order.pk,
                        extra={"note": text})  # fmt: skip
    return order
