from celery import shared_task
from celery.signals import worker_ready

from . import maintenance
from .health import record_worker_heartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat every few seconds; /healthz reads the time it leaves in Redis."""
    record_worker_heartbeat()


@worker_ready.connect
def _heartbeat_on_start(sender=None, **kwargs) -> None:
    record_worker_heartbeat(getattr(sender, "hostname", None))


# --- Nightly maintenance (scheduled in settings.CELERY_BEAT_SCHEDULE) -----------------------------
# Each deletes only what is past its date, so running twice, late or concurrently is harmless.


@shared_task(ignore_result=True, acks_late=True)
def purge_expired_refresh_sessions() -> int:
    return maintenance.purge_expired_refresh_sessions()


@shared_task(ignore_result=True, acks_late=True)
def purge_expired_login_sessions() -> None:
    maintenance.purge_expired_login_sessions()


@shared_task(ignore_result=True, acks_late=True)
def purge_old_webhook_logs() -> int:
    return maintenance.purge_old_webhook_logs()
