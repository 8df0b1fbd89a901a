"""Reads about users that other apps need (who to notify, who can take work)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Role, User


def active_users_with_roles(roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=list(roles))


def managers() -> QuerySet[User]:
    return active_users_with_roles([Role.MANAGER, Role.ADMIN])
