"""Production settings pass Django's deployment checklist and refuse to start without secrets."""

import secrets
import subprocess
import sys

import pytest

from conftest import ROOT, subprocess_env

pytestmark = pytest.mark.slow


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    environment = subprocess_env(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    environment.pop("DJANGO_SECRET_KEY", None) if "DJANGO_SECRET_KEY" not in env else None
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_production_settings_pass_check_deploy():
    result = check_deploy(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="cod.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_production_refuses_to_start_without_a_secret_key():
    result = check_deploy(DJANGO_ALLOWED_HOSTS="cod.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
