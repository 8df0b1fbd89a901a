"""Celery tasks of CSV / XLSX imports: thin wrappers around integrations.imports.services.

Each loads the batch by id and is safe to run twice (the services guard on the batch's status and
skip orders already recorded), so `acks_late` redelivery after a worker died does no harm. Outcomes
are recorded on the batch and its rows, not in a result backend. Registered with the worker through
CELERY_IMPORTS (config/settings/base.py).
"""

from celery import shared_task

from .imports import rollback, services


@shared_task(ignore_result=True, acks_late=True)
def import_analyse_task(batch_id: str) -> None:
    services.import_analyse(batch_id=batch_id)


@shared_task(ignore_result=True, acks_late=True)
def import_commit_task(batch_id: str) -> None:
    services.import_commit_run(batch_id=batch_id)


@shared_task(ignore_result=True, acks_late=True)
def import_rollback_task(batch_id: str) -> None:
    rollback.import_rollback_run(batch_id=batch_id)
