"""Reads about users that other apps need (who to notify, who can take work)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Notification, Role, User


def active_users_with_roles(roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=list(roles))


def managers() -> QuerySet[User]:
    return active_users_with_roles([Role.MANAGER, Role.ADMIN])


# --- Notifications ------------------------------------------------------------------------------

# The badge shows at most this many ("99+"): counting stops there, so a user with a huge backlog
# costs the same as one with a few.
UNREAD_BADGE_CAP = 99


def unread_notification_count(user: User, *, cap: int = UNREAD_BADGE_CAP) -> int:
    """The schema's query 10 (served by idx_notifications_user_unread), counting up to cap + 1 rows."""
    return Notification.objects.filter(user=user, is_read=False).order_by()[: cap + 1].count()


def notifications_of(user: User) -> QuerySet[Notification]:
    """A user's own notifications, newest first (only ever their own rows)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_link(data: Any) -> str | None:
    """The notification's data.link when it is a path on this site ("/orders/..."), else None.
    Anything else ("https://...", "//host", "/\\host", "javascript:...") is not rendered as a link."""
    link = data.get("link") if isinstance(data, dict) else None
    if not isinstance(link, str) or not link.startswith("/"):
        return None
    return link if url_has_allowed_host_and_scheme(link, allowed_hosts=set()) else None
