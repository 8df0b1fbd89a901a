"""Who is asking, from where: set per request by middleware, read by the audit log.

A ContextVar, so it is per request in threads and async tasks alike; Celery tasks have none.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None
    user_agent: str
    session_id: str | None


_current: ContextVar[RequestInfo | None] = ContextVar("request_info", default=None)


def current_request() -> RequestInfo | None:
    return _current.get()


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the client address a trusted proxy put in X-Forwarded-For."""
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if len(addresses) >= hops:
            return addresses[-hops][:64]
    return (request.META.get("REMOTE_ADDR") or None) and request.META["REMOTE_ADDR"][:64]


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        token = _current.set(
            RequestInfo(
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
                session_id=getattr(session, "session_key", None),
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
