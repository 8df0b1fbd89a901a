"""The product list's search, filters and sort (django-filter)."""

from __future__ import annotations

import re

import django_filters
from django.contrib.postgres.search import SearchQuery
from django.db.models import F, Q

from .models import SEARCH_CONFIG, Product, product_name_vector

# sort choice -> (column, descending); every column is NOT NULL.
SORTS = {
    "name": ("name", False),
    "newest": ("created_at", True),
    "price_low": ("price", False),
    "price_high": ("price", True),
    "stock_low": ("stock_quantity", False),
}
SORT_CHOICES = [
    ("name", "Name"),
    ("newest", "Newest"),
    ("price_low", "Price, lowest first"),
    ("price_high", "Price, highest first"),
    ("stock_low", "Stock, lowest first"),
]
WORD = re.compile(r"\w+")


def prefix_query(text: str) -> SearchQuery | None:
    """'arg oil' -> to_tsquery('simple', 'arg:* & oil:*'): every word, as a prefix. Only word
    characters reach the tsquery, so its syntax (& | ! : parentheses) cannot be injected."""
    words = WORD.findall(text.lower())[:8]
    if not words:
        return None
    return SearchQuery(" & ".join(f"{word}:*" for word in words), config=SEARCH_CONFIG, search_type="raw")


def sku_prefix(prefix: str) -> Q:
    """SKUs starting with `prefix`. The range lets the btree index answer (a LIKE 'x%' cannot use it
    under the database's C.UTF-8 collation); the LIKE keeps the answer exact under any collation."""
    return Q(sku__gte=prefix, sku__lt=prefix + "\U0010ffff", sku__startswith=prefix)


def category_choices() -> list[tuple[str, str]]:
    categories = (
        Product.objects.exclude(category__isnull=True)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )
    return [(category, category) for category in categories]


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    category = django_filters.ChoiceFilter(label="Category", choices=[], empty_label="All categories")
    active = django_filters.ChoiceFilter(
        method="filter_active",
        label="On sale",
        choices=[("yes", "On sale"), ("no", "Not on sale")],
        empty_label="On sale or not",
    )
    low_stock = django_filters.BooleanFilter(
        method="filter_low_stock", label="Low stock", widget=django_filters.widgets.BooleanWidget
    )
    sort = django_filters.ChoiceFilter(method="keep", label="Sort", choices=SORT_CHOICES, empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].extra["choices"] = category_choices()  # one small query per page

    def search(self, queryset, name, value):
        """Name words as prefixes, through the GIN index idx_products_name (same expression), or the
        SKU's start (as typed or upper-cased) through the unique index idx_products_sku."""
        text = value.strip()
        if not text:
            return queryset
        condition = Q()
        for prefix in {text, text.upper()}:
            condition |= sku_prefix(prefix)
        query = prefix_query(text)
        if query is not None:
            queryset = queryset.annotate(name_vector=product_name_vector())
            condition |= Q(name_vector=query)
        return queryset.filter(condition)

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes") if value else queryset

    def filter_low_stock(self, queryset, name, value):
        return queryset.filter(stock_quantity__lte=F("low_stock_threshold")) if value else queryset

    def keep(self, queryset, name, value):
        return queryset  # the sort is applied by the keyset pager

    @property
    def sort_key(self) -> tuple[str, bool]:
        choice = None
        if self.is_bound:
            self.form.is_valid()
            choice = self.form.cleaned_data.get("sort")
        return SORTS.get(choice or "name", SORTS["name"])
