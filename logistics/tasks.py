"""Thin Celery tasks of logistics: load by id, call a service, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from . import selectors
from .services.dispatch import auto_assign

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def auto_dispatch_task(order_id: str) -> str:
    """Give an order that became ready for pickup to an agent of its area (settings.AUTO_DISPATCH).

    Does nothing when the order already has an agent or is no longer ready for pickup, so a
    duplicate or late message is harmless. The assignment itself is recorded by order_assign
    (activity log, the agent's notification); an order nobody can take stays on the dispatch page.
    """
    if not selectors.awaits_dispatch(order_id):
        return "skipped"
    results = auto_assign(order_ids=[order_id], actor=None)
    for result in results:
        if result.ok:
            return f"assigned to {result.agent_id}"
        logger.warning("Automatic dispatch left %s unassigned: %s", result.order_number, result.error)
    return "unassigned"
