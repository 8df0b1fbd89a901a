"""Reads for imports: batches, their rows, and what other apps hold that an import must know."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Q, QuerySet

from accounts.models import ActivityLog
from customers.models import Customer
from orders.models import Order

from ..models import ImportBatch, ImportRow

IN_CHUNK = 5000  # values per IN (...) list


def _chunked(values: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def batch_list() -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("created_by").order_by("-created_at")


def batch_rows(batch: ImportBatch) -> QuerySet[ImportRow]:
    """The batch's orders in file order, with their order numbers, for the report."""
    return ImportRow.objects.filter(batch=batch).select_related("order").order_by("line", "id")


def batch_external_ids(batch_id) -> set[str]:
    return set(ImportRow.objects.filter(batch_id=batch_id).values_list("external_id", flat=True))


def existing_external_ids(external_source: str, external_ids: Iterable[str]) -> dict[str, object]:
    """external_id -> order id of the orders already taken in from this source."""
    found: dict[str, object] = {}
    for chunk in _chunked(list(external_ids)):
        found.update(
            Order.objects.filter(external_source=external_source, external_id__in=chunk).values_list(
                "external_id", "id"
            )
        )
    return found


def phones_with_address(phones: Iterable[str]) -> set[str]:
    """The (normalised) phones of existing customers with an address on file."""
    found: set[str] = set()
    for chunk in _chunked(list(phones)):
        found.update(
            Customer.objects.filter(phone__in=chunk)
            .exclude(address__isnull=True)
            .exclude(address="")
            .values_list("phone", flat=True)
        )
    return found


def touched_order_ids(order_ids: Iterable) -> set:
    """Orders someone worked on since intake: any activity but their creation and the automatic
    round-robin assignment (calls, edits, notes, moves, a hand assignment all leave a row)."""
    ids = [order_id for order_id in order_ids if order_id]
    if not ids:
        return set()
    return set(
        ActivityLog.objects.filter(entity_type="order", entity_id__in=ids)
        .exclude(action="order_created")
        .exclude(Q(action="order_assigned") & Q(user__isnull=True))
        .values_list("entity_id", flat=True)
    )
