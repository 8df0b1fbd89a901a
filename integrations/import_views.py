"""Pages of CSV / XLSX imports: the list, the upload, a batch's preview / progress / report, rollback.

Viewing batches needs integrations.view; uploading, importing and rolling back need orders.create
and integrations.create. The status fragment that htmx polls checks access like the page does.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts.decorators import permission_required, polled_fragment_login_required
from common.errors import DomainError
from common.uploads import UploadRejected

from .imports import report, rollback, selectors, services
from .imports.columns import FIELDS, REQUIRED, TEMPLATE_FIELDS
from .imports.parsing import DELIMITER_LABELS, ENCODING_LABELS
from .models import ImportBatch, ImportOutcome, ImportStatus

IMPORTER = ("orders.create", "integrations.create")
ACTIVE = (ImportStatus.ANALYSING, ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.ROLLING_BACK)
SHOWN_ROWS = 200  # failed / kept orders listed on the page; the CSV report has them all


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV or Excel (.xlsx) file")
    store_label = forms.CharField(
        label="Store or source (optional)",
        max_length=100,
        required=False,
        help_text="Name the shop the file comes from (e.g. “youcan-casa”) when you import its exports "
        "regularly: an order reference already imported from it is skipped, even from another file.",
    )


@require_GET
@permission_required("integrations.view")
def import_list(request: HttpRequest) -> HttpResponse:
    batches = selectors.batch_list()[:100]
    return render(
        request,
        "integrations/import_list.html",
        {"batches": batches, "can_import": services.can_import(request.user)},
    )


@require_http_methods(["GET", "POST"])
@permission_required(*IMPORTER)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_upload(
                uploaded=form.cleaned_data["file"], store_label=form.cleaned_data["store_label"], actor=request.user
            )
        except UploadRejected as exc:
            form.add_error("file", exc)
        else:
            return redirect("integrations:import_detail", batch_id=batch.pk)
    context = {
        "form": form,
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
        "columns": [(FIELDS[name][0], name in REQUIRED, FIELDS[name][1][:6]) for name in TEMPLATE_FIELDS],
    }
    return render(request, "integrations/import_upload.html", context, status=400 if form.errors else 200)


def _context(request: HttpRequest, batch: ImportBatch) -> dict:
    rows = selectors.batch_rows(batch)
    can_import = services.can_import(request.user)
    finished = batch.status in (ImportStatus.COMPLETED, ImportStatus.FAILED)
    return {
        "batch": batch,
        "active": batch.status in ACTIVE,
        "can_import": can_import,
        "can_roll_back": can_import and finished and batch.created_count > 0,
        "more_errors": max(0, batch.error_count - len(batch.preview.get("errors", []))),
        "encoding": ENCODING_LABELS.get(batch.encoding, batch.encoding),
        "delimiter": DELIMITER_LABELS.get(batch.delimiter, ""),
        "failed_rows": rows.filter(outcome=ImportOutcome.FAILED)[:SHOWN_ROWS],
        "kept_rows": rows.filter(rollback="kept")[:SHOWN_ROWS],
    }


@require_GET
@permission_required("integrations.view")
def import_detail(request: HttpRequest, batch_id) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "rolled_back_by"), pk=batch_id)
    return render(request, "integrations/import_detail.html", _context(request, batch))


@require_GET
@polled_fragment_login_required
def import_status(request: HttpRequest, batch_id) -> HttpResponse:
    """The batch's state (progress bar while a job runs, then the preview or report): polled by htmx."""
    if not policy.can(request.user, "integrations.view"):
        raise PermissionDenied("You do not have access to this page.")
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "rolled_back_by"), pk=batch_id)
    return render(request, "integrations/partials/_import_status.html", _context(request, batch))


@require_POST
@permission_required(*IMPORTER)
def import_commit(request: HttpRequest, batch_id) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    try:
        services.import_commit_start(batch_id=batch.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The import has started; this page follows its progress.")
    return redirect("integrations:import_detail", batch_id=batch.pk)


@require_POST
@permission_required(*IMPORTER)
def import_rollback(request: HttpRequest, batch_id) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    try:
        rollback.import_rollback_start(batch_id=batch.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Rolling back: orders that have not moved on are being cancelled.")
    return redirect("integrations:import_detail", batch_id=batch.pk)


@require_GET
@permission_required("integrations.view")
def import_report(request: HttpRequest, batch_id) -> HttpResponse:
    return report.report_response(get_object_or_404(ImportBatch, pk=batch_id))


@require_GET
@permission_required("integrations.view")
def import_template_csv(request: HttpRequest) -> HttpResponse:
    return report.template_csv_response()


@require_GET
@permission_required("integrations.view")
def import_template_xlsx(request: HttpRequest) -> HttpResponse:
    return report.template_xlsx_response()
