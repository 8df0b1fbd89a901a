"""The life of an import batch: upload and preview, commit (a Celery job), rollback.

    batch = import_upload(uploaded=request.FILES["file"], store_label="", actor=user)  # READY or REFUSED
    import_commit_start(batch_id=batch.pk, actor=user)      # QUEUED; the worker runs import_commit_run
    (rollback: integrations/imports/rollback.py)

Every order is created by orders.services.intake.order_create (source "csv", external_source from the
batch, external_id the order's reference), so a re-import returns the orders already taken in, which
are counted as duplicates. The preview writes no order and no customer.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, F
from django.utils import timezone

from accounts.audit import record_activity
from accounts.models import User
from accounts.policy import can
from common.errors import DomainError, PermissionDenied, ValidationFailed
from common.uploads import UploadRejected
from orders.services.intake import order_create

from ..models import ImportBatch, ImportOutcome, ImportRow, ImportStatus
from . import selectors
from .columns import FIELDS, map_columns, missing_message
from .parsing import FileInfo, StoredImport, open_sheet, store_upload
from .planning import (
    PREVIEW_ERRORS,
    Plan,
    PlannedOrder,
    RowError,
    TooManyRows,
    check_orders,
    errors_from_intake,
    plan_orders,
)

log = logging.getLogger(__name__)

CHUNK_ORDERS = 500  # orders per transaction at commit
RESUMABLE = (ImportStatus.READY, ImportStatus.FAILED)


def inline_max_bytes() -> int:
    """Files up to this size are checked while the upload request waits; larger ones by the worker."""
    return int(getattr(settings, "IMPORT_INLINE_MAX_BYTES", 2 * 1024 * 1024))


def can_import(user) -> bool:
    return can(user, "orders.create") and can(user, "integrations.create")


def require_importer(actor) -> None:
    if not can_import(actor):
        raise PermissionDenied("You may not import orders.")


# --- Upload and preview -----------------------------------------------------------------------------


def import_upload(*, uploaded, store_label: str, actor: User) -> ImportBatch:
    """Keep the file privately and check it: the batch is READY (with its preview) or REFUSED.

    UploadRejected (a ValidationError with a message for the person) when the file itself is
    refused: too large, empty, not a CSV or XLSX. Large files are checked by the worker (ANALYSING).
    """
    require_importer(actor)
    stored: StoredImport = store_upload(uploaded)
    label = clean_label(store_label)
    inline = stored.size <= inline_max_bytes()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            created_by=actor,
            original_name=(getattr(uploaded, "name", "") or "")[:255],
            stored_file=stored.name,
            file_sha256=stored.sha256,
            file_size=stored.size,
            file_format=stored.info.format,
            encoding=stored.info.encoding,
            delimiter=stored.info.delimiter,
            store_label=label,
            external_source=f"csv:{label}" if label else f"csv:file-{stored.sha256[:16]}",
            status=ImportStatus.ANALYSING,
        )
        record_activity(
            actor=actor,
            action="import_uploaded",
            entity_type="import_batch",
            entity_id=batch.pk,
            extra={"file": batch.original_name, "size": stored.size, "sha256": stored.sha256},
        )
        if not inline:
            from ..import_tasks import import_analyse_task

            transaction.on_commit(lambda: import_analyse_task.delay(str(batch.pk)))
    if inline:
        import_analyse(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def clean_label(text: str | None) -> str:
    """A store label as part of a source key: "Boutique Casa #2" -> "boutique-casa-2"."""
    return re.sub(r"[^a-z0-9._-]+", "-", (text or "").strip().lower()).strip("-")[:100]


def import_analyse(*, batch_id) -> ImportBatch:
    """Read, map and check every row; keep the preview and counts on the batch. Writes no order.

    Safe to run twice: only an ANALYSING batch is analysed.
    """
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportStatus.ANALYSING:
        return batch
    try:
        plan = read_plan(batch)
    except (UploadRejected, TooManyRows) as exc:
        return _refuse(batch, _message(exc))
    except Exception:
        log.exception("import %s: the file could not be read", batch.pk)
        return _refuse(batch, "The file could not be read. Check that it is a valid CSV or XLSX file.")
    if plan is None:
        return batch
    check_orders(plan, known_addresses=selectors.phones_with_address)
    already = selectors.existing_external_ids(batch.external_source, [o.external_id for o in plan.orders])
    _store_preview(batch, plan, already)
    return batch


def read_plan(batch: ImportBatch) -> Plan | None:
    """The batch's file read into orders (form errors only). None if the batch was refused for its columns."""
    info = FileInfo(format=batch.file_format, encoding=batch.encoding, delimiter=batch.delimiter)
    with open_sheet(batch.stored_file, info) as sheet:
        columns = map_columns(sheet.headers)
        if columns.missing:
            batch.columns = columns.as_json()
            _refuse(batch, missing_message(columns))
            return None
        plan = plan_orders(sheet.rows, columns)
    if not plan.orders:
        _refuse(batch, "The file has a header row but no orders under it.")
        return None
    return plan


def _message(exc: Exception) -> str:
    if isinstance(exc, UploadRejected):
        return " ".join(exc.messages)
    return str(exc)


def _refuse(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status, batch.message, batch.finished_at = ImportStatus.REFUSED, message, timezone.now()
    batch.save(update_fields=["status", "message", "finished_at", "columns"])
    return batch


def _store_preview(batch: ImportBatch, plan: Plan, already: set[str]) -> None:
    errors = sorted(plan.errors(), key=lambda e: e.row)
    by_row: dict[int, list[str]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(f"{error.column}: {error.reason}")
    for row in plan.preview:
        row["errors"] = by_row.get(row["row"], [])
    invalid = sum(1 for order in plan.orders if order.errors)
    batch.columns = plan.columns.as_json()
    batch.preview = {
        "fields": [{"field": n, "header": plan.columns.header(n)} for n in FIELDS if n in plan.columns.index],
        "rows": plan.preview,
        "errors": [e.as_json() for e in errors[:PREVIEW_ERRORS]],
        "already_imported": sum(1 for o in plan.orders if o.external_id in already and not o.errors),
        "multi_line_orders": sum(1 for o in plan.orders if len(o.lines) > 1),
    }
    batch.total_rows, batch.total_orders = plan.total_rows, len(plan.orders)
    batch.valid_orders, batch.invalid_orders, batch.error_count = len(plan.orders) - invalid, invalid, len(errors)
    batch.status = ImportStatus.READY
    batch.save(
        update_fields=[
            "columns", "preview", "total_rows", "total_orders", "valid_orders", "invalid_orders", "error_count",
            "status",
        ]
    )  # fmt: skip


# --- Commit -------------------------------------------------------------------------------------------


def import_commit_start(*, batch_id, actor: User) -> ImportBatch:
    """Queue the import of a READY batch (or resume a FAILED one). DomainError if it cannot start."""
    require_importer(actor)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in RESUMABLE:
            raise DomainError(f"This import is {batch.get_status_display().lower()}; it cannot be started now.")
        if not batch.valid_orders:
            raise DomainError("Nothing to import: every order of the file has errors.")
        batch.status, batch.message = ImportStatus.QUEUED, ""
        batch.save(update_fields=["status", "message"])
        record_activity(
            actor=actor, action="import_started", entity_type="import_batch", entity_id=batch.pk,
            extra={"orders": batch.valid_orders, "source": batch.external_source},
        )  # fmt: skip
        from ..import_tasks import import_commit_task

        transaction.on_commit(lambda: import_commit_task.delay(str(batch.pk)))
    return batch


def import_commit_run(*, batch_id) -> ImportBatch | None:
    """The worker's part: create the batch's orders, CHUNK_ORDERS per transaction, then the counts.

    Safe to run twice or after a crash: orders of the batch already recorded are skipped, and
    intake itself never creates an order twice. Any unexpected error stops the batch (FAILED) with
    what was done so far kept; starting it again resumes.
    """
    batch = claim_batch(batch_id, ImportStatus.QUEUED, ImportStatus.RUNNING)
    if batch is None:
        return None
    try:
        plan = read_plan(batch)
        if plan is None:  # the file no longer reads as it did: refused, with the reason
            return ImportBatch.objects.get(pk=batch.pk)
        _create_orders(batch, plan)
    except Exception as exc:
        log.exception("import %s stopped", batch.pk)
        _finish(batch, ImportStatus.FAILED, f"The import stopped: {_message(exc)[:500]}. Start it again to resume.")
        raise
    return _finish(batch, ImportStatus.COMPLETED, "")


def claim_batch(batch_id, from_status: str, to_status: str) -> ImportBatch | None:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status not in (from_status, to_status):
            return None
        batch.status = to_status
        batch.started_at = batch.started_at or timezone.now()
        batch.save(update_fields=["status", "started_at"])
    return batch


def _create_orders(batch: ImportBatch, plan: Plan) -> None:
    done = selectors.batch_external_ids(batch.pk)
    actor = batch.created_by if batch.created_by and batch.created_by.is_active else None
    todo = [order for order in plan.orders if order.external_id not in done]
    ImportBatch.objects.filter(pk=batch.pk).update(processed_orders=len(plan.orders) - len(todo))
    for start in range(0, len(todo), CHUNK_ORDERS):
        chunk = todo[start : start + CHUNK_ORDERS]
        existing = selectors.existing_external_ids(batch.external_source, [o.external_id for o in chunk])
        with transaction.atomic():
            rows = [_create_one(batch, order, existing, actor, plan) for order in chunk]
            ImportRow.objects.bulk_create(rows)
            ImportBatch.objects.filter(pk=batch.pk).update(processed_orders=F("processed_orders") + len(chunk))


def _create_one(batch, order: PlannedOrder, existing: dict, actor, plan: Plan) -> ImportRow:
    row = ImportRow(
        batch=batch, line=order.line, row_numbers=order.rows, reference=order.reference[:150],
        external_id=order.external_id,
    )  # fmt: skip
    if order.errors:
        return _failed(row, order.errors)
    if order.external_id in existing:
        row.outcome, row.order_id = ImportOutcome.DUPLICATE, existing[order.external_id]
        return row
    try:
        with transaction.atomic():
            result = order_create(data=order.order_input(batch.external_source), actor=actor)
    except ValidationFailed as exc:
        return _failed(row, errors_from_intake(order, exc.errors, plan.columns))
    except DomainError as exc:
        return _failed(row, [RowError(order.line, "", exc.message)])
    except DatabaseError:
        log.exception("import %s: order on row %s could not be saved", batch.pk, order.line)
        return _failed(row, [RowError(order.line, "", "This order could not be saved (a value the database refused).")])
    row.outcome = ImportOutcome.CREATED if result.created else ImportOutcome.DUPLICATE
    row.order_id = result.order.pk
    return row


def _failed(row: ImportRow, errors: list[RowError]) -> ImportRow:
    row.outcome, row.errors = ImportOutcome.FAILED, [e.as_json() for e in errors]
    return row


def _finish(batch: ImportBatch, status: str, message: str) -> ImportBatch:
    counts = Counter(dict(ImportRow.objects.filter(batch=batch).values_list("outcome").annotate(n=Count("id"))))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        batch.status, batch.message, batch.finished_at = status, message, timezone.now()
        batch.created_count = counts[ImportOutcome.CREATED]
        batch.duplicate_count = counts[ImportOutcome.DUPLICATE]
        batch.failed_count = counts[ImportOutcome.FAILED]
        batch.processed_orders = sum(counts.values())
        batch.save(
            update_fields=[
                "status", "message", "finished_at", "created_count", "duplicate_count", "failed_count",
                "processed_orders",
            ]
        )  # fmt: skip
        record_activity(
            actor=None,
            action="import_completed" if status == ImportStatus.COMPLETED else "import_failed",
            entity_type="import_batch",
            entity_id=batch.pk,
            extra={"created": batch.created_count, "duplicates": batch.duplicate_count, "failed": batch.failed_count},
        )
    return batch
