"""Login hardening through HTTP: lockout, two-factor authentication, password change, sessions."""

import time

import pyotp
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from accounts import otp
from accounts.models import ActivityLog, RefreshSession, Role, TwoFactorDevice, User
from accounts.services import end_all_sessions, user_set_active
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, RepFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor_verify")
SETUP = reverse("accounts:two_factor_setup")
HOME = reverse("core:home")


def post_password(client, email, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def totp_code(user, *, steps_ahead: int = 0) -> str:
    """A valid code; steps_ahead=1 gives the next 30 s step's code (still inside the window)."""
    return pyotp.TOTP(user.two_factor_device.secret).at(time.time() + 30 * steps_ahead)


def is_logged_in(client) -> bool:
    return client.get(HOME).status_code == 200


def actions(user=None) -> list[str]:
    rows = ActivityLog.objects.order_by("created_at")
    if user is not None:
        rows = rows.filter(entity_id=user.pk)
    return list(rows.values_list("action", flat=True))


@pytest.fixture
def failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


# --- Lockout --------------------------------------------------------------------------------------


def test_repeated_wrong_passwords_lock_the_account_out_with_429_and_a_message(client, failure_limit):
    user = RepFactory(email="rep@example.test")
    for _ in range(failure_limit - 1):
        assert post_password(client, "rep@example.test", "wrong").status_code == 200
    locked = post_password(client, "rep@example.test", "wrong")
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.content.decode()
    assert "30 minutes" in locked.content.decode()
    # Even the right password is refused while locked out, without a server error.
    again = post_password(client, "rep@example.test")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert actions(user) == ["login_failed", "login_failed", "login_locked_out", "login_locked_out"]


def test_email_case_and_spaces_count_as_the_same_account(client, failure_limit):
    RepFactory(email="rep@example.test")
    for variant in ("Rep@Example.test", " REP@example.TEST ", "rep@example.test"):
        response = post_password(client, variant, "wrong")
    assert response.status_code == 429


def test_the_lockout_is_per_email_and_address(client, failure_limit):
    RepFactory(email="rep@example.test")
    RepFactory(email="other@example.test")
    for _ in range(failure_limit):
        post_password(client, "rep@example.test", "wrong")
    assert post_password(client, "other@example.test").status_code == 302
    assert post_password(client, "rep@example.test", REMOTE_ADDR="10.1.2.3").status_code == 302


def test_a_successful_login_resets_the_failure_count(client, client_class, failure_limit):
    RepFactory(email="rep@example.test")
    for _ in range(failure_limit - 1):
        post_password(client, "rep@example.test", "wrong")
    assert post_password(client, "rep@example.test").status_code == 302
    other = client_class()
    for _ in range(failure_limit - 1):
        assert post_password(other, "rep@example.test", "wrong").status_code == 200
    assert post_password(other, "rep@example.test").status_code == 302


def test_a_login_is_recorded_in_the_activity_log(client):
    user = RepFactory(email="rep@example.test")
    post_password(client, "rep@example.test", "hunter2-not-it")
    post_password(client, "rep@example.test")
    assert actions(user) == ["login_failed", "login"]
    failed = ActivityLog.objects.get(action="login_failed")
    assert failed.user is None and failed.details["email"] == "rep@example.test"
    assert failed.ip_address == "127.0.0.1"
    assert "hunter2" not in str(failed.details)


def test_the_api_helper_counts_failures_and_reports_the_lockout(rf, failure_limit):
    from accounts.auth_views import authenticate_password, is_locked_out

    user = RepFactory(email="rep@example.test")
    request = rf.post("/api/auth/token/")
    assert authenticate_password(request, email=" Rep@Example.test", password=TEST_PASSWORD) == user
    for _ in range(failure_limit):
        request = rf.post("/api/auth/token/")
        assert authenticate_password(request, email="rep@example.test", password="wrong") is None
    assert is_locked_out(request)
    request = rf.post("/api/auth/token/")
    assert authenticate_password(request, email="rep@example.test", password=TEST_PASSWORD) is None
    assert is_locked_out(request)


def test_an_api_login_resets_the_failure_count(rf, failure_limit):
    from accounts.auth_views import api_login_completed, authenticate_password

    user = RepFactory(email="rep@example.test")
    for _ in range(failure_limit - 1):
        authenticate_password(rf.post("/api/auth/token/"), email="rep@example.test", password="wrong")
    request = rf.post("/api/auth/token/")
    request.session = SessionStore()
    assert authenticate_password(request, email="rep@example.test", password=TEST_PASSWORD) == user
    api_login_completed(request, user, second_factor=None)
    for _ in range(failure_limit - 1):
        assert authenticate_password(rf.post("/api/auth/token/"), email="rep@example.test", password="wrong") is None
    assert authenticate_password(rf.post("/api/auth/token/"), email="rep@example.test", password=TEST_PASSWORD) == user
    assert ActivityLog.objects.get(action="login").details["via"] == "api"


def test_django_admin_login_goes_through_the_accounts_login(client):
    response = client.get(reverse("admin:login") + "?next=/admin/orders/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=%2Fadmin%2Forders%2F"


# --- Two-factor setup -----------------------------------------------------------------------------


def test_a_user_turns_on_two_factor_authentication(client, raw_sql):
    user = RepFactory()
    client.force_login(user)
    page = client.get(SETUP)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "otpauth" not in body  # the QR code is inline; no image request
    device = TwoFactorDevice.objects.get(user=user)
    assert device.confirmed_at is None
    assert " ".join(device.secret[i : i + 4] for i in range(0, 32, 4)) in body
    # Reloading keeps the seed (an app that scanned it already keeps working).
    client.get(SETUP)
    assert TwoFactorDevice.objects.get(user=user).secret == device.secret

    wrong = client.post(SETUP, {"code": "000000"})
    assert "does not match" in wrong.content.decode()
    assert not otp.has_two_factor(user)

    done = client.post(SETUP, {"code": pyotp.TOTP(device.secret).now()})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == otp.RECOVERY_CODE_COUNT and all(code in done.content.decode() for code in codes)
    assert otp.has_two_factor(user)
    assert is_logged_in(client), "the session that set it up stays open"
    assert "two_factor_enabled" in actions(user)
    # Recovery codes are stored as digests only.
    ((stored,),) = raw_sql("SELECT recovery_code_hashes::text FROM two_factor_devices WHERE user_id = %s", [user.pk])
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)


def test_the_totp_seed_is_encrypted_at_rest(raw_sql):
    user = AdminFactory()
    secret = user.two_factor_device.secret
    ((stored,),) = raw_sql("SELECT secret FROM two_factor_devices WHERE user_id = %s", [user.pk])
    assert stored.startswith("fernet:")
    assert secret not in stored and secret.lower() not in stored.lower()
    assert TwoFactorDevice.objects.get(user=user).secret == secret


def test_setup_of_an_enabled_device_is_refused(client):
    admin = AdminFactory()
    client.force_login(admin)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:security")


# --- Two-factor login ------------------------------------------------------------------------------


def test_login_with_two_factor_needs_the_code_before_any_page(client):
    user = RepFactory(email="rep@example.test", two_factor=True)
    response = post_password(client, "rep@example.test")
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session
    assert client.get(HOME).status_code == 302  # nothing is reachable between the two steps
    assert client.get(VERIFY).status_code == 200

    wrong = client.post(VERIFY, {"code": "123456" if totp_code(user) != "123456" else "654321"})
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    done = client.post(VERIFY, {"code": totp_code(user)})
    assert done.status_code == 302 and done["Location"] == HOME
    assert is_logged_in(client)
    assert actions(user)[-2:] == ["login_failed", "login"]
    assert ActivityLog.objects.filter(action="login").get().details["second_factor"] == "totp"


def test_the_code_step_keeps_the_next_page(client):
    RepFactory(email="rep@example.test", two_factor=True)
    user = User.objects.get(email="rep@example.test")
    client.post(LOGIN, {"username": "rep@example.test", "password": TEST_PASSWORD, "next": "/accounts/security/"})
    response = client.post(VERIFY, {"code": totp_code(user)})
    assert response["Location"] == "/accounts/security/"


def test_a_code_cannot_be_used_twice(client):
    user = RepFactory(email="rep@example.test", two_factor=True)
    code = totp_code(user)
    post_password(client, "rep@example.test")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))

    post_password(client, "rep@example.test")
    replay = client.post(VERIFY, {"code": code})
    assert replay.status_code == 200 and "used already" in replay.content.decode()
    assert "_auth_user_id" not in client.session
    # The next step's code still works (one step of clock drift is accepted).
    assert client.post(VERIFY, {"code": totp_code(user, steps_ahead=1)}).status_code == 302


def test_a_recovery_code_works_once(client):
    user = RepFactory(email="rep@example.test")
    client.force_login(user)
    client.get(SETUP)
    secret = TwoFactorDevice.objects.get(user=user).secret
    codes = client.post(SETUP, {"code": pyotp.TOTP(secret).now()}).context["codes"]
    client.post(reverse("accounts:logout"))

    post_password(client, "rep@example.test")
    response = client.post(VERIFY, {"code": codes[3].upper()})
    assert response.status_code == 302 and is_logged_in(client)
    assert TwoFactorDevice.objects.get(user=user).recovery_code_hashes.__len__() == otp.RECOVERY_CODE_COUNT - 1
    assert "recovery_code_used" in actions(user)
    client.post(reverse("accounts:logout"))

    post_password(client, "rep@example.test")
    assert client.post(VERIFY, {"code": codes[3]}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_too_many_wrong_codes_send_the_user_back_to_the_password(client, settings):
    settings.TWO_FACTOR_MAX_ATTEMPTS = 3
    settings.AXES_FAILURE_LIMIT = 10
    user = RepFactory(email="rep@example.test", two_factor=True)
    post_password(client, "rep@example.test")
    bad = "000000" if totp_code(user) != "000000" else "111111"
    assert client.post(VERIFY, {"code": bad}).status_code == 200
    assert client.post(VERIFY, {"code": bad}).status_code == 200
    third = client.post(VERIFY, {"code": bad})
    assert third.status_code == 302 and third["Location"] == LOGIN
    # The pending login is gone: even the right code needs the password again.
    assert client.post(VERIFY, {"code": totp_code(user)})["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout(client, failure_limit, settings):
    user = RepFactory(email="rep@example.test", two_factor=True)
    post_password(client, "rep@example.test", "wrong")
    post_password(client, "rep@example.test")
    client.post(VERIFY, {"code": "000000" if totp_code(user) != "000000" else "111111"})
    third = client.post(VERIFY, {"code": "000000" if totp_code(user) != "000000" else "111111"})
    assert third.status_code == 429
    assert post_password(client, "rep@example.test").status_code == 429


def test_the_code_step_without_a_password_step_goes_to_login(client):
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"] == LOGIN


# --- Required for admins ------------------------------------------------------------------------


ADMIN_PAGES = ["core:home", "accounts:user_list", "accounts:security", "accounts:password_change", "admin:index"]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_an_admin_without_two_factor_is_sent_to_set_it_up_from_every_page(client, name):
    client.force_login(UserFactory(role=Role.ADMIN, two_factor=False))
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"] == SETUP


def test_an_admin_without_two_factor_reaches_setup_logout_and_static_files(client):
    admin = UserFactory(role=Role.ADMIN, two_factor=False)
    client.force_login(admin)
    assert client.get(SETUP).status_code == 200
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 302
    assert client.get("/static/css/app.css").status_code == 200
    htmx = client.get(HOME, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == SETUP
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_admin_logging_in_without_two_factor_lands_on_setup_and_then_works(client):
    admin = UserFactory(role=Role.ADMIN, email="boss@example.test", two_factor=False)
    response = post_password(client, "boss@example.test")
    assert client.get(response["Location"])["Location"] == SETUP
    client.get(SETUP)
    client.post(SETUP, {"code": pyotp.TOTP(TwoFactorDevice.objects.get(user=admin).secret).now()})
    assert client.get(reverse("admin:index")).status_code == 200


def test_other_roles_are_not_forced_to_use_two_factor(client):
    client.force_login(RepFactory())
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 200


def test_an_admin_who_turns_two_factor_off_must_set_it_up_again(client):
    admin = AdminFactory()
    client.force_login(admin)
    refused = client.post(reverse("accounts:two_factor_disable"), {"password": "wrong"})
    assert refused.status_code == 200 and otp.has_two_factor(admin)
    response = client.post(reverse("accounts:two_factor_disable"), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=admin).exists()
    assert client.get(HOME)["Location"] == SETUP
    assert "two_factor_disabled" in actions(admin)


def test_a_user_turns_two_factor_off_with_a_code(client):
    user = RepFactory(two_factor=True)
    client.force_login(user)
    client.post(reverse("accounts:two_factor_disable"), {"code": totp_code(user)})
    assert not otp.has_two_factor(user)
    assert is_logged_in(client)


# --- Password and sessions ----------------------------------------------------------------------


def test_changing_the_password_logs_out_other_sessions_but_keeps_this_one(client, client_class):
    user = RepFactory()
    other = client_class()
    client.force_login(user)
    other.force_login(user)
    refused = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "Short1", "new_password2": "Short1"},
    )
    assert refused.status_code == 200 and is_logged_in(other)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other)
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")
    assert {"password_changed", "sessions_ended"} <= set(actions(user))


def test_log_out_everywhere_ends_the_other_sessions(client, client_class):
    user = RepFactory()
    other = client_class()
    client.force_login(user)
    other.force_login(user)
    assert is_logged_in(other)
    assert client.get(reverse("accounts:logout_everywhere")).status_code == 405
    client.post(reverse("accounts:logout_everywhere"))
    assert is_logged_in(client)
    assert not is_logged_in(other)
    assert "_auth_user_id" not in other.session


def test_end_all_sessions_rotates_the_stamp_deletes_refresh_tokens_and_is_audited(client):
    from datetime import timedelta

    from django.utils import timezone

    user = RepFactory()
    admin = AdminFactory()
    RefreshSession.objects.create(user=user, refresh_token="digest", expires_at=timezone.now() + timedelta(days=1))
    client.force_login(user)
    stamp = user.security_stamp
    end_all_sessions(user=user, actor=admin)
    user.refresh_from_db()
    assert user.security_stamp != stamp
    assert not RefreshSession.objects.filter(user=user).exists()
    assert not is_logged_in(client)
    log = ActivityLog.objects.get(action="sessions_ended")
    assert (log.user, log.entity_id) == (admin, user.pk)


def test_a_deactivated_users_session_ends_at_the_next_request(client, client_class, raw_sql):
    rep, other_rep = RepFactory(), RepFactory()
    client.force_login(rep)
    raw_sql("UPDATE users SET is_active = false WHERE id = %s", [rep.pk])
    assert not is_logged_in(client)
    # Through the service (what the user pages call): the stamp changes too.
    their_browser = client_class()
    their_browser.force_login(other_rep)
    user_set_active(actor=AdminFactory(), user_id=other_rep.pk, active=False)
    assert not is_logged_in(their_browser)
    assert "sessions_ended" in actions(other_rep)


def test_the_security_page_shows_the_state(client):
    user = RepFactory(two_factor=True)
    client.force_login(user)
    body = client.get(reverse("accounts:security")).content.decode()
    assert "On" in body and reverse("accounts:two_factor_disable") in body
    assert reverse("accounts:password_change") in body and reverse("accounts:logout_everywhere") in body
