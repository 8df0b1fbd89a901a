"""API tokens: short-lived JWT access tokens and rotating refresh tokens kept in `sessions`.

One row of the schema's `sessions` table (RefreshSession) is one API login. Its `refresh_token`
column holds a **digest** of the current refresh token, never the token: HMAC-SHA256 of the
token's `jti`, keyed by SECRET_KEY (django.utils.crypto.salted_hmac), so a leaked table hands out
nothing usable. `expires_at` is the current refresh token's expiry.

    pair = issue_tokens(user)                  # after a complete login (password, second factor)
    pair = rotate_refresh_token(raw_refresh)   # the refresh endpoint; raises RefreshRefused
    revoke_refresh_token(raw_refresh)          # logout; raises RefreshRefused for a bad token

Claims: `user_id`, `sid` (the session row's id) and `stamp` (the user's security_stamp), in the
refresh token and copied into each access token. common.api.StampedJWTAuthentication refuses an
access token whose stamp is no longer the user's; end_all_sessions() rotates the stamp and deletes
the user's rows, so deactivation and "log out everywhere" cut both kinds of token.

Rotation replaces the row's digest with the new token's, so only the newest refresh token of a
session works. A token that is properly signed and unexpired but is *not* the newest of a session
that still exists was already used once: either the client or a thief holds a copy. We cannot
tell which, so every session of the user is ended (OAuth 2.0 Security BCP, refresh token
rotation). A token whose row is gone (logged out, ended, expired and purged) is simply refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from .models import RefreshSession, User
from .services import end_all_sessions

STAMP_CLAIM = "stamp"
SESSION_CLAIM = "sid"
DIGEST_SALT = "accounts.jwt.refresh_token"


class RefreshRefused(Exception):
    """The refresh token cannot be used (answer 401). `message` is fit to show."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime


def token_digest(jti: str) -> str:
    """What `sessions.refresh_token` stores for a refresh token: HMAC-SHA256 of its jti (64 hex)."""
    return salted_hmac(DIGEST_SALT, jti, algorithm="sha256").hexdigest()


def issue_tokens(user: User) -> TokenPair:
    """A new API session for `user` (whose login the caller completed): one `sessions` row."""
    session_id = uuid.uuid4()
    refresh, pair = _new_pair(user, session_id)
    RefreshSession.objects.create(
        id=session_id, user=user, refresh_token=token_digest(refresh[api_settings.JTI_CLAIM]),
        expires_at=pair.refresh_expires_at,
    )  # fmt: skip
    return pair


def rotate_refresh_token(raw: str) -> TokenPair:
    """A new access and refresh token for a valid refresh token, which stops working.

    Raises RefreshRefused when the token is malformed, expired or revoked; when it is a refresh
    token already exchanged once, every session of its user is ended first (theft signal).
    """
    token = _decode(raw)
    reused_by: User | None = None
    with transaction.atomic():
        session = (
            RefreshSession.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=token[SESSION_CLAIM], user_id=token[api_settings.USER_ID_CLAIM])
            .first()
        )
        if session is None:
            raise RefreshRefused("This session has ended. Log in again.", code="session_ended")
        user = session.user
        if not constant_time_compare(session.refresh_token, token_digest(token[api_settings.JTI_CLAIM])):
            reused_by = user
        elif not user.is_active or token.get(STAMP_CLAIM) != str(user.security_stamp):
            session.delete()
            raise RefreshRefused("This session has ended. Log in again.", code="session_ended")
        else:
            refresh, pair = _new_pair(user, session.pk)
            session.refresh_token = token_digest(refresh[api_settings.JTI_CLAIM])
            session.expires_at = pair.refresh_expires_at
            session.save(update_fields=["refresh_token", "expires_at"])
            return pair
    end_all_sessions(user=reused_by, actor=None, reason="refresh_token_reused")
    raise RefreshRefused(
        "This refresh token was already used. Every session of this account was ended: log in again.",
        code="token_reused",
    )


def revoke_refresh_token(raw: str) -> bool:
    """End the session whose newest refresh token this is (logout). Idempotent: returns whether a
    session was ended. Raises RefreshRefused for a malformed or expired token."""
    token = _decode(raw)
    deleted, _ = RefreshSession.objects.filter(
        pk=token[SESSION_CLAIM],
        user_id=token[api_settings.USER_ID_CLAIM],
        refresh_token=token_digest(token[api_settings.JTI_CLAIM]),
    ).delete()
    return bool(deleted)


def _new_pair(user: User, session_id) -> tuple[RefreshToken, TokenPair]:
    refresh = RefreshToken.for_user(user)
    refresh[STAMP_CLAIM] = str(user.security_stamp)
    refresh[SESSION_CLAIM] = str(session_id)
    access = refresh.access_token  # copies user_id, stamp and sid; its own jti and expiry
    return refresh, TokenPair(
        access=str(access),
        refresh=str(refresh),
        access_expires_at=datetime_from_epoch(access["exp"]),
        refresh_expires_at=datetime_from_epoch(refresh["exp"]),
    )


def _decode(raw: str) -> RefreshToken:
    try:
        token = RefreshToken(raw)
    except TokenError as exc:
        raise RefreshRefused("The refresh token is invalid or expired.", code="token_not_valid") from exc
    try:
        uuid.UUID(str(token[SESSION_CLAIM]))
        uuid.UUID(str(token[api_settings.USER_ID_CLAIM]))
        token[api_settings.JTI_CLAIM]  # present in every token we issue
    except (KeyError, ValueError) as exc:
        raise RefreshRefused("The refresh token is invalid or expired.", code="token_not_valid") from exc
    return token
