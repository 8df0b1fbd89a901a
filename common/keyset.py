"""Keyset ("seek") pagination: pages of a list ordered by one sort column and the id.

A page asks for the rows after (or before) a cursor, the sort value and id of the last (first) row
already shown, instead of an OFFSET. Page 2,000 costs what page 1 costs, and nothing counts the
whole table: the pager says "Previous" / "Next", never "page 3 of 2,000".

    page = keyset_page(qs, key="total_spent", descending=True, after=request.GET.get("after"),
                       before=request.GET.get("before"), per_page=50)

The sort column must be NOT NULL. The cursor condition is written `key <= v AND (key < v OR id < x)`
(for a descending list) so that the index on `key` bounds the scan instead of filtering from the top.
A cursor that does not decode (edited by hand, or from another sort) restarts at the first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(
    queryset: QuerySet,
    *,
    key: str,
    descending: bool,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 50,
) -> KeysetPage:
    field = queryset.model._meta.get_field(key)
    after_key = decode_cursor(after, field) if after else None
    before_key = decode_cursor(before, field) if before and not after_key else None
    forward = ("-" if descending else "") + key, ("-" if descending else "") + "pk"
    backward = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in forward)

    if before_key is not None:
        # Rows that come before the cursor in display order, read in reverse, then turned around.
        rows = list(queryset.filter(_beyond(key, before_key, not descending)).order_by(*backward)[: per_page + 1])
        has_previous = len(rows) > per_page
        rows = rows[:per_page][::-1]
        if not rows:  # nothing before it any more: show the first page
            return keyset_page(queryset, key=key, descending=descending, per_page=per_page)
        return KeysetPage(
            rows=rows,
            next_cursor=encode_cursor(rows[-1], key),
            previous_cursor=encode_cursor(rows[0], key) if has_previous else None,
        )

    if after_key is not None:
        queryset = queryset.filter(_beyond(key, after_key, descending))
    rows = list(queryset.order_by(*forward)[: per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(rows[-1], key) if has_next else None,
        previous_cursor=encode_cursor(rows[0], key) if after_key is not None and rows else None,
    )


def _beyond(key: str, cursor: tuple[Any, Any], descending: bool) -> Q:
    """Rows after (value, id) in the order `key, id`, both descending or both ascending."""
    value, pk = cursor
    op = "lt" if descending else "gt"
    bound = "lte" if descending else "gte"
    return Q(**{f"{key}__{bound}": value}) & (Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"pk__{op}": pk}))


def encode_cursor(row, key: str) -> str:
    value = getattr(row, key)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    raw = json.dumps([text, str(row.pk)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, field) -> tuple[Any, Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value = field.to_python(text)
        pk = field.model._meta.pk.to_python(pk)
    except (ValueError, TypeError, ValidationError, binascii.Error, UnicodeDecodeError):
        return None
    if value is None or pk is None:
        return None
    return value, pk


def query_without_cursor(request) -> str:
    """The list's query string without the cursor, for the pager's links."""
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    return query.urlencode()
