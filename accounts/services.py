"""Writes owned by accounts: in-app notifications (for now)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Notification, NotificationType, User


def notify(
    *,
    users: Iterable[User],
    type: str = NotificationType.SYSTEM,
    title: str,
    message: str = "",
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Create one in-app notification per user (deduplicated), in one INSERT."""
    unique = {user.pk: user for user in users if user is not None}
    rows = [
        Notification(user=user, type=type, title=title[:255], message=message, data=data or {})
        for user in unique.values()
    ]
    return Notification.objects.bulk_create(rows)
