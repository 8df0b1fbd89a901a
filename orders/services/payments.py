"""The payment status of an order, changed by finance (refunds) through this one place."""

from __future__ import annotations

from accounts.audit import record_activity
from accounts.models import User
from common.errors import DomainError

from ..models import Order, OrderStatus, PaymentStatus
from ..selectors import order_qs_for_update


def mark_refunded(*, order_id, actor: User) -> Order:
    """A returned order whose cash had been collected is paid back. Caller holds a transaction."""
    order = order_qs_for_update().get(pk=order_id)
    if order.status != OrderStatus.RETURNED or order.payment_status != PaymentStatus.COLLECTED:
        raise DomainError(
            f"Only a returned order whose payment was collected can be refunded; {order.order_number} is "
            f"{order.get_status_display().lower()} with payment {order.get_payment_status_display().lower()}."
        )
    order.payment_status = PaymentStatus.REFUNDED
    order.save(update_fields=["payment_status"])
    record_activity(
        actor=actor,
        action="order_refunded",
        entity_type="order",
        entity_id=order.pk,
        changes={"payment_status": {"old": PaymentStatus.COLLECTED, "new": PaymentStatus.REFUNDED}},
    )
    return order
