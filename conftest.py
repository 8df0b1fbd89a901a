"""Shared fixtures. Tests run against real PostgreSQL and Redis (see scripts/devstack.py)."""

import pytest
from django.db import connection


@pytest.fixture
def raw_sql():
    """Run SQL exactly as given through the test's connection; returns all rows (or [])."""

    def run(sql: str, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    return run
