"""/healthz against the real database, Redis and a real Celery worker consuming from Redis."""

import time

import pytest

from common.redis import get_redis
from core.health import heartbeat_key
from core.tasks import heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_heartbeat():
    get_redis().delete(heartbeat_key())
    yield
    get_redis().delete(heartbeat_key())


def test_health_reports_database_and_redis_and_a_missing_worker(client, no_heartbeat):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["worker"] == {"ok": False, "error": "no heartbeat yet"}
    assert body["ok"] is False


def test_health_sees_a_live_worker_after_it_runs_the_heartbeat_task(client, celery_worker):
    get_redis().delete(heartbeat_key())
    heartbeat.delay()  # through Redis to the worker process, as beat would send it
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not get_redis().exists(heartbeat_key()):
        time.sleep(0.1)
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] is True
    assert body["worker"]["last_heartbeat_seconds_ago"] < 30
    assert body["ok"] is True


def test_a_stale_heartbeat_is_reported(client, no_heartbeat, settings):
    get_redis().hset(heartbeat_key(), mapping={"at": f"{time.time() - 3600:.3f}", "hostname": "old-worker"})
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] is False
    assert body["worker"]["last_heartbeat_seconds_ago"] >= 3600


def test_health_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from core import health

    monkeypatch.setattr(health, "check_database", lambda: {"ok": False, "error": "OperationalError"})
    assert client.get("/healthz").status_code == 503


def test_health_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
