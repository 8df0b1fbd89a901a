"""Test settings: the same database engine and Redis as production, nothing faked."""

import os

from .base import *  # noqa: F403

DEBUG = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# pytest-xdist runs several processes, each on its own test database: their cache entries and
# Redis keys (heartbeats, counters) must not mix, or one process reads the other's cached data.
_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "main")
CACHES["default"]["KEY_PREFIX"] = f"cod-test-{_PROCESS}"  # noqa: F405
REDIS_KEY_PREFIX = f"cod-test-{_PROCESS}"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Static files come from the finders, as in development: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Under pytest-xdist each process starts its own Celery worker (conftest.celery_worker) on its own
# test database. One queue per process: otherwise a worker takes, and loses, the other's tasks.
CELERY_TASK_DEFAULT_QUEUE = f"celery-test-{_PROCESS}"
