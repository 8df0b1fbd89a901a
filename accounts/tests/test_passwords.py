"""Passwords are bcrypt hashes (cost 12) stored in the schema's users.password_hash column."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_new_passwords_are_hashed_with_bcrypt_at_cost_12():
    encoded = make_password("a perfectly fine passphrase")
    algorithm, _, bcrypt_hash = encoded.partition("$$")
    assert algorithm == "bcrypt_sha256"
    assert bcrypt_hash.startswith("2b$12$")


def test_the_hash_lives_in_password_hash_and_authenticates(raw_sql, rf):
    user = User.objects.create_user("Amina@Example.test", "a perfectly fine passphrase", full_name="Amina B")
    ((stored,),) = raw_sql("SELECT password_hash FROM users WHERE id = %s", [user.pk])
    assert stored.startswith("bcrypt_sha256$$2b$12$")
    assert "passphrase" not in stored
    assert authenticate(rf.post("/"), username="amina@example.test", password="a perfectly fine passphrase") == user
    assert authenticate(rf.post("/"), username="amina@example.test", password="wrong") is None


def test_a_plain_bcrypt_hash_from_another_system_still_logs_in_and_is_upgraded(raw_sql, rf):
    import bcrypt

    legacy = bcrypt.hashpw(b"imported secret 1", bcrypt.gensalt(12)).decode()
    user = User.objects.create_user("legacy@example.test", None, full_name="Legacy")
    raw_sql("UPDATE users SET password_hash = %s WHERE id = %s", ["bcrypt$" + legacy, user.pk])
    assert authenticate(rf.post("/"), username="legacy@example.test", password="imported secret 1") == user
    ((stored,),) = raw_sql("SELECT password_hash FROM users WHERE id = %s", [user.pk])
    assert stored.startswith("bcrypt_sha256$")
