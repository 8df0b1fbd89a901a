"""The only writer of orders.status: order_transition()."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.audit import changes_between, record_activity
from accounts.models import NotificationType, User
from accounts.permissions import effective_permissions
from accounts.services import notify
from catalog.models import StockReason
from catalog.services import StockLine, put_back_stock, take_stock
from common.db import change_context
from common.errors import DomainError, PermissionDenied, ValidationFailed

from .. import domain
from ..models import Order, OrderStatus, PaymentMethod, PaymentStatus
from ..selectors import order_qs_for_update
from ..signals import order_status_changed, order_status_changing

CASH_METHODS = frozenset({PaymentMethod.COD, PaymentMethod.CASH})
AUDITED_FIELDS = ("status", "payment_status", "confirmed_at", "delivered_at", "return_reason", "stock_reserved")


def order_transition(*, order_id, to_status: str, actor: User | None, note: str = "", reason: str = "") -> Order:
    """Move an order to `to_status` if the status machine and the actor allow it.

    Locks the order row, checks the move, its preconditions and the actor, takes or returns stock,
    stamps confirmed_at / delivered_at / payment, and lets the history trigger record the actor
    and note. Announces the change after commit. `actor=None` is the system (workflows, rules).
    Raises DomainError (invalid move, precondition), PermissionDenied, ValidationFailed (reason).
    """
    reason = (reason or "").strip()
    history_note = "; ".join(part for part in (reason, (note or "").strip()) if part)
    with change_context(actor=actor, note=history_note):
        order = order_qs_for_update().get(pk=order_id)
        old_status = order.status
        move = _check_move(order, to_status, actor)
        if move.needs_reason and not reason:
            raise ValidationFailed.single("reason", f"Say why the order is {OrderStatus(to_status).label.lower()}.")
        before = {name: getattr(order, name) for name in AUDITED_FIELDS}
        changed = _apply(order, to_status, actor, reason)
        order.save(update_fields=changed)
        record_activity(
            actor=actor,
            action="order_status_changed",
            entity_type="order",
            entity_id=order.pk,
            changes=changes_between(before, {name: getattr(order, name) for name in AUDITED_FIELDS}),
            extra={"order_number": order.order_number, "note": history_note or None},
        )
        order_status_changing.send(
            sender=Order, order=order, old_status=old_status, new_status=to_status, actor=actor, reason=reason
        )
        _notify_people_concerned(order, old_status, actor)
        transaction.on_commit(
            lambda: order_status_changed.send(
                sender=Order,
                order_id=order.pk,
                old_status=old_status,
                new_status=to_status,
                actor_id=actor.pk if actor else None,
                note=history_note,
            )
        )
    return order


def _check_move(order: Order, to_status: str, actor: User | None) -> domain.Move:
    move = domain.find_move(order.status, to_status)
    if move is None:
        raise DomainError(
            f"Order {order.order_number} is {OrderStatus(order.status).label.lower()}; "
            f"it cannot become {OrderStatus(to_status).label.lower()}.",
            code="invalid_transition",
        )
    kinds = domain.actor_kinds(
        role=actor.role if actor else None,
        permissions=effective_permissions(role=actor.role, overrides=actor.permissions) if actor else None,
        is_assigned_agent=bool(actor and order.assigned_agent_id == actor.pk),
    )
    if actor is not None and not actor.is_active:
        raise PermissionDenied("This account is deactivated.")
    if not domain.may_move(move, kinds):
        raise PermissionDenied(
            f"You may not move order {order.order_number} to {OrderStatus(to_status).label.lower()}."
        )
    if to_status == OrderStatus.OUT_FOR_DELIVERY and order.assigned_agent_id is None:
        raise DomainError("Assign a delivery agent before the order goes out for delivery.", code="no_agent")
    return move


def _apply(order: Order, to_status: str, actor: User | None, reason: str) -> list[str]:
    """Set the new status and what comes with it; returns the changed field names."""
    now = timezone.now()
    changed = ["status"]
    if to_status in domain.HOLDS_STOCK and not order.stock_reserved:
        take_stock(lines=stock_lines(order), reason=StockReason.RESERVE, actor=actor, order_id=order.pk)
        order.stock_reserved = True
        changed.append("stock_reserved")
    if to_status in (OrderStatus.CANCELLED, OrderStatus.RETURNED) and order.stock_reserved:
        why = StockReason.RETURN if to_status == OrderStatus.RETURNED else StockReason.RELEASE
        put_back_stock(lines=stock_lines(order), reason=why, actor=actor, order_id=order.pk, note=reason)
        order.stock_reserved = False
        changed.append("stock_reserved")
    if to_status == OrderStatus.CONFIRMED and order.confirmed_at is None:
        order.confirmed_at = now
        changed.append("confirmed_at")
    if to_status == OrderStatus.DELIVERED:
        order.delivered_at = now
        changed.append("delivered_at")
        if order.payment_method in CASH_METHODS:
            order.payment_status = PaymentStatus.COLLECTED
            changed.append("payment_status")
    if to_status == OrderStatus.RETURNED:
        order.return_reason = reason
        changed.append("return_reason")
    if to_status in (OrderStatus.CONFIRMED, OrderStatus.CANCELLED) and order.callback_at:
        order.callback_at = None
        changed.append("callback_at")
    order.status = to_status
    return changed


def stock_lines(order: Order) -> list[StockLine]:
    return [
        StockLine(
            product_id=item["product_id"],
            variant_id=item.get("variant_id"),
            quantity=int(item["quantity"]),
            field=f"items.{index}",
        )
        for index, item in enumerate(order.items)
        if item.get("product_id")
    ]


def _notify_people_concerned(order: Order, old_status: str, actor: User | None) -> None:
    """Tell the assignees what happened to their order when someone else moved it."""
    recipients = []
    if order.assigned_agent_id and order.status in (OrderStatus.READY_FOR_PICKUP, OrderStatus.CANCELLED):
        recipients.append(order.assigned_agent)
    if order.assigned_rep_id and order.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
        recipients.append(order.assigned_rep)
    recipients = [user for user in recipients if actor is None or user.pk != actor.pk]
    if not recipients:
        return
    label = OrderStatus(order.status).label.lower()
    notify(
        users=recipients,
        type=NotificationType.ORDER,
        title=f"Order {order.order_number} is {label}",
        message=f"Was {OrderStatus(old_status).label.lower()}.",
        data={
            "order_id": str(order.pk),
            "order_number": order.order_number,
            "action": "status_changed",
            "old_status": old_status,
            "new_status": order.status,
            "link": f"/orders/{order.pk}/",
        },
    )
