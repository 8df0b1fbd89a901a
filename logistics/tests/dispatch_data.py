"""Builders for the dispatch, run sheet, label and performance tests (rows written directly)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Availability, Role
from accounts.tests.factories import UserFactory
from customers.tests.factories import CustomerFactory
from logistics.models import AgentArea, Delivery, DeliveryOutcome
from orders.models import OrderStatus, Priority
from orders.tests.factories import OrderFactory

_CLOCK = {"t": timezone.now() - timedelta(days=2)}


def tick() -> datetime:
    """Increasing creation times (rows created in one transaction would all share now())."""
    _CLOCK["t"] += timedelta(seconds=1)
    return _CLOCK["t"]


def make_agent(*areas: str, name: str | None = None, availability: str = Availability.AVAILABLE, **kwargs):
    extra = {"full_name": name} if name else {}
    agent = UserFactory(role=Role.DELIVERY_AGENT, availability_status=availability, **extra, **kwargs)
    for area in areas:
        AgentArea.objects.create(agent=agent, area=area)
    return agent


def ready_order(area: str | None = "Maarif", *, agent=None, priority=Priority.MEDIUM, status=None, **kwargs):
    """An order ready for pickup in `area` (holding its stock), optionally already assigned."""
    customer = kwargs.pop("customer", None) or CustomerFactory(area=area)
    return OrderFactory(
        customer=customer,
        delivery_area=area,
        assigned_agent=agent,
        status=status or OrderStatus.READY_FOR_PICKUP,
        priority=priority,
        stock_reserved=True,
        created_at=kwargs.pop("created_at", None) or tick(),
        **kwargs,
    )


def give_load(agent, count: int, *, status=OrderStatus.OUT_FOR_DELIVERY):
    """`count` orders the agent already carries."""
    return [ready_order("Elsewhere", agent=agent, status=status) for _ in range(count)]


def attempt(agent, *, outcome=DeliveryOutcome.DELIVERED, pickup=None, minutes=1, reason=None, rating=None,
            cash=None, order=None, feedback=None):  # fmt: skip
    """A delivery attempt that set out at `pickup` (default: so that it ends now) and ended `minutes`
    later (unless in progress)."""
    pickup = pickup or timezone.now() - timedelta(minutes=minutes)
    order = order or ready_order(agent=agent, status=_order_status(outcome))
    ended = pickup + timedelta(minutes=minutes) if outcome != DeliveryOutcome.IN_PROGRESS else None
    return Delivery.objects.create(
        order=order,
        agent=agent,
        pickup_time=pickup,
        delivery_time=ended if outcome == DeliveryOutcome.DELIVERED else None,
        ended_at=ended,
        outcome=outcome,
        failure_reason=reason,
        rating=rating,
        customer_feedback=feedback,
        cash_collected=Decimal(cash) if cash is not None else None,
    )


def _order_status(outcome: str) -> str:
    return {
        DeliveryOutcome.DELIVERED: OrderStatus.DELIVERED,
        DeliveryOutcome.FAILED: OrderStatus.READY_FOR_PICKUP,
        DeliveryOutcome.IN_PROGRESS: OrderStatus.OUT_FOR_DELIVERY,
    }[outcome]
