"""Production settings pass Django's deployment checklist and refuse to start without secrets."""

import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from conftest import ROOT, subprocess_env

pytestmark = pytest.mark.slow


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    environment = subprocess_env(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    for required in ("DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEYS"):  # only what the test passes
        if required not in env:
            environment.pop(required, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "cod.example.com",
        "FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


@pytest.mark.django_db
def test_production_settings_pass_check_deploy():
    result = check_deploy(**production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_production_refuses_to_start_without_a_secret_key():
    result = check_deploy(**production_env(DJANGO_SECRET_KEY=None))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("keys", [None, "", "not-a-fernet-key"])
def test_production_refuses_to_start_without_valid_field_encryption_keys(keys):
    result = check_deploy(**production_env(FIELD_ENCRYPTION_KEYS=keys))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
