"""Rolling an import back: cancel, through the status machine, the orders it created that have not moved on.

    import_rollback_start(batch_id=batch.pk, actor=user)    # ROLLING_BACK; the worker runs import_rollback_run

Cancel rather than delete: the history, the activity log and the notifications already sent stay
true, and `orders.status` keeps its one writer (docs/import.md, "Rollback").
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import record_activity
from accounts.models import User
from common.errors import DomainError
from orders.models import OrderStatus
from orders.selectors import order_qs_for_update
from orders.services.transitions import order_transition

from ..models import ImportBatch, ImportOutcome, ImportRow, ImportStatus, RollbackOutcome
from . import selectors
from .services import claim_batch, require_importer

ROLLBACK_REASON = "Import rolled back"


def import_rollback_start(*, batch_id, actor: User) -> ImportBatch:
    """Queue the rollback of a batch's orders. DomainError if the batch created none or is busy."""
    require_importer(actor)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (ImportStatus.COMPLETED, ImportStatus.FAILED) or not batch.created_count:
            raise DomainError("Only a finished import that created orders can be rolled back.")
        batch.status, batch.rolled_back_by, batch.rolled_back_at = ImportStatus.ROLLING_BACK, actor, timezone.now()
        batch.cancelled_count = batch.kept_count = 0
        batch.save(update_fields=["status", "rolled_back_by", "rolled_back_at", "cancelled_count", "kept_count"])
        record_activity(
            actor=actor, action="import_rollback_started", entity_type="import_batch", entity_id=batch.pk,
            extra={"orders": batch.created_count},
        )  # fmt: skip
        from ..import_tasks import import_rollback_task

        transaction.on_commit(lambda: import_rollback_task.delay(str(batch.pk)))
    return batch


def import_rollback_run(*, batch_id) -> ImportBatch | None:
    """Cancel, through the status machine, each order the batch created that has not moved on.

    An order has moved on when it is no longer `new` or when staff touched it (a call, an edit, a
    note, an assignment by hand): it is kept and the report says why. Safe to run twice: rows
    already decided are skipped.
    """
    batch = claim_batch(batch_id, ImportStatus.ROLLING_BACK, ImportStatus.ROLLING_BACK)
    if batch is None:
        return None
    actor = batch.rolled_back_by
    pending = ImportRow.objects.filter(batch=batch, outcome=ImportOutcome.CREATED, rollback__isnull=True)
    for chunk in _chunks(pending.order_by("id").values_list("id", flat=True), 200):
        rows = list(ImportRow.objects.filter(pk__in=chunk).order_by("id"))
        for row in rows:
            _roll_back_one(row, actor)
        cancelled = sum(1 for row in rows if row.rollback == RollbackOutcome.CANCELLED)
        ImportBatch.objects.filter(pk=batch.pk).update(
            cancelled_count=F("cancelled_count") + cancelled, kept_count=F("kept_count") + len(rows) - cancelled
        )
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        decided = ImportRow.objects.filter(batch=batch, outcome=ImportOutcome.CREATED)
        batch.cancelled_count = decided.filter(rollback=RollbackOutcome.CANCELLED).count()
        batch.kept_count = decided.filter(rollback=RollbackOutcome.KEPT).count()
        batch.status, batch.finished_at = ImportStatus.ROLLED_BACK, timezone.now()
        batch.save(update_fields=["status", "finished_at", "cancelled_count", "kept_count"])
        record_activity(
            actor=actor, action="import_rolled_back", entity_type="import_batch", entity_id=batch.pk,
            extra={"cancelled": batch.cancelled_count, "kept": batch.kept_count},
        )  # fmt: skip
    return batch


def _roll_back_one(row: ImportRow, actor) -> None:
    with transaction.atomic():
        order = order_qs_for_update().filter(pk=row.order_id).first() if row.order_id else None
        if order is None:
            row.rollback, row.rollback_note = RollbackOutcome.KEPT, "The order no longer exists."
        elif order.status != OrderStatus.NEW:
            label = OrderStatus(order.status).label.lower()
            row.rollback, row.rollback_note = RollbackOutcome.KEPT, f"{order.order_number} is {label}: kept."
        elif selectors.touched_order_ids([order.pk]):  # read under the order's row lock
            row.rollback = RollbackOutcome.KEPT
            row.rollback_note = f"{order.order_number} was worked on since the import (call, edit, note): kept."
        else:
            try:
                order_transition(
                    order_id=order.pk, to_status=OrderStatus.CANCELLED, actor=actor, reason=ROLLBACK_REASON
                )
            except DomainError as exc:
                row.rollback, row.rollback_note = RollbackOutcome.KEPT, f"{order.order_number}: {exc.message}"
            else:
                row.rollback, row.rollback_note = RollbackOutcome.CANCELLED, f"{order.order_number} cancelled."
        row.save(update_fields=["rollback", "rollback_note"])


def _chunks(ids, size: int) -> Iterator[list]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
