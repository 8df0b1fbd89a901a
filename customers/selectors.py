"""Reads of customers for the staff pages: risk bands in SQL and in bulk, order history, pick lists."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, Trim

from accounts import policy
from accounts.models import ActivityLog

from .domain import (
    HIGH,
    HIGH_RETURN_RATE,
    LOW,
    MEDIUM,
    MEDIUM_RETURN_RATE,
    MIN_ORDERS_FOR_RATE,
    RISKY_AREA_RETURN_RATE,
    Risk,
    assess_risk,
)
from .models import Customer

PICK_LISTS_CACHE_SECONDS = 600
ORDER_HISTORY_LIMIT = 100


def with_risk(customers: Iterable[Customer], area_rates: dict[str, Decimal]) -> list[Customer]:
    """Set `.risk` on each customer, by the rule of orders.selectors.customer_risk but with the area
    rates read once for the whole page (that selector reads the cache once per customer)."""
    rows = list(customers)
    for customer in rows:
        customer.risk = _assess(customer, area_rates)
    return rows


def _assess(customer: Customer, area_rates: dict[str, Decimal]) -> Risk:
    return assess_risk(
        total_orders=customer.total_orders,
        return_rate=customer.return_rate,
        refused_orders=customer.refused_orders,
        is_blacklisted=customer.is_blacklisted,
        blacklist_reason=customer.blacklist_reason,
        area=customer.area,
        area_return_rate=area_rates.get(customer.area.strip().lower()) if customer.area else None,
    )


def filter_risk_band(queryset: QuerySet[Customer], band: str, area_rates: dict[str, Decimal]) -> QuerySet[Customer]:
    """Customers whose band (customers.domain.assess_risk) is `band`, decided in SQL."""
    rated = Q(total_orders__gte=MIN_ORDERS_FOR_RATE)
    high = Q(is_blacklisted=True) | (rated & Q(return_rate__gte=HIGH_RETURN_RATE)) | Q(refused_orders__gte=2)
    medium = (rated & Q(return_rate__gte=MEDIUM_RETURN_RATE)) | Q(refused_orders=1)
    risky_areas = sorted(area for area, rate in area_rates.items() if rate >= RISKY_AREA_RETURN_RATE)
    if risky_areas:
        queryset = queryset.annotate(area_key=Coalesce(Lower(Trim("area")), Value("")))
        medium |= Q(area_key__in=risky_areas)
    if band == HIGH:
        return queryset.filter(high)
    if band == MEDIUM:
        return queryset.filter(medium).exclude(high)
    if band == LOW:
        return queryset.exclude(high).exclude(medium)
    return queryset


def customer_orders(*, customer: Customer, actor) -> list:
    """The schema's query 4 (a customer's latest 100 orders), limited to the orders `actor` may see."""
    orders = customer.orders.only("id", "order_number", "status", "total_amount", "created_at", "delivered_at")
    return list(policy.scope(actor, "orders", orders).order_by("-created_at")[:ORDER_HISTORY_LIMIT])


def customer_activity(*, customer: Customer, limit: int = 30) -> list[ActivityLog]:
    return list(
        ActivityLog.objects.filter(entity_type="customer", entity_id=customer.pk)
        .select_related("user")
        .order_by("-created_at")[:limit]
    )


def known_tags() -> dict[str, dict]:
    """Tags in use, by id (for the filter's suggestions and to reuse a tag's label and colour).
    Reading them scans every customer's tags, so the answer is cached for a few minutes."""
    tags = cache.get("customers:known-tags")
    if tags is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT ON (t->>'id') t->>'id', t->>'label', t->>'color' "
                "FROM customers, jsonb_array_elements(tags) AS t WHERE t ? 'id' ORDER BY t->>'id' LIMIT 500"
            )
            tags = {tag_id: {"id": tag_id, "label": label, "color": color} for tag_id, label, color in cursor}
        cache.set("customers:known-tags", tags, PICK_LISTS_CACHE_SECONDS)
    return tags


def known_places() -> dict[str, list[str]]:
    """Areas and cities in use (suggestions for the filters), cached for a few minutes."""
    places = cache.get("customers:known-places")
    if places is None:
        places = {
            name: list(
                Customer.objects.exclude(**{f"{name}__isnull": True})
                .order_by(name)
                .values_list(name, flat=True)
                .distinct()[:300]
            )
            for name in ("area", "city")
        }
        cache.set("customers:known-places", places, PICK_LISTS_CACHE_SECONDS)
    return places
