"""Reads for the delivery agent's pages (logistics/views_agent.py). Each is one query, whatever the run's length."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import policy
from accounts.models import User
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus

from .models import Delivery, DeliveryOutcome

RUN_STATUSES = (OrderStatus.READY_FOR_PICKUP, OrderStatus.OUT_FOR_DELIVERY)
CASH_METHODS = (PaymentMethod.COD, PaymentMethod.CASH)
ZERO = Decimal("0.00")
DONE_TODAY_LIMIT = 50


def agent_run_orders(agent: User) -> QuerySet[Order]:
    """Dashboard query 2 (the agent's ready and out-for-delivery orders, high priority first, then
    oldest), with each order's failed attempts so far. Uses idx_orders_agent_status."""
    failed = (
        Delivery.objects.filter(order=OuterRef("pk"), outcome=DeliveryOutcome.FAILED)
        .order_by()
        .values("order")
        .annotate(n=Count("id"))
        .values("n")
    )
    orders = Order.objects.filter(assigned_agent=agent, status__in=RUN_STATUSES)
    return (
        policy.scope(agent, "orders", orders)
        .select_related("customer")
        .annotate(failed_attempts=Coalesce(Subquery(failed, output_field=IntegerField()), 0))
        .order_by("-priority", "created_at", "id")
    )


def agent_order(agent: User, order_id) -> Order | None:
    """One of the agent's orders (any status), or None if it is not theirs."""
    order = Order.objects.select_related("customer").filter(pk=order_id, assigned_agent=agent).first()
    return order if order is not None and policy.can(agent, "orders.view", order) else None


def agent_totals(agent: User) -> dict:
    """Orders left, cash still to collect on them, and cash collected today."""
    run = Order.objects.filter(assigned_agent=agent, status__in=RUN_STATUSES).aggregate(
        left=Count("id"),
        to_collect=Sum("total_amount", filter=Q(payment_status=PaymentStatus.PENDING, payment_method__in=CASH_METHODS)),
    )
    collected = Delivery.objects.filter(
        agent=agent, outcome=DeliveryOutcome.DELIVERED, delivery_time__gte=start_of_today()
    ).aggregate(total=Sum("cash_collected"))["total"]
    return {"left": run["left"], "to_collect": run["to_collect"] or ZERO, "collected_today": collected or ZERO}


def agent_done_today(agent: User) -> list[Delivery]:
    """The agent's attempts that ended today, latest first, with their orders."""
    return list(
        Delivery.objects.filter(agent=agent, ended_at__gte=start_of_today())
        .exclude(outcome=DeliveryOutcome.IN_PROGRESS)
        .select_related("order")
        .order_by("-ended_at")[:DONE_TODAY_LIMIT]
    )


def start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
