"""Reads behind the new-order page and the confirmation queue: customer lookup, product search,
possible duplicates, delivery area names, and queue rows precomputed for lean templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts import policy
from accounts.models import Role, User
from catalog.models import SEARCH_CONFIG, Product, product_name_vector
from customers.models import Customer
from customers.phones import InvalidPhone, normalize_phone

from .models import CallAttempt, DeliveryArea, Order, OrderStatus
from .selectors import QUEUE_STATUSES, customer_risk, rep_queue

PRODUCT_RESULTS = 15
TIMES = " \N{MULTIPLICATION SIGN} "
QUEUE_PAGE = 50
AREA_NAMES_CACHE_KEY = "orders:area-names"
AREA_NAMES_CACHE_SECONDS = 600
# Read out by the rep at the end of the call script.
DELIVERY_WINDOW = "within 1 to 2 working days; the courier calls before coming"


# --- Customers ---------------------------------------------------------------------------------
def customer_by_phone(raw: str) -> tuple[str | None, Customer | None]:
    """(normalised phone or None if not a valid number yet, the customer with it or None)."""
    try:
        phone = normalize_phone(raw)
    except InvalidPhone:
        return None, None
    return phone, Customer.objects.filter(phone=phone).first()


def customer_summary(customer: Customer, user) -> dict:
    """What the rep needs to know about a returning customer before taking the order."""
    recent = policy.scope(user, "orders", Order.objects.filter(customer=customer)).order_by("-created_at")
    return {
        "customer": customer,
        "risk": customer_risk(customer),
        "recent": list(recent.only("id", "order_number", "status", "total_amount", "created_at")[:5]),
        "recent_30_days": recent.filter(created_at__gte=timezone.now() - timedelta(days=30)).count(),
    }


# --- Products ----------------------------------------------------------------------------------
def product_search(query: str, *, limit: int = PRODUCT_RESULTS) -> list[Product]:
    """Active products whose name has words starting with the typed words (full text, the
    'simple' configuration of the name index), or whose SKU or a variant's SKU starts with it."""
    query = query.strip()[:100]
    words = re.findall(r"\w+", query)
    if not words:
        return []
    # Only \w characters reach to_tsquery, so the input cannot inject tsquery syntax.
    name_match = Q(name_search=SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw",
                                           config=SEARCH_CONFIG))  # fmt: skip
    prefix = _like_prefix(query)
    sku_match = Q(sku__istartswith=query) | Q(
        pk__in=RawSQL(
            "SELECT p.id FROM products p, jsonb_array_elements(p.variants) v WHERE v->>'sku' ILIKE %s",
            (prefix,),
        )
    )
    return list(
        Product.objects.filter(is_active=True)
        .annotate(name_search=product_name_vector())
        .filter(name_match | sku_match)
        .order_by("name")
        .only("id", "name", "sku", "price", "stock_quantity", "variants")[:limit]
    )


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- Duplicates and areas ------------------------------------------------------------------------
def possible_duplicates(*, phone: str | None, skus: set[str], limit: int = 3) -> list[Order]:
    """Orders of this phone in the duplicate window, not cancelled, sharing a SKU: the same rule as
    intake's flag, shown before the order is taken."""
    if not phone or not skus:
        return []
    since = timezone.now() - timedelta(hours=settings.DUPLICATE_WINDOW_HOURS)
    shares = Q()
    for sku in skus:
        shares |= Q(items__contains=[{"sku": sku}])
    return list(
        Order.objects.filter(customer__phone=phone, created_at__gte=since)
        .exclude(status=OrderStatus.CANCELLED)
        .filter(shares)
        .order_by("-created_at")
        .only("id", "order_number", "status", "created_at", "items")[:limit]
    )


def delivery_area_names() -> list[str]:
    """Configured delivery areas and the areas customers live in, for the area field's suggestions."""
    names = cache.get(AREA_NAMES_CACHE_KEY)
    if names is None:
        configured = DeliveryArea.objects.filter(is_active=True).values_list("name", flat=True)
        lived_in = Customer.objects.exclude(area__isnull=True).exclude(area="").values_list("area", flat=True)
        seen: dict[str, str] = {}
        for name in [*configured, *lived_in.distinct().order_by("area")[:300]]:
            seen.setdefault(name.strip().lower(), name.strip())
        names = sorted(seen.values(), key=str.lower)
        cache.set(AREA_NAMES_CACHE_KEY, names, AREA_NAMES_CACHE_SECONDS)
    return names


# --- The confirmation queue ----------------------------------------------------------------------
@dataclass
class QueueRow:
    order: Order
    items: str
    age: str
    attempts: int
    callback: str
    callback_due: bool
    script: dict


def sees_every_queue(user) -> bool:
    return user.role in (Role.ADMIN, Role.MANAGER)


def queue_orders(*, user, rep_filter: str = "") -> QuerySet[Order]:
    """The queue this user works: their own (reps), or everyone's, one rep's or the unassigned
    orders (managers and admins, by `rep_filter`: "", a user id, or "none")."""
    if not sees_every_queue(user):
        return rep_queue(rep=user)
    queue = rep_queue(rep=None).select_related("assigned_rep")
    if rep_filter == "none":
        return queue.filter(assigned_rep__isnull=True)
    if rep_filter:
        return queue.filter(assigned_rep_id=rep_filter)
    return queue


def queue_page(queue: QuerySet[Order], *, offset: int, caller: User) -> tuple[list[QueueRow], int | None]:
    """One page of rows (QUEUE_PAGE) and the offset of the next page, or None."""
    orders = list(queue[offset : offset + QUEUE_PAGE + 1])
    more = len(orders) > QUEUE_PAGE
    orders = orders[:QUEUE_PAGE]
    return queue_rows(orders, caller=caller), (offset + QUEUE_PAGE if more else None)


def queue_rows(orders: list[Order], *, caller: User) -> list[QueueRow]:
    attempts = dict(
        CallAttempt.objects.filter(order_id__in=[o.pk for o in orders])
        .values("order_id")
        .annotate(n=Count("id"))
        .values_list("order_id", "n")
    )
    now = timezone.now()
    return [_row(order, attempts.get(order.pk, 0), now, caller) for order in orders]


def queue_row(order_id, *, caller: User) -> QueueRow | None:
    """The row of one order, or None when it is no longer awaiting confirmation."""
    order = (
        Order.objects.filter(pk=order_id, status__in=QUEUE_STATUSES).select_related("customer", "assigned_rep").first()
    )
    return queue_rows([order], caller=caller)[0] if order else None


def _row(order: Order, attempts: int, now: datetime, caller: User) -> QueueRow:
    callback = timezone.localtime(order.callback_at) if order.callback_at else None
    return QueueRow(
        order=order,
        items=", ".join(f"{line['quantity']}{TIMES}{line['name']}" for line in order.items),
        age=_age(now - order.created_at),
        attempts=attempts,
        callback=f"{callback:%d %b %H:%M}" if callback else "",
        callback_due=bool(callback and order.callback_at <= now),
        script=_script(order, caller),
    )


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def _script(order: Order, caller: User) -> dict:
    """The call script's blanks, filled with this order's data."""
    return {
        "rep": (caller.full_name or "").split(" ")[0] or "your sales advisor",
        "customer": order.customer.full_name,
        "lines": [f"{line['quantity']}{TIMES}{line['name']} ({line['unit_price']} each)" for line in order.items],
        "total": f"{Decimal(order.total_amount):.2f} {settings.CURRENCY}",
        "fee": f"{Decimal(order.delivery_fee):.2f}",
        "free_delivery": not order.delivery_fee,
        "address": order.delivery_address or order.customer.address or "",
        "area": order.delivery_area or "",
        "window": DELIVERY_WINDOW,
    }
