"""The customer list's search, filters and sort (django-filter)."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q

from .domain import HIGH, LOW, MEDIUM
from .phones import phone_search_forms
from .selectors import filter_risk_band

TAG_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
tag_id_validator = RegexValidator(
    TAG_ID_PATTERN, "A tag id is 1 to 40 lower-case letters, digits, '-' or '_' (for example: vip)."
)
# Search text that is a phone number, whole or partial: digits and the usual separators.
PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{3,}$")

# sort choice -> (column, descending). Each column is NOT NULL and indexed (return_rate excepted).
SORTS = {
    "newest": ("created_at", True),
    "total_spent": ("total_spent", True),
    "total_orders": ("total_orders", True),
    "return_rate": ("return_rate", True),
}
SORT_CHOICES = [
    ("newest", "Newest"),
    ("total_spent", "Top spenders"),
    ("total_orders", "Most orders"),
    ("return_rate", "Highest return rate"),
]


class LowerCaseCharField(forms.CharField):
    def to_python(self, value):
        return super().to_python(value).lower()


class TagFilter(django_filters.CharFilter):
    field_class = LowerCaseCharField


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    area = django_filters.CharFilter(field_name="area", label="Area", max_length=100)
    city = django_filters.CharFilter(field_name="city", label="City", max_length=100)
    tag = TagFilter(method="filter_tag", label="Tag", max_length=40, validators=[tag_id_validator])
    risk = django_filters.ChoiceFilter(
        method="filter_risk",
        label="Risk",
        choices=[(LOW, "Low"), (MEDIUM, "Medium"), (HIGH, "High")],
        empty_label="Any risk",
    )
    blacklisted = django_filters.ChoiceFilter(
        method="filter_blacklisted",
        label="Blacklist",
        choices=[("yes", "Blacklisted"), ("no", "Not blacklisted")],
        empty_label="Anyone",
    )
    sort = django_filters.ChoiceFilter(method="keep", label="Sort", choices=SORT_CHOICES, empty_label=None)

    def __init__(self, *args, area_rates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_rates = area_rates or {}

    def search(self, queryset, name, value):
        """Name (contains, any case) or phone in any format: E.164 exact, else the digits contained."""
        text = value.strip()
        if not text:
            return queryset
        if PHONE_LIKE.match(text):
            # A number, whole or partial: phones only (a whole one is one lookup in idx_customers_phone).
            forms = phone_search_forms(text)
            if not forms:
                return queryset.none()
            condition = Q()
            for form in forms:
                condition |= Q(phone=form) if form.startswith("+") else Q(phone__contains=form)
            return queryset.filter(condition)
        condition = Q(full_name__icontains=text)
        if "@" in text:
            condition |= Q(email__iexact=text)
        return queryset.filter(condition)

    def filter_tag(self, queryset, name, value):
        # tags @> '[{"id": "vip"}]': answered by the GIN index idx_customers_tags.
        return queryset.filter(tags__contains=[{"id": value}]) if value else queryset

    def filter_risk(self, queryset, name, value):
        return filter_risk_band(queryset, value, self.area_rates) if value else queryset

    def filter_blacklisted(self, queryset, name, value):
        return queryset.filter(is_blacklisted=value == "yes") if value else queryset

    def keep(self, queryset, name, value):
        return queryset  # the sort is applied by the keyset pager

    @property
    def sort_key(self) -> tuple[str, bool]:
        """(column, descending) of the chosen sort; an invalid choice falls back to the newest first."""
        choice = None
        if self.is_bound:
            self.form.is_valid()  # cleans every field; cleaned_data keeps the valid ones
            choice = self.form.cleaned_data.get("sort")
        return SORTS.get(choice or "newest", SORTS["newest"])
