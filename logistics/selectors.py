"""Reads for dispatch, run sheets, labels and agent performance.

Orders are read here (never written: writes go through orders.services). Every list is one query
whatever its length: counts and agents' loads are subqueries or GROUP BYs, not a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from accounts import policy
from accounts.models import Availability, Role, User
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus

from .models import AgentArea, AgentPerformance, Delivery, DeliveryOutcome, FailureReason

# An agent's load: the orders they hold that have not reached the customer yet.
LOAD_STATUSES = (OrderStatus.READY_FOR_PICKUP, OrderStatus.OUT_FOR_DELIVERY)
CASH_METHODS = (PaymentMethod.COD, PaymentMethod.CASH)
# The tab of ready orders that have no delivery area (the URL's ?area= value).
NO_AREA = "-"
ORDER_FIELDS = (
    "id", "order_number", "status", "priority", "total_amount", "payment_method", "payment_status", "items",
    "delivery_address", "delivery_area", "customer_notes", "created_at", "assigned_agent_id",
    "customer__full_name", "customer__phone",
)  # fmt: skip


# --- Dispatch -------------------------------------------------------------------------------------


def ready_unassigned(actor) -> QuerySet[Order]:
    """Orders waiting for an agent (the base of dashboard query 3), as far as `actor` may see."""
    queryset = Order.objects.filter(status=OrderStatus.READY_FOR_PICKUP, assigned_agent__isnull=True)
    return policy.scope(actor, "orders", queryset) if actor is not None else queryset


def dispatch_area_counts(*, actor) -> list[dict]:
    """[{"area", "key", "count"}] of orders waiting for an agent, one row per delivery area."""
    rows = ready_unassigned(actor).order_by().values("delivery_area").annotate(count=Count("id"))
    tabs = [
        {"area": row["delivery_area"] or "No area", "key": row["delivery_area"] or NO_AREA, "count": row["count"]}
        for row in rows
    ]
    return sorted(tabs, key=lambda tab: (tab["key"] == NO_AREA, tab["area"].lower()))


def unassigned_orders(*, area: str, actor, limit: int, offset: int = 0) -> list[Order]:
    """Dashboard query 3: one area's orders waiting for an agent, high priority first, then oldest.

    `area` is matched exactly, as the schema's query does (idx_orders_area_status); NO_AREA lists
    the orders without an area.
    """
    queryset = ready_unassigned(actor)
    queryset = queryset.filter(delivery_area__isnull=True) if area == NO_AREA else queryset.filter(delivery_area=area)
    return list(
        queryset.select_related("customer")
        .only(*ORDER_FIELDS)
        .order_by("-priority", "created_at", "id")[offset : offset + limit]
    )


def assigned_orders(*, actor, agent_id=None, limit: int) -> list[Order]:
    """Orders ready for pickup that already have an agent (to move them to another one)."""
    queryset = Order.objects.filter(status=OrderStatus.READY_FOR_PICKUP, assigned_agent__isnull=False)
    if agent_id:
        queryset = queryset.filter(assigned_agent_id=agent_id)
    queryset = policy.scope(actor, "orders", queryset)
    return list(
        queryset.select_related("customer", "assigned_agent")
        .only(*ORDER_FIELDS, "assigned_agent__full_name")
        .order_by("assigned_agent__full_name", "-priority", "created_at", "id")[:limit]
    )


@dataclass
class AgentLoad:
    """A delivery agent as dispatch sees them: areas, availability and what they carry now."""

    id: object
    full_name: str
    phone: str | None
    availability: str
    areas: list[str]
    load: int
    delivered_today: int
    area_keys: frozenset[str] = field(init=False)

    def __post_init__(self):
        self.area_keys = frozenset(area.strip().lower() for area in self.areas)

    @property
    def availability_label(self) -> str:
        return Availability(self.availability).label

    def covers(self, area: str | None) -> bool:
        return bool(area) and area.strip().lower() in self.area_keys


def local_day_start(day: date | None = None) -> datetime:
    day = day or timezone.localdate()
    return timezone.make_aware(datetime.combine(day, time.min))


def agents_with_load(*, areas: set[str] | None = None, exclude_offline: bool = False) -> list[AgentLoad]:
    """Active delivery agents with their areas, current load and deliveries today: one query.

    `areas` (any case) keeps the agents covering at least one of them; `exclude_offline` drops
    agents who are offline. Callers that decide on the loads (auto_assign) call this inside their
    transaction, after taking the dispatch lock, so the counts are the committed ones.
    """
    load = (
        Order.objects.filter(assigned_agent=OuterRef("pk"), status__in=LOAD_STATUSES)
        .order_by()
        .values("assigned_agent")
        .annotate(n=Count("id"))
        .values("n")
    )
    delivered = (
        Delivery.objects.filter(
            agent=OuterRef("pk"), outcome=DeliveryOutcome.DELIVERED, delivery_time__gte=local_day_start()
        )
        .order_by()
        .values("agent")
        .annotate(n=Count("id"))
        .values("n")
    )
    agents = User.objects.filter(role=Role.DELIVERY_AGENT, is_active=True)
    if exclude_offline:
        agents = agents.exclude(availability_status=Availability.OFFLINE)
    if areas is not None:
        keys = {area.strip().lower() for area in areas if area and area.strip()}
        covering = AgentArea.objects.annotate(key=Lower("area")).filter(agent=OuterRef("pk"), key__in=keys)
        agents = agents.filter(Exists(covering))
    rows = agents.annotate(
        load=Coalesce(Subquery(load, output_field=IntegerField()), Value(0)),
        delivered_today=Coalesce(Subquery(delivered, output_field=IntegerField()), Value(0)),
        area_list=ArraySubquery(AgentArea.objects.filter(agent=OuterRef("pk")).order_by("area").values("area")),
    ).values_list("id", "full_name", "phone", "availability_status", "area_list", "load", "delivered_today")
    return [AgentLoad(*row) for row in rows.order_by("full_name", "id")]


def delivery_agent(agent_id) -> User | None:
    return User.objects.filter(pk=agent_id, role=Role.DELIVERY_AGENT).first()


def awaits_dispatch(order_id) -> bool:
    """True while the order is ready for pickup without an agent (automatic dispatch's guard)."""
    return ready_unassigned(None).filter(pk=order_id).exists()


# --- Run sheets and labels --------------------------------------------------------------------------


def amount_to_collect(order: Order) -> Decimal:
    """Cash the agent takes at the door: the total of a cash-on-delivery order not yet paid."""
    if order.payment_method in CASH_METHODS and order.payment_status == PaymentStatus.PENDING:
        return order.total_amount
    return Decimal("0.00")


def run_sheet_orders(*, agent_id) -> list[Order]:
    """Dashboard query 2: the agent's orders to carry, high priority first, then oldest."""
    orders = list(
        Order.objects.filter(assigned_agent_id=agent_id, status__in=LOAD_STATUSES)
        .select_related("customer")
        .only(*ORDER_FIELDS)
        .order_by("-priority", "created_at", "id")
    )
    for order in orders:
        order.to_collect = amount_to_collect(order)
    return orders


def label_orders(*, actor, ids: list[str] | None = None, area: str | None = None, limit: int) -> list[Order]:
    """Orders to print labels for: the given ids, or an area's orders ready for pickup."""
    queryset = Order.objects.all()
    if ids:
        queryset = queryset.filter(pk__in=ids)
    elif area:
        queryset = queryset.filter(status=OrderStatus.READY_FOR_PICKUP)
        queryset = queryset.filter(delivery_area=None if area == NO_AREA else area)
    else:
        return []
    orders = list(
        policy.scope(actor, "orders", queryset)
        .select_related("customer")
        .only(*ORDER_FIELDS)
        .order_by("delivery_area", "-priority", "created_at", "id")[:limit]
    )
    for order in orders:
        order.to_collect = amount_to_collect(order)
    return orders


# --- Agent performance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str  # today, 7d, 30d, custom
    first_day: date
    last_day: date  # inclusive

    @property
    def start(self) -> datetime:
        return local_day_start(self.first_day)

    @property
    def end(self) -> datetime:
        return local_day_start(self.last_day + timedelta(days=1))


def period_deliveries(*, period: Period, actor) -> QuerySet[Delivery]:
    """Delivery attempts of the period, as far as `actor` may see (an agent: their own).

    An attempt belongs to the day its agent set out with the order (pickup_time): failed attempts
    have no delivery_time, so dating attempts by it would lose them.
    """
    queryset = Delivery.objects.filter(pickup_time__gte=period.start, pickup_time__lt=period.end)
    return policy.scope(actor, "deliveries", queryset)


def period_figures(*, period: Period, actor) -> dict:
    """agent_id -> figures of the period: one GROUP BY over the period's deliveries."""
    delivered, failed = Q(outcome=DeliveryOutcome.DELIVERED), Q(outcome=DeliveryOutcome.FAILED)
    by_reason = {
        f"failed_{reason}": Count("id", filter=failed & Q(failure_reason=reason)) for reason in FailureReason.values
    }
    rows = (
        period_deliveries(period=period, actor=actor)
        .order_by()
        .values("agent_id")
        .annotate(
            attempts=Count("id"),
            delivered=Count("id", filter=delivered),
            failed=Count("id", filter=failed),
            rated=Count("rating"),
            average_rating=Avg("rating"),
            average_duration=Avg(
                ExpressionWrapper(F("delivery_time") - F("pickup_time"), output_field=DurationField()),
                filter=delivered & Q(delivery_time__isnull=False, pickup_time__isnull=False),
            ),
            cash_collected=Coalesce(Sum("cash_collected"), Value(Decimal("0.00"))),
            **by_reason,
        )
    )
    return {row["agent_id"]: row for row in rows}


def all_time_rows(*, actor) -> list[AgentPerformance]:
    """agent_performance_view (dashboard query 7), limited to the actor's own row for an agent."""
    rows = AgentPerformance.objects.all()
    if actor.role == Role.DELIVERY_AGENT:
        rows = rows.filter(agent_id=actor.pk)
    elif not policy.can(actor, "deliveries.view"):
        rows = rows.none()
    return list(rows)


def agent_deliveries(*, agent_id, period: Period, actor, limit: int) -> list[Delivery]:
    """One agent's attempts in the period, newest first, with their order and customer."""
    return list(
        period_deliveries(period=period, actor=actor)
        .filter(agent_id=agent_id)
        .select_related("order__customer")
        .only(
            "id",
            "agent_id",
            "attempt_number",
            "outcome",
            "failure_reason",
            "pickup_time",
            "delivery_time",
            "ended_at",
            "cash_collected",
            "rating",
            "customer_feedback",
            "order__id",
            "order__order_number",
            "order__delivery_area",
            "order__customer__full_name",
        )
        .order_by("-pickup_time", "-id")[:limit]
    )


def delivery_for_feedback(delivery_id) -> Delivery | None:
    return Delivery.objects.select_related("order").filter(pk=delivery_id).first()


# Failure reasons as a table cell says them ("refused 3 · phone off 1").
SHORT_REASONS = {
    FailureReason.CUSTOMER_UNAVAILABLE: "unavailable", FailureReason.REFUSED: "refused",
    FailureReason.WRONG_ADDRESS: "wrong address", FailureReason.PHONE_OFF: "phone off",
    FailureReason.POSTPONED: "postponed", FailureReason.OTHER: "other",
}  # fmt: skip
# Columns the performance table sorts by: key -> the row's value.
SORTS = {
    "name": lambda r: r["name"].lower(),
    "attempts": lambda r: r["attempts"],
    "success": lambda r: r["success_rate"],
    "failed": lambda r: r["failed"],
    "rating": lambda r: r["average_rating"],
    "duration": lambda r: r["average_duration"],
    "cash": lambda r: r["cash_collected"],
    "all_deliveries": lambda r: r["all_time"].total_deliveries,
    "all_success": lambda r: r["all_time"].success_rate,
    "all_rating": lambda r: r["all_time"].average_rating,
}


def performance_table(*, period: Period, actor, sort: str = "name", descending: bool = False) -> list[dict]:
    """One row per agent: the period's figures (one grouped query) beside the all-time view (one
    query). Agents without attempts in the period show zeros; inactive agents only if they worked.
    Rows without a value for the sorted column (no rating yet...) come last either way."""
    figures = period_figures(period=period, actor=actor)
    rows = []
    for agent in all_time_rows(actor=actor):
        found = figures.get(agent.agent_id)
        if found is None and not agent.is_active:
            continue
        row = _period_row(found)
        row.update(agent_id=agent.agent_id, name=agent.agent_name, all_time=agent)
        rows.append(row)
    key = SORTS.get(sort, SORTS["name"])
    present = sorted((r for r in rows if key(r) is not None), key=key, reverse=descending)
    return present + sorted((r for r in rows if key(r) is None), key=SORTS["name"])


def _period_row(found: dict | None) -> dict:
    found = found or {}
    delivered, failed = found.get("delivered", 0), found.get("failed", 0)
    rating = found.get("average_rating")
    return {
        "attempts": found.get("attempts", 0),
        "delivered": delivered,
        "failed": failed,
        "in_progress": found.get("attempts", 0) - delivered - failed,
        "success_rate": _half_up(Decimal(100 * delivered) / finished, "0.1")
        if (finished := delivered + failed)
        else None,
        "failed_by_reason": [
            (SHORT_REASONS[value], found[f"failed_{value}"])
            for value in FailureReason.values
            if found.get(f"failed_{value}")
        ],
        "rated": found.get("rated", 0),
        "average_rating": _half_up(Decimal(str(rating)), "0.01") if rating is not None else None,
        "average_duration": found.get("average_duration"),
        "duration_label": duration_label(found.get("average_duration")),
        "cash_collected": found.get("cash_collected", Decimal("0.00")),
    }


def _half_up(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def duration_label(value: timedelta | None) -> str:
    """1 h 05 min, 42 min, or an empty string."""
    if value is None:
        return ""
    minutes = round(value.total_seconds() / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
