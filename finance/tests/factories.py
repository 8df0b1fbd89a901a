from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from accounts.tests.factories import AgentFactory
from logistics.models import Delivery, DeliveryOutcome
from orders.tests.factories import OrderFactory


def collection(*, agent=None, amount="100.00", on=None):
    """A delivered order whose cash the agent collected (at noon on `on`, default now)."""
    agent = agent or AgentFactory()
    at = timezone.now() if on is None else timezone.make_aware(datetime.combine(on, time(12)))
    order = OrderFactory(
        assigned_agent=agent, status="delivered", payment_status="collected", total_amount=Decimal(amount),
        delivered_at=at,
    )  # fmt: skip
    return Delivery.objects.create(
        order=order, agent=agent, pickup_time=at, delivery_time=at, ended_at=at,
        outcome=DeliveryOutcome.DELIVERED, cash_collected=Decimal(amount),
    )  # fmt: skip
