"""Logging in with email and password as each role, and who may enter Django admin."""

import pyotp
import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_ROLES = {Role.ADMIN, Role.MANAGER}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_sees_its_home_page(client, role):
    user = UserFactory(role=role, email=f"{role}@example.test")
    response = client.post(
        reverse("accounts:login"), {"username": f"  {role.upper()}@Example.test ", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    if role == Role.ADMIN:
        # Admins must use two-factor authentication (the factory gives them an authenticator):
        # the password alone leads to the code step, not into the application.
        assert response["Location"] == reverse("accounts:two_factor_verify")
        assert "_auth_user_id" not in client.session
        code = pyotp.TOTP(user.two_factor_device.secret).now()
        response = client.post(response["Location"], {"code": code})
        assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert user.full_name.split(" ")[0] in home.content.decode()
    assert role.label in home.content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_and_managers_enter_django_admin(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("admin:index"))
    if role in ADMIN_ROLES:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_a_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="rep@example.test")
    response = client.post(reverse("accounts:login"), {"username": "rep@example.test", "password": "nope"})
    assert response.status_code == 200
    assert "correct email and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_cannot_log_in(client):
    UserFactory(email="gone@example.test", is_active=False)
    response = client.post(reverse("accounts:login"), {"username": "gone@example.test", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_pages_require_login(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_logout_is_post_only_and_ends_the_session(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
