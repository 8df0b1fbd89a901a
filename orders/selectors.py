"""Reads of orders, and the row-lock helpers the services use."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from customers.domain import Risk, assess_risk

from .models import Order, OrderStatus

# The rep's confirmation queue: exactly the predicate of the partial index idx_orders_rep_queue.
QUEUE_STATUSES = (OrderStatus.NEW, OrderStatus.CONFIRMATION_PENDING)

AREA_RATES_CACHE_KEY = "orders:area-return-rates"
# An area needs this many finished orders before its return rate says anything.
MIN_AREA_SAMPLE = 20


def order_qs_for_update() -> QuerySet[Order]:
    """Orders locked FOR UPDATE (no joins: the lock must not spread to customers or users)."""
    return Order.objects.select_for_update(of=("self",))


def area_return_rates() -> dict[str, Decimal]:
    """Per delivery area (lower-cased), the % of orders returned among those delivered or
    returned in the last 90 days. Cached: it feeds risk bands, which need no second-level freshness."""
    cached = cache.get(AREA_RATES_CACHE_KEY)
    if cached is not None:
        return cached
    since = timezone.now() - timedelta(days=90)
    rows = (
        Order.objects.filter(
            created_at__gte=since, status__in=[OrderStatus.DELIVERED, OrderStatus.RETURNED], delivery_area__isnull=False
        )
        .annotate(area=Lower("delivery_area"))
        .values("area")
        .annotate(
            returned=Count("id", filter=Q(status=OrderStatus.RETURNED)),
            finished=Count("id"),
        )
    )
    rates = {
        row["area"]: (Decimal(100 * row["returned"]) / row["finished"]).quantize(Decimal("0.01"))
        for row in rows
        if row["finished"] >= MIN_AREA_SAMPLE
    }
    cache.set(AREA_RATES_CACHE_KEY, rates, settings.AREA_STATS_CACHE_SECONDS)
    return rates


def area_return_rate(area: str | None) -> Decimal | None:
    return area_return_rates().get(area.strip().lower()) if area else None


def rep_queue(*, rep: User | None, now: datetime | None = None) -> QuerySet[Order]:
    """Orders awaiting confirmation, in the order a rep should call them.

    `rep=None` is the managers' view of every rep's queue. Order: callbacks that are due (oldest
    first), then orders without a callback by priority (high first) and age (oldest first), then
    callbacks not yet due (soonest first). The filter matches the predicate of the partial index
    idx_orders_rep_queue (assigned_rep, callback_at, priority DESC, created_at), so a rep's rows
    come from that index; the three-way ORDER BY then sorts only that rep's handful of rows.
    """
    now = now or timezone.now()
    queue = Order.objects.filter(status__in=QUEUE_STATUSES)
    if rep is not None:
        queue = queue.filter(assigned_rep=rep)
    bucket = Case(
        When(callback_at__lte=now, then=Value(0)),
        When(callback_at__isnull=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        queue.select_related("customer")
        .annotate(queue_bucket=bucket)
        .order_by("queue_bucket", "callback_at", "-priority", "created_at", "id")
    )


def customer_risk(customer) -> Risk:
    """A customer's risk band for display, by the same rule intake applies to incoming orders."""
    return assess_risk(
        total_orders=customer.total_orders,
        return_rate=customer.return_rate,
        refused_orders=customer.refused_orders,
        is_blacklisted=customer.is_blacklisted,
        blacklist_reason=customer.blacklist_reason,
        area=customer.area,
        area_return_rate=area_return_rate(customer.area),
    )
