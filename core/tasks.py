from celery import shared_task
from celery.signals import worker_ready

from .health import record_worker_heartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat every few seconds; /healthz reads the time it leaves in Redis."""
    record_worker_heartbeat()


@worker_ready.connect
def _heartbeat_on_start(sender=None, **kwargs) -> None:
    record_worker_heartbeat(getattr(sender, "hostname", None))
