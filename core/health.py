"""Health of the parts the app needs: the database, Redis, and a live Celery worker."""

from __future__ import annotations

import socket
import time
from typing import Any

from django.conf import settings
from django.db import connection

from common.redis import get_redis


def heartbeat_key() -> str:
    return f"{settings.REDIS_KEY_PREFIX}:worker-heartbeat"


def record_worker_heartbeat(hostname: str | None = None) -> None:
    """Called by the worker (on start and by a beat task): proves worker, beat and broker work."""
    get_redis().hset(
        heartbeat_key(), mapping={"at": f"{time.time():.3f}", "hostname": hostname or socket.gethostname()}
    )


def check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the message says why
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_redis() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        get_redis().ping()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_worker() -> dict[str, Any]:
    try:
        beat = get_redis().hgetall(heartbeat_key())
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    if not beat:
        return {"ok": False, "error": "no heartbeat yet"}
    age = time.time() - float(beat[b"at"])
    return {
        "ok": age <= settings.WORKER_HEARTBEAT_MAX_AGE,
        "last_heartbeat_seconds_ago": round(age, 1),
        "hostname": beat.get(b"hostname", b"").decode(),
    }


def health_report() -> dict[str, Any]:
    checks = {"database": check_database(), "redis": check_redis(), "worker": check_worker()}
    return {"ok": all(c["ok"] for c in checks.values()), **checks}
