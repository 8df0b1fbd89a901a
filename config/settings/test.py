"""Test settings: the same database engine and Redis as production, nothing faked."""

from .base import *  # noqa: F403

DEBUG = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Each test run talks to its own Redis database prefix so parallel workers never collide.
CACHES["default"]["KEY_PREFIX"] = "cod-test"  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Static files come from the finders, as in development: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
