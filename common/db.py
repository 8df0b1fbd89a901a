"""Database helpers shared by the apps' services."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

# Transaction-local settings read by the log_order_status_change() trigger (orders migration 0007).
ACTOR_SETTING = "cod.actor_id"
NOTE_SETTING = "cod.change_note"


@contextlib.contextmanager
def change_context(*, actor: Any | None = None, note: str = "") -> Iterator[None]:
    """Run the block in a transaction that tells the database triggers who acts and why.

    Order status changes made inside the block are recorded in order_history with this actor and
    note. The settings are transaction-local (set_config(..., true)): they vanish at commit or
    rollback, and a rolled-back savepoint restores the previous values, so nothing leaks into
    other work on the same connection. They are cleared on the way out, so later statements of
    an enclosing transaction are not attributed to this actor.
    """
    actor_id = str(actor.pk) if actor is not None else ""
    with transaction.atomic():
        _set(actor_id, note or "")
        yield
        _set("", "")


def _set(actor_id: str, note: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [ACTOR_SETTING, actor_id, NOTE_SETTING, note],
        )
