"""Reads for the webhook pages: configurations with their recent activity, and their logs."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import ProcessingState, Webhook, WebhookLog

LOG_COLUMNS = (
    "id", "created_at", "webhook_id", "response_status", "processing_state", "topic", "delivery_id",
    "error_message", "attempts", "order_created__id", "order_created__order_number",
)  # fmt: skip


def webhook_rows() -> QuerySet[Webhook]:
    """Every configuration with its last request and its last 24 hours' failures (index-served
    subqueries on (webhook_id, created_at DESC): cheap however many logs there are)."""
    since = timezone.now() - timedelta(hours=24)
    recent = WebhookLog.objects.filter(webhook=OuterRef("pk"), created_at__gte=since)
    failures = (
        recent.filter(processing_state=ProcessingState.FAILED)
        .order_by()
        .values("webhook")
        .annotate(n=Count("pk"))
        .values("n")
    )
    received = recent.order_by().values("webhook").annotate(n=Count("pk")).values("n")
    last = WebhookLog.objects.filter(webhook=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return (
        Webhook.objects.order_by("name")
        .defer("api_key", "secret_key", "field_mapping")
        .annotate(
            last_request_at=Subquery(last),
            failed_24h=Coalesce(Subquery(failures, output_field=IntegerField()), 0),
            requests_24h=Coalesce(Subquery(received, output_field=IntegerField()), 0),
        )
    )


def unknown_endpoint_logs(limit: int = 20) -> list[WebhookLog]:
    """Requests to endpoints that do not exist (probes, a store still using an old URL)."""
    logs = list(
        WebhookLog.objects.filter(webhook__isnull=True)
        .only("id", "created_at", "response_status", "error_message", "request_headers")
        .order_by("-created_at")[:limit]
    )
    for log in logs:
        headers = log.request_headers or {}
        log.path = headers.get("Path", "")
        log.sender = (
            headers.get("X-Shopify-Shop-Domain") or headers.get("X-WC-Webhook-Source") or headers.get("User-Agent", "")
        )
    return logs


def webhook_logs(*, webhook: Webhook, state: str | None) -> QuerySet[WebhookLog]:
    logs = WebhookLog.objects.filter(webhook=webhook).select_related("order_created").only(*LOG_COLUMNS)
    return logs.filter(processing_state=state) if state else logs


def log_for_page(log_id) -> WebhookLog:
    return WebhookLog.objects.select_related("webhook", "order_created").get(pk=log_id)
