"""Celery tasks of inbound webhooks: thin wrappers over integrations.webhooks.ingest.

Both are safe to run twice or late: a log is processed only while `received`, under its row lock.
Outcomes are recorded on the webhook_logs row, not in a result backend.
"""

from celery import shared_task

from .webhooks import ingest

# Backoff of transient failures (the database blinked): 5 s, 10 s, 20 s ... capped at 10 minutes.
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 600


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=6)
def process_webhook_log_task(self, log_id: str) -> str | None:
    """Map an accepted delivery and create (or cancel) its order; see ingest.process_log."""
    try:
        return ingest.process_log(log_id=log_id)
    except ingest.TRANSIENT_ERRORS as exc:
        countdown = min(RETRY_BASE_SECONDS * 2**self.request.retries, RETRY_MAX_SECONDS)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True, ignore_result=True)
def sweep_received_webhook_logs_task() -> int:
    """Every minute (beat): enqueue accepted deliveries still waiting (their task was lost)."""
    return ingest.sweep_received()
