"""Writes owned by accounts: notifications and user management."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from common.errors import ValidationFailed

from .audit import changes_between, record_activity
from .models import Availability, Notification, NotificationType, RefreshSession, User
from .permissions import clean_overrides


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


# --- User management (admins) -------------------------------------------------------------------


def user_create(*, actor: User, email: str, full_name: str, role: str, phone: str | None = None) -> User:
    """Create a staff account without a usable password; the caller hands out an invite link
    (invite_link_for) so the person sets their own password."""

    email = (email or "").strip().lower()
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise ValidationFailed.single("email", "A user with this email already exists.")
        user = User(email=email, full_name=full_name.strip(), role=role, phone=(phone or "").strip() or None)
        user.set_unusable_password()
        user.save()
        record_activity(
            actor=actor,
            action="user_created",
            entity_type="user",
            entity_id=user.pk,
            changes={"role": {"old": None, "new": role}, "email": {"old": None, "new": email}},
        )
    return user


def user_update(*, actor: User, user_id, full_name: str, role: str, phone: str | None) -> User:

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.pk == actor.pk and role != user.role:
            raise ValidationFailed.single("role", "You cannot change your own role.")
        before = {"full_name": user.full_name, "role": user.role, "phone": user.phone}
        user.full_name, user.role, user.phone = full_name.strip(), role, (phone or "").strip() or None
        user.save(update_fields=["full_name", "role", "phone"])
        changes = changes_between(before, {"full_name": user.full_name, "role": user.role, "phone": user.phone})
        if changes:
            record_activity(actor=actor, action="user_updated", entity_type="user", entity_id=user.pk, changes=changes)
    return user


def user_set_permissions(*, actor: User, user_id, wanted: dict[str, dict[str, bool]]) -> User:
    """Store the per-user overrides: only what differs from the role's defaults."""

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        old = user.permissions
        user.permissions = clean_overrides(role=user.role, wanted=wanted)
        user.save(update_fields=["permissions"])
        if old != user.permissions:
            record_activity(
                actor=actor,
                action="user_permissions_changed",
                entity_type="user",
                entity_id=user.pk,
                changes={"permissions": {"old": old, "new": user.permissions}},
            )
    return user


def user_set_active(*, actor: User, user_id, active: bool) -> User:
    """Deactivating ends the person's web sessions and API tokens at once (security stamp)."""

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.pk == actor.pk and not active:
            raise ValidationFailed.single("is_active", "You cannot deactivate your own account.")
        if user.is_active == active:
            return user
        user.is_active = active
        if not active:
            user.availability_status = "offline"
        user.save(update_fields=["is_active", "availability_status"])
        if not active:
            end_all_sessions(user=user, actor=actor, reason="deactivated")
        record_activity(
            actor=actor,
            action="user_reactivated" if active else "user_deactivated",
            entity_type="user",
            entity_id=user.pk,
            changes={"is_active": {"old": not active, "new": active}},
        )
    return user


def user_set_availability(*, actor: User, user_id, availability: str) -> User:

    if availability not in Availability.values:
        raise ValidationFailed.single("availability_status", "Choose available, busy or offline.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        old = user.availability_status
        user.availability_status = availability
        user.save(update_fields=["availability_status"])
        if old != availability:
            record_activity(
                actor=actor,
                action="availability_changed",
                entity_type="user",
                entity_id=user.pk,
                changes={"availability_status": {"old": old, "new": availability}},
            )
    return user


def user_reset_password(*, actor: User, user_id) -> User:
    """Make the current password unusable and end sessions; the caller hands out a new link."""

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        end_all_sessions(user=user, actor=actor, reason="password reset")
        record_activity(actor=actor, action="user_password_reset", entity_type="user", entity_id=user.pk)
    return user


def invite_link_for(user: User, request) -> str:
    """A one-time link to set a password (Django's reset token: invalid once the password changes)."""

    path = reverse(
        "accounts:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


def end_all_sessions(*, user: User, actor: User | None, reason: str = "") -> None:
    """End every web session and API refresh token of `user`, wherever they are.

    Rotates users.security_stamp, which is part of each session's auth hash
    (User.get_session_auth_hash): every session opened before fails the check at its next request.
    JWT refresh tokens are deleted; API access tokens must carry the stamp and be refused when it
    differs. To keep the caller's own session, call update_session_auth_hash(request, user) after.
    """
    with transaction.atomic():
        user.security_stamp = uuid.uuid4()
        User.objects.filter(pk=user.pk).update(security_stamp=user.security_stamp)
        RefreshSession.objects.filter(user=user).delete()
        record_activity(
            actor=actor,
            action="sessions_ended",
            entity_type="user",
            entity_id=user.pk,
            extra={"reason": reason} if reason else None,
        )


# --- Notifications: read state -------------------------------------------------------------------
# Reading one's own notifications is not audited: it changes nothing but the reader's own inbox.


def notification_mark_read(*, user: User, notification_id) -> Notification:
    """Mark one of the user's own notifications read (idempotent). Raises Notification.DoesNotExist
    when the id is not one of theirs, whether or not it exists: callers answer 404."""
    notification = Notification.objects.get(pk=notification_id, user=user)
    if not notification.is_read:
        Notification.objects.filter(pk=notification.pk, user=user).update(is_read=True)
        notification.is_read = True
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark all of the user's unread notifications read; returns how many were unread."""
    return Notification.objects.filter(user=user, is_read=False).update(is_read=True)
