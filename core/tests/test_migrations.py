"""Migrations run forward, back to zero and forward again on an empty database, and match the models."""

import subprocess
import sys
import uuid

import psycopg
import pytest

from conftest import ROOT, database_url, subprocess_env

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Our apps from the top of the dependency graph down: unapplying in this order reverses everything.
APPS_TOP_DOWN = ["integrations", "automation", "finance", "logistics", "orders", "catalog", "customers", "accounts"]

OUR_OBJECTS = """
SELECT 'type ' || typname FROM pg_type
 WHERE typnamespace = 'public'::regnamespace AND typtype = 'e'
UNION ALL
SELECT 'relation ' || relname FROM pg_class
 WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'v', 'S')
   AND relname NOT LIKE 'django\\_%' AND relname NOT LIKE 'auth\\_%' AND relname NOT LIKE 'axes\\_%'
UNION ALL
SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
"""


def manage(db_url: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(DATABASE_URL=db_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def scratch_database():
    name = f"cod_migrations_{uuid.uuid4().hex[:8]}"
    admin_url = database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def objects(db_url: str) -> set[str]:
    with psycopg.connect(db_url) as conn:
        return {row[0] for row in conn.execute(OUR_OBJECTS)}


def test_migrations_go_forward_back_to_zero_and_forward_again(scratch_database):
    manage(scratch_database, "migrate", "--noinput")
    created = objects(scratch_database)
    assert {
        "relation orders",
        "relation order_details_view",
        "type order_status",
        "function update_customer_stats",
    } <= created

    for app in APPS_TOP_DOWN:
        manage(scratch_database, "migrate", app, "zero", "--noinput")
    assert objects(scratch_database) == set(), "reverse migrations left objects behind"

    manage(scratch_database, "migrate", "--noinput")
    assert objects(scratch_database) == created


def runsql_operations():
    """Every RunSQL operation of our apps' migrations, as (migration, forward SQL)."""
    from django.db import connection
    from django.db.migrations import RunSQL
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app in APPS_TOP_DOWN:
            for operation in migration.operations:
                if isinstance(operation, RunSQL):
                    yield f"{app}.{name}", operation.sql


def test_every_runsql_migration_can_be_replayed(scratch_database):
    """Forward SQL is idempotent (CREATE OR REPLACE, IF NOT EXISTS, DROP ... IF EXISTS first)."""
    manage(scratch_database, "migrate", "--noinput")
    before = objects(scratch_database)
    operations = list(runsql_operations())
    assert len(operations) >= 20
    with psycopg.connect(scratch_database, autocommit=True) as conn:
        for migration, sql in operations:
            try:
                conn.execute(sql)
            except psycopg.Error as exc:
                pytest.fail(f"{migration} cannot run twice: {exc}")
    assert objects(scratch_database) == before


def test_models_and_migrations_agree(scratch_database):
    result = manage(scratch_database, "makemigrations", "--check", "--dry-run")
    assert "No changes detected" in result.stdout
