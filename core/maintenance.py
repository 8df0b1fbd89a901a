"""Scheduled clean-up from the schema contract's maintenance queries (run nightly by Celery beat).

Each function is safe to run at any time and any number of times: it deletes only what is past
its date, and what it deletes is never needed again. The tables belong to other apps (sessions to
accounts, webhook_logs to integrations); these are the contract's own maintenance statements, kept
here so one place owns "what gets purged and when".
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from importlib import import_module

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

WEBHOOK_LOG_BATCH = 5000


def purge_expired_refresh_sessions() -> int:
    """Delete JWT refresh sessions past their expiry (the schema's statement); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sessions WHERE expires_at < CURRENT_TIMESTAMP")
        deleted = cursor.rowcount
    logger.info("purged %d expired refresh sessions", deleted)
    return deleted


def webhook_log_cutoff(*, retention_days: int | None = None, today=None) -> datetime:
    """Start of the oldest day kept: midnight (business time zone) `retention_days` before today."""
    days = settings.WEBHOOK_LOG_RETENTION_DAYS if retention_days is None else retention_days
    today = today or timezone.localdate()
    return timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))


def purge_old_webhook_logs(*, retention_days: int | None = None, batch_size: int = WEBHOOK_LOG_BATCH) -> int:
    """Delete webhook_logs created before the retention cutoff, oldest first, `batch_size` rows per
    statement (each its own short transaction), so no single DELETE locks or bloats much at once.
    Returns how many rows were deleted."""
    cutoff = webhook_log_cutoff(retention_days=retention_days)
    total = 0
    while True:
        with connection.cursor() as cursor:
            # idx_webhook_logs_created_at serves the inner ORDER BY ... LIMIT.
            cursor.execute(
                "DELETE FROM webhook_logs WHERE id IN ("
                " SELECT id FROM webhook_logs WHERE created_at < %s ORDER BY created_at LIMIT %s)",
                [cutoff, batch_size],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < batch_size:
            break
    logger.info("purged %d webhook logs created before %s", total, cutoff.isoformat())
    return total


def purge_expired_login_sessions() -> None:
    """Django's own expired login sessions (what `manage.py clearsessions` does)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
