"""Helpers for the API tests (*/tests/test_api*.py): a client holding a bearer token, and rate limits
lifted for tests that make many calls from one address."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.jwt import issue_tokens

NO_LIMIT = "100000/minute"


def api_client(user=None, **defaults) -> APIClient:
    """An API client; with `user`, every request carries a fresh access token of theirs."""
    client = APIClient(**defaults)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user).access}")
    return client


def set_rates(settings, **rates: str) -> None:
    """Set REST_FRAMEWORK's throttle rates for this test ("user", "anon", "auth")."""
    current = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": current | rates}


@pytest.fixture
def relaxed_throttles(settings):
    """Tests of other things than throttling share one client address (127.0.0.1) and Redis."""
    set_rates(settings, user=NO_LIMIT, anon=NO_LIMIT, auth=NO_LIMIT)
