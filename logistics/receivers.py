"""Reactions of logistics to other apps' events (connected in LogisticsConfig.ready)."""

from __future__ import annotations

import logging

from django.conf import settings

from orders.models import OrderStatus

logger = logging.getLogger(__name__)


def dispatch_order_when_ready(sender, *, order_id, new_status, **kwargs) -> None:
    """orders.signals.order_status_changed (sent after commit): with settings.AUTO_DISPATCH on, an
    order that became ready for pickup is queued for automatic dispatch. The task itself skips
    orders that already have an agent (e.g. a failed attempt back on the shelf)."""
    if not settings.AUTO_DISPATCH or new_status != OrderStatus.READY_FOR_PICKUP:
        return
    from .tasks import auto_dispatch_task

    try:
        auto_dispatch_task.delay(str(order_id))
    except Exception:
        # The status change is committed: a broker outage must not turn it into an error page.
        # The order stays on the dispatch page, where a dispatcher (or "Auto-assign") picks it up.
        logger.exception("Could not queue automatic dispatch of order %s", order_id)
