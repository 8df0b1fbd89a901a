"""Nightly maintenance deletes exactly what is past its date, and runs through a real worker."""

import time
from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import maintenance
from core.tasks import purge_expired_login_sessions, purge_expired_refresh_sessions, purge_old_webhook_logs

pytestmark = pytest.mark.django_db


def add_user(raw_sql, email="maint@example.test"):
    return raw_sql(
        "INSERT INTO users (email, password_hash, full_name) VALUES (%s, '!', 'Maintenance') RETURNING id", [email]
    )[0][0]


def add_refresh_session(raw_sql, user_id, token, expires_in: timedelta):
    raw_sql(
        "INSERT INTO sessions (user_id, refresh_token, expires_at) VALUES (%s, %s, CURRENT_TIMESTAMP + %s)",
        [user_id, token, expires_in],
    )


def add_webhook_log(raw_sql, created_at, status=200):
    return raw_sql(
        "INSERT INTO webhook_logs (created_at, response_status) VALUES (%s, %s) RETURNING id", [created_at, status]
    )[0][0]


def add_login_session(raw_sql, key, expires_in: timedelta):
    raw_sql(
        "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, '', CURRENT_TIMESTAMP + %s)",
        [key, expires_in],
    )


def remaining(raw_sql, sql):
    return sorted(row[0] for row in raw_sql(sql))


def test_expired_refresh_sessions_are_deleted_and_live_ones_kept(raw_sql):
    user = add_user(raw_sql)
    add_refresh_session(raw_sql, user, "expired-a-day-ago", -timedelta(days=1))
    add_refresh_session(raw_sql, user, "expired-a-second-ago", -timedelta(seconds=1))
    add_refresh_session(raw_sql, user, "live-for-a-minute", timedelta(minutes=1))
    add_refresh_session(raw_sql, user, "live-for-a-week", timedelta(days=7))

    assert maintenance.purge_expired_refresh_sessions() == 2
    assert remaining(raw_sql, "SELECT refresh_token FROM sessions") == ["live-for-a-minute", "live-for-a-week"]
    assert maintenance.purge_expired_refresh_sessions() == 0  # running again changes nothing


def test_webhook_logs_older_than_the_retention_are_deleted_in_batches(raw_sql):
    cutoff = maintenance.webhook_log_cutoff()
    assert cutoff == maintenance.webhook_log_cutoff(retention_days=90)  # the default
    old = [add_webhook_log(raw_sql, cutoff - timedelta(days=days, seconds=1)) for days in (0, 1, 10, 200, 365)]
    kept = [
        add_webhook_log(raw_sql, cutoff),
        add_webhook_log(raw_sql, cutoff + timedelta(hours=1)),
        add_webhook_log(raw_sql, timezone.now()),
    ]

    with CaptureQueriesContext(connection) as queries:
        assert maintenance.purge_old_webhook_logs(batch_size=2) == len(old)
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1 rows: never one statement for everything
    assert all("LIMIT 2" in sql for sql in deletes)
    assert remaining(raw_sql, "SELECT id FROM webhook_logs") == sorted(kept)


def test_the_retention_comes_from_the_setting(raw_sql, settings):
    settings.WEBHOOK_LOG_RETENTION_DAYS = 7
    add_webhook_log(raw_sql, timezone.now() - timedelta(days=8, hours=1))
    six_days = add_webhook_log(raw_sql, timezone.now() - timedelta(days=6))
    assert maintenance.purge_old_webhook_logs() == 1
    assert remaining(raw_sql, "SELECT id FROM webhook_logs") == [six_days]


def test_expired_login_sessions_are_cleared(raw_sql):
    add_login_session(raw_sql, "expired0000000000000000000000000", -timedelta(minutes=1))
    add_login_session(raw_sql, "live00000000000000000000000000000", timedelta(hours=1))
    maintenance.purge_expired_login_sessions()
    assert remaining(raw_sql, "SELECT session_key FROM django_session") == ["live00000000000000000000000000000"]


def test_beat_runs_each_maintenance_task_once_a_night():
    schedule = settings.CELERY_BEAT_SCHEDULE
    for task in (purge_expired_refresh_sessions, purge_expired_login_sessions, purge_old_webhook_logs):
        [entry] = [e for e in schedule.values() if e["task"] == task.name]
        assert isinstance(entry["schedule"], crontab)
        assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1
        assert entry["schedule"].day_of_week == set(range(7))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_tasks_run_through_a_real_worker(raw_sql, celery_worker):
    user = add_user(raw_sql, "worker-maint@example.test")
    add_refresh_session(raw_sql, user, "worker-expired", -timedelta(hours=1))
    add_refresh_session(raw_sql, user, "worker-live", timedelta(hours=1))
    add_webhook_log(raw_sql, timezone.now() - timedelta(days=120))
    recent = add_webhook_log(raw_sql, timezone.now() - timedelta(days=1))
    add_login_session(raw_sql, "workerexpired000000000000000000000", -timedelta(minutes=5))
    add_login_session(raw_sql, "workerlive000000000000000000000000", timedelta(hours=1))

    for task in (purge_expired_refresh_sessions, purge_old_webhook_logs, purge_expired_login_sessions):
        task.delay()

    def state():
        return (
            remaining(raw_sql, "SELECT refresh_token FROM sessions"),
            remaining(raw_sql, "SELECT id FROM webhook_logs"),
            remaining(raw_sql, "SELECT session_key FROM django_session"),
        )

    expected = (["worker-live"], [recent], ["workerlive000000000000000000000000"])
    deadline = time.monotonic() + 30
    while state() != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert state() == expected
