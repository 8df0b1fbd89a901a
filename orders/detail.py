"""What the order detail page shows: a selector assembling the order, its timeline and the actions
this user may take now (asked of the same rules the services enforce)."""

from __future__ import annotations

from accounts import policy
from accounts.models import ActivityLog, Role, User
from accounts.permissions import effective_permissions
from common.http import safe_reverse

from . import domain
from .models import CallAttempt, Order, OrderHistory, OrderStatus
from .selectors import customer_risk


def allowed_moves(order: Order, user) -> list[dict]:
    """The moves of the status machine this user may make on this order right now."""
    kinds = domain.actor_kinds(
        role=user.role,
        permissions=effective_permissions(role=user.role, overrides=user.permissions),
        is_assigned_agent=order.assigned_agent_id == user.pk,
    )
    return [
        {"to": move.to, "label": OrderStatus(move.to).label, "needs_reason": move.needs_reason}
        for move in domain.TRANSITIONS.get(order.status, ())
        if domain.may_move(move, kinds)
    ]


def timeline(order: Order) -> list[dict]:
    """Status changes, calls, deliveries and notes, oldest first."""
    events: list[dict] = []
    for entry in OrderHistory.objects.filter(order=order).select_related("changed_by_user"):
        events.append({
            "at": entry.created_at, "kind": "status", "who": entry.changed_by_user,
            "title": f"{_label(entry.old_status) or 'Created'} → {_label(entry.new_status)}", "text": entry.notes,
        })  # fmt: skip
    for call in CallAttempt.objects.filter(order=order).select_related("rep"):
        events.append({
            "at": call.created_at, "kind": "call", "who": call.rep, "title": f"Call: {call.get_outcome_display()}",
            "text": " · ".join(p for p in (call.reason, call.notes) if p)
            + (f" (call back {call.callback_at:%Y-%m-%d %H:%M})" if call.callback_at else ""),
        })  # fmt: skip
    for delivery in order.deliveries.select_related("agent").order_by("created_at"):
        events.append({
            "at": delivery.delivery_time or delivery.pickup_time or delivery.created_at, "kind": "delivery",
            "who": delivery.agent,
            "title": "Delivered" if delivery.delivery_time else ("Picked up" if delivery.pickup_time else "Delivery"),
            "text": delivery.customer_feedback,
        })  # fmt: skip
    for note in ActivityLog.objects.filter(entity_type="order", entity_id=order.pk, action="order_note_added"):
        events.append({"at": note.created_at, "kind": "note", "who_id": note.user_id, "title": "Note",
                       "text": note.details.get("note", "")})  # fmt: skip
    _attach_note_authors(events)
    return sorted(events, key=lambda event: event["at"])


def order_detail_context(order: Order, user) -> dict:
    order = Order.objects.select_related("customer", "assigned_rep", "assigned_agent", "duplicate_of").get(pk=order.pk)
    return {
        "order": order,
        "customer": order.customer,
        "risk": customer_risk(order.customer),
        "timeline": timeline(order),
        "moves": allowed_moves(order, user),
        "can_assign": policy.can(user, "orders.assign", order),
        "can_note": policy.can(user, "orders.edit", order) or order.assigned_agent_id == user.pk,
        "can_edit_items": policy.can(user, "orders.edit", order) and order.status in domain.EDITABLE,
        "edit_items_url": safe_reverse("orders:edit_items", order_id=order.pk),
        "can_decide_duplicate": order.is_possible_duplicate and policy.can(user, "orders.edit", order),
        "agents": User.objects.filter(role=Role.DELIVERY_AGENT, is_active=True).order_by("full_name"),
        "reps": User.objects.filter(role=Role.CUSTOMER_REP, is_active=True).order_by("full_name"),
        "activity": ActivityLog.objects.filter(entity_type="order", entity_id=order.pk).select_related("user")[:30],
        "possible_duplicates": order.possible_duplicates.only("id", "order_number", "status")[:10],
    }


def _label(status: str | None) -> str:
    return OrderStatus(status).label if status else ""


def _attach_note_authors(events: list[dict]) -> None:
    ids = {e["who_id"] for e in events if e.get("who_id")}
    people = {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}
    for event in events:
        if "who_id" in event:
            event["who"] = people.get(event.pop("who_id"))
