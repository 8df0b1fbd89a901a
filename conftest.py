"""Shared fixtures. Tests run against real PostgreSQL and Redis (see scripts/devstack.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent


@pytest.fixture
def raw_sql():
    """Run SQL exactly as given through the test's connection; returns all rows (or [])."""

    def run(sql: str, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    return run


def database_url(name: str | None = None) -> str:
    """A DATABASE_URL for the server the tests use, naming `name` (default: the test database)."""
    db = connection.settings_dict
    host = db["HOST"] or "localhost"
    host = quote(host, safe="") if host.startswith("/") else host
    auth = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{name or db['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a child process (manage.py, a Celery worker) that uses the test database."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **env,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        **extra,
    }


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process consuming from the test Redis and writing to the test database.

    Tests that use it must commit their data (`django_db(transaction=True)`) for the worker to see it.
    """
    from common.redis import get_redis
    from core.health import heartbeat_key

    with django_db_blocker.unblock():
        env = subprocess_env()
    get_redis().delete(heartbeat_key())
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--hostname", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    # The worker_ready signal leaves a heartbeat in Redis (core.tasks): that is our "ready".
    while not get_redis().exists(heartbeat_key()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the Celery worker did not start")
        time.sleep(0.1)
    yield proc
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def client_class():
    """Django's test Client class, for a second (or third) independent browser in one test."""
    from django.test import Client

    return Client
