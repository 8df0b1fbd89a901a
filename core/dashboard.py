"""Reads for the dashboard (core:home): today's figures, 30-day charts, work queues, stock, agents, money.

Everything about orders goes through accounts.policy.scope, so a rep's figures, charts and lists
cover their own and unassigned orders, an agent's only theirs. The two expensive parts (today's
figures and the 30-day charts, which scan a day's or a month's orders) are cached in Redis for
CACHE_SECONDS, keyed by a digest of the user's scoped query: users who see the same rows share one
entry, and a rep's entry is theirs alone. Money is cut out after the cache, per user, so cached
data never decides who sees cash figures: `financial.view` does.

"Today" is the calendar day in settings.TIME_ZONE, queried as a created_at range
(`>= today's start AND < tomorrow's start`) so idx_orders_created_at serves it; the schema's
query 5 writes `DATE(created_at) = CURRENT_DATE`, which no index on created_at can serve.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Lower, Trim, TruncDate
from django.utils import timezone

from accounts import policy
from accounts.models import Role, User
from catalog.models import Product
from common.http import safe_reverse
from finance.models import DailyFinancialSummary
from logistics.models import AgentPerformance
from orders.models import OPEN_STATUSES, Order, OrderStatus, PaymentMethod, PaymentStatus
from orders.selectors import QUEUE_STATUSES, rep_queue

CACHE_SECONDS = 60
CACHE_PREFIX = "dashboard:v1"
CHART_DAYS = 30
RECENT_LIMIT = 50
LOW_STOCK_LIMIT = 15
AGENT_LIMIT = 20
TOP_AREAS = 12
TOP_PRODUCTS = 10
FINANCE_DAYS = 7
RECENT_FIELDS = (
    "order_number",
    "status",
    "priority",
    "total_amount",
    "created_at",
    "customer__full_name",
    "customer__phone",
)
ZERO = Decimal("0.00")

# Today's figures: status counts, in the order they appear.
FIGURE_STATUSES = (
    OrderStatus.NEW,
    OrderStatus.CONFIRMATION_PENDING,
    OrderStatus.CONFIRMED,
    OrderStatus.OUT_FOR_DELIVERY,
    OrderStatus.DELIVERED,
    OrderStatus.RETURNED,
    OrderStatus.CANCELLED,
)
# "Confirmed or later" for the confirmation rate: a rep got a yes and the order went on its way.
CONFIRMED_OR_LATER = (
    OrderStatus.CONFIRMED,
    OrderStatus.BEING_PREPARED,
    OrderStatus.READY_FOR_PICKUP,
    OrderStatus.OUT_FOR_DELIVERY,
    OrderStatus.DELIVERED,
    OrderStatus.RETURNED,
)
RUN_STATUSES = (OrderStatus.READY_FOR_PICKUP, OrderStatus.OUT_FOR_DELIVERY)
CASH_METHODS = (PaymentMethod.COD, PaymentMethod.CASH)

# What each role sees, first things first; a section also needs its permission (SECTION_NEEDS).
# Managers and admins (DEFAULT_LAYOUT) see everything.
LAYOUTS: dict[str, tuple[str, ...]] = {
    Role.CUSTOMER_REP: ("rep_work", "figures", "recent", "charts", "low_stock"),
    Role.DELIVERY_AGENT: ("agent_run",),
    Role.ACCOUNTANT: ("figures", "money", "charts", "recent", "agents", "low_stock"),
}
DEFAULT_LAYOUT = ("figures", "money", "charts", "recent", "low_stock", "agents")
SECTION_NEEDS = {
    "rep_work": "orders.edit",
    "agent_run": "deliveries.edit",
    "figures": "orders.view",
    "money": "financial.view",
    "charts": "orders.view",
    "recent": "orders.view",
    "low_stock": "products.view",
    "agents": "deliveries.view",
}


def sections_for(user: User) -> list[str]:
    return [s for s in LAYOUTS.get(user.role, DEFAULT_LAYOUT) if policy.can(user, SECTION_NEEDS[s])]


# The URL of a page another app may not have routed (yet).
url_or_none = safe_reverse


def today_range(now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start of today, start of tomorrow) in settings.TIME_ZONE, as aware datetimes."""
    tz = timezone.get_default_timezone()
    today = timezone.localdate(now, tz)
    return datetime.combine(today, time.min, tz), datetime.combine(today + timedelta(days=1), time.min, tz)


def scoped_orders(user: User) -> QuerySet[Order]:
    return policy.scope(user, "orders", Order.objects.all())


def _scope_key(queryset: QuerySet) -> str:
    """A digest of the scoped query's SQL and parameters: equal for users who see the same rows."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return "none"
    return hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()[:24]


# Bumped after every committed order creation or status change (core.apps connects the signals):
# today's figures are cached under the current generation, so they are fresh at the next refresh.
GENERATION_KEY = f"{CACHE_PREFIX}:orders-generation"


def bump_generation(**_signal_kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.add(GENERATION_KEY, 1, timeout=None)


def _cached(kind: str, queryset: QuerySet, day: date, compute: Callable[[], Any]) -> Any:
    generation = cache.get(GENERATION_KEY, 0) if kind == "figures" else 0
    key = f"{CACHE_PREFIX}:{kind}:{day.isoformat()}:{generation}:{_scope_key(queryset)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


# --- Today's figures (the figures fragment) ---------------------------------------------------


def _today_counts(orders: QuerySet[Order], start: datetime, end: datetime) -> dict[str, Any]:
    """One scan of today's orders: the schema's query 5 and the status counts, over a range."""
    delivered = Q(status=OrderStatus.DELIVERED)
    return orders.filter(created_at__gte=start, created_at__lt=end).aggregate(
        total=Count("id"),
        **{status.value: Count("id", filter=Q(status=status)) for status in FIGURE_STATUSES},
        collected=Sum("total_amount", filter=delivered & Q(payment_status=PaymentStatus.COLLECTED)),
        pending_cash=Sum("total_amount", filter=delivered & Q(payment_status=PaymentStatus.PENDING)),
    )


def today_figures(user: User) -> list[dict[str, Any]]:
    """Cards for the figures fragment: counts, plus cash (first for accountants) with financial.view."""
    orders = scoped_orders(user)
    start, end = today_range()
    data = _cached("figures", orders, start.date(), lambda: _today_counts(orders, start, end))
    cards = [{"label": "Orders today", "value": data["total"], "key": "total"}]
    cards += [{"label": s.label, "value": data[s.value], "key": s.value} for s in FIGURE_STATUSES]
    if not policy.can(user, "financial.view"):
        return cards
    cash = [
        {"label": f"Cash collected ({settings.CURRENCY})", "value": data["collected"] or ZERO, "key": "collected"},
        {"label": f"Cash pending ({settings.CURRENCY})", "value": data["pending_cash"] or ZERO, "key": "pending"},
    ]
    return cash + cards if user.role == Role.ACCOUNTANT else cards + cash


# --- The 30-day charts ----------------------------------------------------------------------


def _top_products(orders: QuerySet[Order]) -> list[dict[str, Any]]:
    """Quantities per product from the orders' items JSONB (jsonb_array_elements), best first."""
    sql, params = orders.values("items").query.sql_with_params()
    query = f"""
        WITH lines AS (
            SELECT item->>'product_id' AS product_id, max(item->>'name') AS line_name,
                   sum((item->>'quantity')::numeric) AS quantity
            FROM ({sql}) AS o
            CROSS JOIN LATERAL jsonb_array_elements(o.items) AS item
            WHERE jsonb_typeof(o.items) = 'array'
            GROUP BY 1
            ORDER BY 3 DESC, 1
            LIMIT %s
        )
        SELECT coalesce(p.name, l.line_name), l.quantity
        FROM lines AS l LEFT JOIN products AS p ON p.id::text = l.product_id
        ORDER BY l.quantity DESC, l.product_id
    """  # the inner SQL is Django's own, its parameters bound below
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, TOP_PRODUCTS])
        return [{"name": name or "?", "quantity": int(quantity)} for name, quantity in cursor.fetchall()]


def _chart_data(orders: QuerySet[Order], start: datetime, end: datetime, days: list[date]) -> dict[str, Any]:
    tz = timezone.get_default_timezone()
    window = orders.filter(created_at__gte=start, created_at__lt=end)
    per_day = (
        window.annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[date, int]] = {}
    for row in per_day:
        counts.setdefault(row["status"], {})[row["day"]] = row["n"]
    created = [sum(by_day.get(day, 0) for by_day in counts.values()) for day in days]
    confirmed = [sum(counts.get(s, {}).get(day, 0) for s in CONFIRMED_OR_LATER) for day in days]
    areas = (
        window.filter(status__in=[OrderStatus.DELIVERED, OrderStatus.RETURNED])
        .exclude(delivery_area__isnull=True)
        .annotate(area=Lower(Trim("delivery_area")))
        .exclude(area="")
        .values("area")
        .annotate(
            label=Max("delivery_area"),
            delivered=Count("id", filter=Q(status=OrderStatus.DELIVERED)),
            finished=Count("id"),
        )
        .order_by("-finished", "area")[:TOP_AREAS]
    )
    return {
        "days": [day.isoformat() for day in days],
        "statuses": [
            {"status": s.value, "label": s.label, "counts": [counts.get(s.value, {}).get(day, 0) for day in days]}
            for s in OrderStatus
        ],
        "confirmation_rate": [round(100 * c / n, 1) if n else None for c, n in zip(confirmed, created, strict=True)],
        "areas": [
            {
                "area": a["label"].strip(),
                "rate": round(100 * a["delivered"] / a["finished"], 1),
                "finished": a["finished"],
            }
            for a in areas
        ],
        "products": _top_products(window.exclude(status=OrderStatus.CANCELLED)),
    }


def chart_data(user: User) -> dict[str, Any]:
    """The last CHART_DAYS days (today included) for static/js/dashboard.js, JSON-ready."""
    orders = scoped_orders(user)
    today_start, tomorrow_start = today_range()
    first = today_start.date() - timedelta(days=CHART_DAYS - 1)
    start = datetime.combine(first, time.min, today_start.tzinfo)
    days = [first + timedelta(days=i) for i in range(CHART_DAYS)]
    return _cached("charts", orders, today_start.date(), lambda: _chart_data(orders, start, tomorrow_start, days))


# --- Lists ------------------------------------------------------------------------------------


def _with_detail_urls(orders: list[Order]) -> list[Order]:
    """Attach `detail_url` when the orders app routes a detail page (one reverse, not one per row)."""
    sample = uuid.UUID(int=0)
    pattern = url_or_none("orders:detail", order_id=sample)
    for order in orders:
        order.detail_url = pattern.replace(str(sample), str(order.pk)) if pattern else None
    return orders


def recent_orders(user: User) -> list[Order]:
    """The schema's query 1, scoped: open orders, high priority first, newest first.

    The status filter and ORDER BY are exactly those of the partial index idx_orders_open_queue,
    so PostgreSQL walks the index and stops after RECENT_LIMIT rows (plus the scope filter)."""
    orders = (
        scoped_orders(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("customer")
        .only(*RECENT_FIELDS)
        .order_by("-priority", "-created_at")[:RECENT_LIMIT]
    )
    return _with_detail_urls(list(orders))


def rep_work(user: User) -> dict[str, Any]:
    """A rep's confirmation work: their queue (orders.selectors.rep_queue), due callbacks, unassigned."""
    now = timezone.now()
    mine = Q(assigned_rep=user)
    counts = (
        Order.objects.filter(status__in=QUEUE_STATUSES)
        .filter(mine | Q(assigned_rep__isnull=True))
        .aggregate(
            open=Count("id", filter=mine),
            callbacks_due=Count("id", filter=mine & Q(callback_at__lte=now)),
            unassigned=Count("id", filter=Q(assigned_rep__isnull=True)),
        )
    )
    next_calls = _with_detail_urls(list(rep_queue(rep=user, now=now)[:5]))
    return {**counts, "next_calls": next_calls, "queue_url": url_or_none("orders:queue")}


def agent_run(user: User) -> dict[str, Any]:
    """A delivery agent's run: the schema's query 2 for them, and the cash they are to collect."""
    run = policy.scope(user, "orders", Order.objects.filter(assigned_agent=user, status__in=RUN_STATUSES))
    summary = run.aggregate(
        ready=Count("id", filter=Q(status=OrderStatus.READY_FOR_PICKUP)),
        out=Count("id", filter=Q(status=OrderStatus.OUT_FOR_DELIVERY)),
        cash_to_collect=Sum(
            "total_amount", filter=Q(payment_status=PaymentStatus.PENDING, payment_method__in=CASH_METHODS)
        ),
    )
    orders = run.select_related("customer").order_by("-priority", "created_at")[:RECENT_LIMIT]
    return {
        **summary,
        "cash_to_collect": summary["cash_to_collect"] or ZERO,
        "currency": settings.CURRENCY,
        "orders": _with_detail_urls(list(orders)),
        "run_url": url_or_none("logistics:agent_run"),
    }


def low_stock() -> list[Product]:
    """The schema's query 6 (active products at or under their threshold), lowest stock first."""
    return list(
        Product.objects.filter(is_active=True, stock_quantity__lte=F("low_stock_threshold"))
        .only("name", "sku", "category", "stock_quantity", "low_stock_threshold")
        .order_by("stock_quantity", "name")[:LOW_STOCK_LIMIT]
    )


def agent_performance() -> list[AgentPerformance]:
    """agent_performance_view for active agents, best success rate first. The view counts every
    order of every agent, so it is cached like the charts (the same for everybody)."""
    key = f"{CACHE_PREFIX}:agents"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            AgentPerformance.objects.filter(is_active=True).order_by(
                F("success_rate").desc(nulls_last=True), "agent_name"
            )[:AGENT_LIMIT]
        )
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def finance_days() -> list[DailyFinancialSummary]:
    """The last FINANCE_DAYS days of daily_financial_summary, newest first (the view's date filter
    reaches the transactions' and expenses' date indexes)."""
    today = today_range()[0].date()
    return list(DailyFinancialSummary.objects.filter(date__gt=today - timedelta(days=FINANCE_DAYS), date__lte=today))


# --- The page ---------------------------------------------------------------------------------

SECTION_DATA: dict[str, Callable[[User], Any]] = {
    "rep_work": rep_work,
    "agent_run": agent_run,
    "figures": today_figures,
    "money": lambda user: finance_days(),
    "charts": chart_data,
    "recent": recent_orders,
    "low_stock": lambda user: low_stock(),
    "agents": lambda user: agent_performance(),
}


def dashboard_context(user: User) -> dict[str, Any]:
    """Only the sections this user sees are computed."""
    sections = sections_for(user)
    return {
        "sections": sections,
        "data": {name: SECTION_DATA[name](user) for name in sections},
        "show_money": policy.can(user, "financial.view"),
        "scope_note": _scope_note(user),
        "orders_url": url_or_none("orders:list"),
        "products_url": url_or_none("catalog:list"),
        "currency": settings.CURRENCY,
    }


def _scope_note(user: User) -> str:
    if user.role == Role.DELIVERY_AGENT:
        return "Orders assigned to you."
    if user.role in (Role.ADMIN, Role.MANAGER) or policy.can(user, "orders.view_all"):
        return "All orders."
    return "Your orders and the unassigned queue."
