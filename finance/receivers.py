"""Finance listens to the orders core: collected cash becomes revenue in the same transaction."""

from orders.models import OrderStatus

from .services import record_cod_revenue


def revenue_on_delivery(*, order, new_status, actor, **kwargs) -> None:
    if new_status == OrderStatus.DELIVERED:
        record_cod_revenue(order=order, actor=actor)
