"""The activity log: every write service records who did what to which entity, and what changed.

Rows follow the schema's `activity_logs.details` shape:
    {"action": ..., "changes": {"field": {"old": ..., "new": ...}}, "user_agent": ..., "session_id": ...}
They are append-only: the database refuses UPDATE and DELETE on activity_logs (migration 0005).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from common.request_context import current_request

from .models import ActivityLog

# Never written to the log, whatever a caller passes (secrets have no business in an audit trail).
SECRET_KEYS = frozenset(
    {"password", "password_hash", "secret", "secret_key", "api_key", "token", "refresh_token", "otp_secret"}
)


def record_activity(
    *,
    actor,
    action: str,
    entity_type: str,
    entity_id: UUID | str | None,
    changes: dict[str, dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one activity row in the caller's transaction (so it exists only if the write does)."""
    request = current_request()
    details: dict[str, Any] = {"action": action, "changes": _scrub(changes or {})}
    if extra:
        details.update(_scrub(extra))
    if request:
        details["user_agent"] = request.user_agent
        if request.session_id:
            details["session_id"] = request.session_id
    return ActivityLog.objects.create(
        user=actor if getattr(actor, "pk", None) else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=_jsonable(details),
        ip_address=request.ip_address if request else None,
    )


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{"field": {"old": x, "new": y}} for the fields whose value differs."""
    return {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _scrub(data: dict[str, Any]) -> dict[str, Any]:
    return {key: ("[hidden]" if key in SECRET_KEYS else value) for key, value in data.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
