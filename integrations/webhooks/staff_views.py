"""Staff pages for inbound webhooks: configurations, their logs, replay and the mapping preview.

integrations.view lists, shows logs and previews mappings (writes nothing); integrations.edit
creates, edits, regenerates keys, (de)activates and replays. Keys are shown in full only in the
answer to the request that set them (never cached), masked everywhere else.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts.decorators import permission_required
from common.crypto import mask_secret
from common.errors import DomainError, ValidationFailed
from common.keyset import keyset_page, query_without_cursor

from .. import services
from ..models import ProcessingState, Webhook, WebhookLog
from . import ingest, processing, selectors
from .forms import PreviewForm, WebhookForm
from .mapping import effective_mapping, validate_mapping

LOGS_PER_PAGE = 50


@permission_required("integrations.view")
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    context = {"webhooks": list(selectors.webhook_rows()), "unknown": selectors.unknown_endpoint_logs()}
    return render(request, "integrations/webhook_list.html", context)


@permission_required("integrations.edit")
@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            webhook, keys = services.webhook_create(**form.cleaned_data, actor=request.user)
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            return _show_keys_once(request, webhook, keys, created=True)
    return render(request, "integrations/webhook_form.html", {"form": form})


@permission_required("integrations.view")
@require_GET
def webhook_detail(request: HttpRequest, webhook_id) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    state = request.GET.get("state") if request.GET.get("state") in ProcessingState.values else None
    page = keyset_page(
        selectors.webhook_logs(webhook=webhook, state=state),
        key="created_at",
        descending=True,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        per_page=LOGS_PER_PAGE,
    )
    context = {
        "webhook": webhook,
        "page": page,
        "state": state,
        "states": ProcessingState.choices,
        "pager_query": query_without_cursor(request),
        "endpoint": request.build_absolute_uri(webhook.endpoint_url),
        "secret_masked": mask_secret(webhook.secret_key),
        "api_key_masked": mask_secret(webhook.api_key),
        "mapping": ingest.pretty_json(effective_mapping(webhook.source, webhook.field_mapping)),
        "custom_mapping": bool(webhook.field_mapping),
        "can_edit": policy.can(request.user, "integrations.edit"),
    }
    if request.htmx and request.htmx.target == "log-results":
        return render(request, "integrations/partials/_log_results.html", context)
    return render(request, "integrations/webhook_detail.html", context)


@permission_required("integrations.edit")
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, webhook_id) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    initial = {name: getattr(webhook, name) for name in ("name", "source", "field_mapping", "is_active")}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(webhook_id=webhook.pk, **form.cleaned_data, actor=request.user)
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Configuration saved.")
            return redirect("integrations:webhook_detail", webhook_id=webhook.pk)
    return render(request, "integrations/webhook_form.html", {"form": form, "webhook": webhook})


@permission_required("integrations.edit")
@require_POST
def webhook_regenerate(request: HttpRequest, webhook_id) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    webhook, keys = services.webhook_regenerate_keys(webhook_id=webhook.pk, actor=request.user)
    return _show_keys_once(request, webhook, keys, created=False)


@permission_required("integrations.view")
@require_http_methods(["GET", "POST"])
def mapping_preview(request: HttpRequest, webhook_id) -> HttpResponse:
    """Paste a payload, see the order it would make (or why not). Reads only: no order, no customer."""
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    form = PreviewForm(request.POST or None, initial=_preview_initial(request, webhook))
    result = None
    if request.method == "POST" and form.is_valid():
        for target, errors in validate_mapping(form.cleaned_data["field_mapping"]).items():
            form.add_error("field_mapping", f"{target}: {' '.join(errors)}")
    if request.method == "POST" and form.is_valid():
        store = (form.cleaned_data["store"] or "").strip()
        headers = {"X-Shopify-Shop-Domain": store, "X-WC-Webhook-Source": store} if store else {}
        mapping = form.cleaned_data["field_mapping"]
        result = processing.preview(
            webhook,
            form.cleaned_data["payload"],
            topic=form.cleaned_data["topic"] or None,
            headers=headers,
            field_mapping=webhook.field_mapping if mapping is None else mapping,
        )
    context = {"webhook": webhook, "form": form, "result": result}
    if request.htmx and request.method == "POST":
        return render(request, "integrations/partials/_preview_result.html", context)
    return render(request, "integrations/mapping_preview.html", context)


@permission_required("integrations.view")
@require_GET
def log_detail(request: HttpRequest, log_id) -> HttpResponse:
    try:
        log = selectors.log_for_page(log_id)
    except WebhookLog.DoesNotExist as exc:
        raise Http404("No such log.") from exc
    context = {
        "log": log,
        "payload": ingest.pretty_json(log.request_payload),
        "headers": sorted((log.request_headers or {}).items()),
        "can_replay": log.is_replayable and policy.can(request.user, "integrations.edit"),
        "can_view_order": log.order_created_id is not None and policy.can(request.user, "orders.view"),
    }
    return render(request, "integrations/log_detail.html", context)


@permission_required("integrations.edit")
@require_POST
def log_replay(request: HttpRequest, log_id) -> HttpResponse:
    log = get_object_or_404(WebhookLog, pk=log_id)
    try:
        log = ingest.replay_log(log_id=log.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        text = {
            ProcessingState.PROCESSED: "Replayed: processed.",
            ProcessingState.DUPLICATE: "Replayed: the order was already taken in.",
            ProcessingState.RECEIVED: "Replay queued: a worker will finish it.",
        }.get(log.processing_state, f"Replayed: {log.get_processing_state_display().lower()}.")
        (messages.success if log.processing_state != ProcessingState.FAILED else messages.error)(request, text)
    return redirect("integrations:log_detail", log_id=log.pk)


def _show_keys_once(request: HttpRequest, webhook: Webhook, keys: services.Secrets, *, created: bool) -> HttpResponse:
    context = {
        "webhook": webhook,
        "keys": keys,
        "created": created,
        "endpoint": request.build_absolute_uri(webhook.endpoint_url),
    }
    response = render(request, "integrations/webhook_keys.html", context)
    response["Cache-Control"] = "no-store"  # the keys must not be kept by the browser or a proxy
    return response


def _preview_initial(request: HttpRequest, webhook: Webhook) -> dict:
    """Prefilled from a log (?log=<id>) of this configuration: its payload, topic and store."""
    log_id = request.GET.get("log")
    if not log_id:
        return {}
    log = WebhookLog.objects.filter(pk=log_id, webhook=webhook).only(
        "request_payload", "topic", "request_headers"
    ).first() if _is_uuid(log_id) else None  # fmt: skip
    if log is None or not isinstance(log.request_payload, dict):
        return {}
    headers = log.request_headers or {}
    store = headers.get("X-Shopify-Shop-Domain") or headers.get("X-WC-Webhook-Source") or ""
    return {"payload": ingest.pretty_json(log.request_payload), "topic": log.topic or "", "store": store}


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _add_errors(form, exc: ValidationFailed) -> None:
    for key, errors in exc.errors.items():
        field = key if key in form.fields else None
        for error in errors:
            form.add_error(field, error)
