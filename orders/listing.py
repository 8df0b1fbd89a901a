"""The orders list: filters, search, sorting, keyset pages and capped status counts.

Built to stay fast at a million orders: every page is one indexed range read (keyset pagination,
never OFFSET), counts per status are capped and cached, and rows carry only what the table shows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Role, User
from customers.phones import phone_search_forms

from .models import Order, OrderSource, OrderStatus, PaymentStatus, Priority, RiskBand

PAGE_SIZE = 50
COUNT_CAP = 10_000
COUNTS_CACHE_SECONDS = 30

# sort key -> (model field, descending). Ties are broken by id in the same direction.
SORTS = {
    "newest": ("created_at", True),
    "oldest": ("created_at", False),
    "total_desc": ("total_amount", True),
    "total_asc": ("total_amount", False),
    "updated": ("updated_at", True),
}
SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "total_desc": "Largest amount",
    "total_asc": "Smallest amount",
    "updated": "Recently changed",
}
LIST_FIELDS = (
    "id", "order_number", "status", "priority", "total_amount", "payment_status", "source", "delivery_area",
    "created_at", "updated_at", "risk_band", "is_possible_duplicate", "items",
    "customer__full_name", "customer__phone", "assigned_agent__full_name", "assigned_rep__full_name",
)  # fmt: skip


def _staff(role: str):
    return User.objects.filter(role=role, is_active=True).order_by("full_name")


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Order number, phone or name", "aria-label": "Search"}
        ),
    )
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    priority = django_filters.ChoiceFilter(empty_label="Any priority", choices=Priority.choices)
    delivery_area = django_filters.CharFilter(field_name="delivery_area", lookup_expr="iexact", label="Area")
    agent = django_filters.ModelChoiceFilter(
        field_name="assigned_agent", queryset=lambda request: _staff(Role.DELIVERY_AGENT), empty_label="Any agent"
    )
    rep = django_filters.ModelChoiceFilter(
        field_name="assigned_rep", queryset=lambda request: _staff(Role.CUSTOMER_REP)
    )
    source = django_filters.ChoiceFilter(empty_label="Any source", choices=OrderSource.choices)
    payment_status = django_filters.ChoiceFilter(empty_label="Any payment", choices=PaymentStatus.choices)
    risk = django_filters.ChoiceFilter(field_name="risk_band", choices=RiskBand.choices, empty_label="Any risk")
    duplicate = django_filters.BooleanFilter(field_name="is_possible_duplicate", label="Possible duplicate")
    created_from = django_filters.DateFilter(method="created_from_filter", label="From")
    created_to = django_filters.DateFilter(method="created_to_filter", label="To")

    class Meta:
        model = Order
        fields: list[str] = []

    def search(self, queryset, name, value):
        """Order number, phone in any format (or its digits), or the start of the customer's name."""
        value = value.strip()[:100]
        if not value:
            return queryset
        if value.upper().startswith("ORD-"):
            return queryset.filter(order_number=value.upper())
        if value.isdigit() and len(value) <= 7:
            # A bare number is an order number when one exists, else the end of a phone.
            by_number = queryset.filter(order_number=f"ORD-{value.zfill(6)}")
            if by_number.exists():
                return by_number
            return queryset.filter(customer__phone__contains=value.lstrip("0"))
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) >= 6:
            forms = phone_search_forms(value)
            if forms and forms[0].startswith("+"):
                return queryset.filter(customer__phone=forms[0])
            return queryset.filter(customer__phone__contains=digits.lstrip("0"))
        return queryset.filter(customer__full_name__istartswith=value)

    def created_from_filter(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def created_to_filter(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + timedelta(days=1)))


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


@dataclass
class OrderPage:
    rows: list[Order]
    next_cursor: str | None
    sort: str


def filtered_orders(*, user, params) -> tuple[OrderFilter, QuerySet[Order]]:
    """The user's orders (policy scope) narrowed by the list's filters; invalid filters are ignored
    and reported on the form."""
    base = policy.scope(user, "orders", Order.objects.all())
    order_filter = OrderFilter(params, queryset=base)
    queryset = order_filter.qs if order_filter.is_valid() else base
    return order_filter, queryset


def order_page(queryset: QuerySet[Order], *, sort: str, cursor: str | None) -> OrderPage:
    sort = sort if sort in SORTS else "newest"
    field, descending = SORTS[sort]
    queryset = queryset.select_related("customer", "assigned_agent", "assigned_rep").only(*LIST_FIELDS)
    after = decode_cursor(cursor)
    value = None
    if after is not None:
        try:
            value = _typed(field, after[0])
        except (ValueError, ArithmeticError):
            after = None  # a cursor for another sort, or tampered with: start again
    if after is not None:
        last_id = after[1]
        if descending:
            queryset = queryset.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "id__lt": last_id}))
        else:
            queryset = queryset.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "id__gt": last_id}))
    prefix = "-" if descending else ""
    rows = list(queryset.order_by(f"{prefix}{field}", f"{prefix}id")[: PAGE_SIZE + 1])
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = encode_cursor(getattr(rows[-1], field), rows[-1].pk)
    return OrderPage(rows=rows, next_cursor=next_cursor, sort=sort)


def status_counts(*, user, params) -> dict[str, int]:
    """Orders per status for the current filters (except status), each capped at COUNT_CAP and
    cached briefly: exact counts over a million rows are not worth 150 ms on every page view."""
    params = params.copy()
    params.pop("status", None)
    params.pop("cursor", None)
    params.pop("sort", None)
    key = (
        "orders:counts:"
        + hashlib.sha256(json.dumps([str(user.pk), sorted(params.lists())], default=str).encode()).hexdigest()
    )
    counts = cache.get(key)
    if counts is None:
        _, queryset = filtered_orders(user=user, params=params)
        counts = {
            status: queryset.filter(status=status).order_by()[: COUNT_CAP + 1].count() for status in OrderStatus.values
        }
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def encode_cursor(value, pk) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else str(value), str(pk)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None):
    """(value, id) from a cursor, or None when absent or tampered with (then: the first page)."""
    if not cursor:
        return None
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return value, str(uuid.UUID(str(pk)))
    except (ValueError, TypeError):
        return None


def _typed(field: str, value: str):
    if field in ("created_at", "updated_at"):
        return datetime.fromisoformat(value)
    return Decimal(value)
