"""Webhook services: log every request, accept verified deliveries once, process them in a worker,
sweep what a dead worker or broker left behind, and replay a failed delivery.

States of a log (integrations.models.ProcessingState): received -> processed | failed | ignored |
duplicate; rejected for requests refused at the door. Only `received` rows are processed, under
the row's lock, so a task that runs twice (a retry, the sweep, a replay) does the work once.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.audit import record_activity
from accounts.models import User
from common.errors import DomainError

from ..models import ProcessingState, Webhook, WebhookLog
from .processing import Outcome, process_payload
from .verify import RequestMeta, clean_text

logger = logging.getLogger(__name__)

RAW_CHARS = 10_000  # what a refused or non-JSON body keeps in the log
TRANSIENT_ERRORS = (OperationalError, InterfaceError)  # worth a retry: the database blinked
SWEEP_BATCH = 500


def webhook_for_token(token: str) -> Webhook | None:
    """The configuration answering at /webhooks/in/<token>/, or None."""
    if not token or len(token) > 100:
        return None
    try:
        path = reverse("integrations:inbound", kwargs={"endpoint_token": token})
    except NoReverseMatch:
        return None
    return Webhook.objects.filter(endpoint_url=path).first()


def raw_payload(body: bytes) -> dict[str, str]:
    """A body that is not (or may not be read as) the order: its first characters, as text."""
    return {"_raw": clean_text(body[: RAW_CHARS * 4].decode("utf-8", "replace"), RAW_CHARS)}


def log_refused(*, webhook: Webhook | None, meta: RequestMeta, status: int, error: str, body: bytes) -> WebhookLog:
    """A request refused at the door (unknown or disabled endpoint, method, size, signature, JSON)."""
    return WebhookLog.objects.create(
        webhook=webhook,
        request_payload=raw_payload(body),
        response_status=status,
        error_message=error,
        processing_state=ProcessingState.REJECTED,
        processed_at=timezone.now(),
        **_meta_fields(meta),
    )


def log_ping(*, webhook: Webhook, meta: RequestMeta, body: bytes) -> WebhookLog:
    return WebhookLog.objects.create(
        webhook=webhook,
        request_payload=raw_payload(body),
        response_status=200,
        error_message="WooCommerce ping (sent when the webhook is saved): nothing to process.",
        processing_state=ProcessingState.IGNORED,
        processed_at=timezone.now(),
        **_meta_fields(meta),
    )


def accept(*, webhook: Webhook, meta: RequestMeta, payload: Any) -> tuple[WebhookLog, bool]:
    """Log a verified delivery and enqueue it after commit. Returns (log, duplicate): a delivery id
    seen before (a platform retry, or two copies racing) is logged as a duplicate, never enqueued."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = WebhookLog.objects.create(
                    webhook=webhook,
                    request_payload=payload,
                    response_status=202,
                    processing_state=ProcessingState.RECEIVED,
                    **_meta_fields(meta),
                )
        except IntegrityError:
            original = _first_delivery(webhook, meta.delivery_id)
            if original is None:
                raise
            log = WebhookLog.objects.create(
                webhook=webhook,
                request_payload=payload,
                response_status=200,
                processing_state=ProcessingState.DUPLICATE,
                processed_at=timezone.now(),
                order_created_id=original.order_created_id,
                error_message=f"Delivery {meta.delivery_id} was received before (log {original.pk}).",
                **_meta_fields(meta),
            )
            return log, True
        transaction.on_commit(lambda: enqueue(log.pk))
    return log, False


def enqueue(log_id) -> None:
    """Hand the log to a worker. If the broker is down the log stays `received` for the sweep."""
    from integrations.tasks import process_webhook_log_task

    try:
        process_webhook_log_task.apply_async(
            args=[str(log_id)],
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2},
        )
    except Exception:  # broker unreachable: answering the platform matters more; the sweep re-enqueues
        logger.warning("could not enqueue webhook log %s; the sweep will pick it up", log_id, exc_info=True)


def process_log(*, log_id) -> str | None:
    """Process a `received` log once (any other state: nothing to do). Records the outcome on the
    log. A transient database error counts an attempt and is raised again, for the task to retry."""
    try:
        with transaction.atomic():
            log = WebhookLog.objects.select_for_update(of=("self",)).filter(pk=log_id).first()
            if log is None or log.processing_state != ProcessingState.RECEIVED:
                return log.processing_state if log else None
            outcome = _outcome_for(log)
            _record(log, outcome)
            return outcome.state
    except TRANSIENT_ERRORS as exc:
        _count_failed_attempt(log_id, exc)
        raise


def _outcome_for(log: WebhookLog) -> Outcome:
    webhook = Webhook.objects.filter(pk=log.webhook_id).first() if log.webhook_id else None
    if webhook is None:
        return Outcome(ProcessingState.FAILED, "Its webhook configuration was deleted.")
    if log.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return Outcome(ProcessingState.FAILED, f"Gave up after {log.attempts} attempts: {log.error_message or ''}")
    try:
        with transaction.atomic():
            return process_payload(webhook, log.request_payload, topic=log.topic, headers=log.request_headers)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # a bug, not the payload's fault: record it rather than retry forever
        logger.exception("webhook log %s could not be processed", log.pk)
        return Outcome(ProcessingState.FAILED, f"Unexpected error ({type(exc).__name__}); see the server log.")


def _record(log: WebhookLog, outcome: Outcome) -> None:
    log.processing_state = outcome.state
    log.error_message = outcome.message if outcome.state != ProcessingState.PROCESSED else None
    log.order_created_id = outcome.order_id or log.order_created_id
    log.attempts += 1
    log.processed_at = timezone.now()
    log.save(update_fields=["processing_state", "error_message", "order_created", "attempts", "processed_at"])


def _count_failed_attempt(log_id, exc: Exception) -> None:
    try:
        WebhookLog.objects.filter(pk=log_id, processing_state=ProcessingState.RECEIVED).update(
            attempts=F("attempts") + 1,
            processed_at=timezone.now(),
            error_message=f"Attempt failed ({type(exc).__name__}): {str(exc)[:500]}",
        )
    except TRANSIENT_ERRORS:
        logger.warning("could not count a failed attempt of webhook log %s", log_id)


def sweep_received(*, now=None) -> int:
    """Enqueue accepted logs still `received` after WEBHOOK_SWEEP_AFTER_SECONDS (their task was
    lost: the broker or the worker was down). Safe to run any time: processing is idempotent."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.WEBHOOK_SWEEP_AFTER_SECONDS)
    stale = (
        WebhookLog.objects.filter(
            processing_state=ProcessingState.RECEIVED,
            response_status=202,
            webhook__isnull=False,
            created_at__lt=cutoff,
        )
        .filter(Q(processed_at__isnull=True) | Q(processed_at__lt=cutoff))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    ids = list(stale)
    for log_id in ids:
        enqueue(log_id)
    if ids:
        logger.info("swept %d webhook logs still waiting", len(ids))
    return len(ids)


def replay_log(*, log_id, actor: User | None) -> WebhookLog:
    """Process a failed (or ignored) delivery again with the configuration's current mapping, at
    once. Idempotent through the intake's external reference: an order is never created twice."""
    with transaction.atomic():
        log = WebhookLog.objects.select_for_update(of=("self",)).get(pk=log_id)
        if not log.is_replayable:
            raise DomainError("Only accepted deliveries that failed or were ignored can be replayed.")
        old_state = log.processing_state
        log.processing_state, log.attempts, log.error_message = ProcessingState.RECEIVED, 0, None
        log.save(update_fields=["processing_state", "attempts", "error_message"])
        record_activity(
            actor=actor,
            action="webhook_log_replayed",
            entity_type="webhook_log",
            entity_id=log.pk,
            changes={"processing_state": {"old": old_state, "new": ProcessingState.RECEIVED}},
        )
    try:
        process_log(log_id=log.pk)
    except TRANSIENT_ERRORS:
        enqueue(log.pk)  # left `received`: the worker (or the sweep) finishes it
    log.refresh_from_db()
    return log


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


def _first_delivery(webhook: Webhook, delivery_id: str | None) -> WebhookLog | None:
    if not delivery_id:
        return None
    return (
        WebhookLog.objects.filter(webhook=webhook, delivery_id=delivery_id)
        .exclude(processing_state__in=[ProcessingState.DUPLICATE, ProcessingState.REJECTED])
        .only("id", "order_created_id")
        .first()
    )


def _meta_fields(meta: RequestMeta) -> dict[str, Any]:
    return {"topic": meta.topic, "delivery_id": meta.delivery_id, "request_headers": meta.headers}
