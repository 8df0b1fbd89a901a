"""API authentication: tokens through the login checks, refresh rotation, logout, revocation, storage."""

import time
import uuid
from datetime import timedelta

import pyotp
import pytest
from django.urls import reverse
from django.utils.crypto import salted_hmac
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.jwt import DIGEST_SALT, issue_tokens
from accounts.models import ActivityLog, RefreshSession
from accounts.services import end_all_sessions, user_set_active
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ManagerFactory, RepFactory, UserFactory
from common.tests.apiclient import api_client, relaxed_throttles, set_rates  # noqa: F401 - a fixture
from core.maintenance import purge_expired_refresh_sessions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttles")]

TOKEN = reverse("api:token")
REFRESH = reverse("api:token_refresh")
LOGOUT = reverse("api:logout")
ME = reverse("api:notification_list")  # any endpoint that needs a token


def obtain(client, email, password=TEST_PASSWORD, **extra):
    return client.post(TOKEN, {"email": email, "password": password, **extra}, format="json")


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, format="json")


def bearer(access: str):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def totp_code(user, *, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(user.two_factor_device.secret).at(time.time() + 30 * steps_ahead)


def unique_address() -> str:
    """A client address no other test uses, so per-address counters (Redis, axes) start at zero."""
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2] or 1}"


@pytest.fixture
def failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


# --- Obtaining tokens ---------------------------------------------------------------------------


def test_the_right_password_gives_an_access_and_a_refresh_token():
    user = RepFactory(email="rep@example.test")
    response = obtain(api_client(), "Rep@Example.test ")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["access"] and body["refresh"]
    assert body["access_expires_at"] < body["refresh_expires_at"]
    assert bearer(body["access"]).get(ME).status_code == 200
    login = ActivityLog.objects.get(action="login", entity_id=user.pk)
    assert login.details["via"] == "api"


def test_a_wrong_password_is_a_401_in_the_common_error_shape():
    RepFactory(email="rep@example.test")
    response = obtain(api_client(), "rep@example.test", "wrong-password")
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong email or password.", "code": "invalid_credentials", "errors": {}}
    assert "access" not in response.json()


def test_missing_fields_are_a_400_with_field_errors():
    response = api_client().post(TOKEN, {"email": "rep@example.test"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["This field is required."]}


def test_an_inactive_account_gets_no_tokens():
    RepFactory(email="gone@example.test", is_active=False)
    assert obtain(api_client(), "gone@example.test").status_code == 401


def test_repeated_wrong_passwords_lock_the_account_out_with_a_json_429(failure_limit):
    user = RepFactory(email="rep@example.test")
    client = api_client(REMOTE_ADDR=unique_address())
    for _ in range(failure_limit - 1):
        assert obtain(client, "rep@example.test", "wrong").status_code == 401
    locked = obtain(client, "rep@example.test", "wrong")
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked.json()["code"] == "locked_out"
    assert "30 minutes" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == 30 * 60
    # The right password is refused too while locked out; no token is handed out.
    again = obtain(client, "rep@example.test")
    assert again.status_code == 429 and "access" not in again.json()
    actions = list(
        ActivityLog.objects.filter(entity_id=user.pk).order_by("created_at").values_list("action", flat=True)
    )
    assert actions == ["login_failed", "login_failed", "login_locked_out", "login_locked_out"]


def test_the_lockout_is_shared_with_the_login_page(client, failure_limit):
    RepFactory(email="rep@example.test")
    address = unique_address()
    for _ in range(failure_limit):
        client.post(reverse("accounts:login"), {"username": "rep@example.test", "password": "x"}, REMOTE_ADDR=address)
    assert obtain(api_client(REMOTE_ADDR=address), "rep@example.test").status_code == 429
    # The login page still answers with its own page, not the API's JSON.
    page = client.post(reverse("accounts:login"), {"username": "rep@example.test", "password": TEST_PASSWORD},
                       REMOTE_ADDR=address)  # fmt: skip
    assert page.status_code == 429 and "text/html" in page["Content-Type"]


def test_an_account_with_two_factor_needs_its_code():
    user = RepFactory(email="rep@example.test", two_factor=True)
    client = api_client()
    without = obtain(client, "rep@example.test")
    assert without.status_code == 401
    assert without.json()["code"] == "otp_required" and "otp_code" in without.json()["errors"]
    wrong = obtain(client, "rep@example.test", otp_code="000000" if totp_code(user) != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_otp"
    code = totp_code(user)
    good = obtain(client, "rep@example.test", otp_code=code)
    assert good.status_code == 200 and good.json()["access"]
    assert obtain(client, "rep@example.test", otp_code=code).status_code == 401  # never twice
    login = ActivityLog.objects.get(action="login", entity_id=user.pk)
    assert login.details["second_factor"] == "totp"


def test_a_wrong_password_with_a_code_is_still_a_wrong_password():
    user = RepFactory(email="rep@example.test", two_factor=True)
    response = obtain(api_client(), "rep@example.test", "wrong", otp_code=totp_code(user))
    assert response.status_code == 401 and response.json()["code"] == "invalid_credentials"


def test_wrong_codes_count_towards_the_lockout(failure_limit):
    RepFactory(email="rep@example.test", two_factor=True)
    client = api_client(REMOTE_ADDR=unique_address())
    statuses = [obtain(client, "rep@example.test", otp_code="12345x").status_code for _ in range(failure_limit)]
    assert statuses == [401] * (failure_limit - 1) + [429]


def test_roles_that_must_use_two_factor_get_no_tokens_without_it():
    AdminFactory(email="admin@example.test", two_factor=False)
    response = obtain(api_client(), "admin@example.test")
    assert response.status_code == 403 and response.json()["code"] == "two_factor_setup_required"


# --- Access tokens --------------------------------------------------------------------------------


def test_api_endpoints_answer_401_without_a_token_or_with_a_bad_one():
    user = RepFactory()
    assert api_client().get(ME).status_code == 401
    assert api_client().get(ME)["WWW-Authenticate"].startswith("Bearer")
    assert bearer("not-a-token").get(ME).status_code == 401
    refresh_token = issue_tokens(user).refresh
    assert bearer(refresh_token).get(ME).status_code == 401  # a refresh token is not an access token
    forged = AccessToken.for_user(user)
    forged["stamp"] = str(user.security_stamp)
    forged_raw = str(forged)
    tampered = forged_raw[:-2] + ("AA" if not forged_raw.endswith("AA") else "BB")
    assert bearer(tampered).get(ME).status_code == 401


def test_an_access_token_without_the_users_current_stamp_is_refused():
    user = RepFactory()
    token = AccessToken.for_user(user)  # simplejwt's own: no stamp claim
    assert bearer(str(token)).get(ME).status_code == 401
    token["stamp"] = str(uuid.uuid4())
    response = bearer(str(token)).get(ME)
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"


def test_deactivation_cuts_access_at_once_and_refresh_too():
    admin, user = AdminFactory(), RepFactory()
    pair = issue_tokens(user)
    client = bearer(pair.access)
    assert client.get(ME).status_code == 200
    user_set_active(actor=admin, user_id=user.pk, active=False)
    assert client.get(ME).status_code == 401
    assert refresh(api_client(), pair.refresh).status_code == 401
    assert not RefreshSession.objects.filter(user=user).exists()


def test_deactivation_is_refused_even_before_the_stamp_changes():
    user = RepFactory()
    pair = issue_tokens(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)  # e.g. straight in the database
    assert bearer(pair.access).get(ME).status_code == 401
    assert refresh(api_client(), pair.refresh).status_code == 401


def test_logging_out_everywhere_cuts_every_token_of_the_user():
    user = RepFactory()
    first, second = issue_tokens(user), issue_tokens(user)
    end_all_sessions(user=user, actor=user, reason="logout_everywhere")
    for pair in (first, second):
        assert bearer(pair.access).get(ME).status_code == 401
        assert refresh(api_client(), pair.refresh).status_code == 401


# --- Refresh ------------------------------------------------------------------------------------


def test_refresh_rotates_the_refresh_token_and_the_old_one_stops_working():
    user = RepFactory()
    pair = issue_tokens(user)
    rotated = refresh(api_client(), pair.refresh)
    assert rotated.status_code == 200
    body = rotated.json()
    assert body["refresh"] != pair.refresh and body["access"] != pair.access
    assert bearer(body["access"]).get(ME).status_code == 200
    assert RefreshSession.objects.filter(user=user).count() == 1  # the same session, a new token
    # The new one works once more; the first one is refused.
    assert refresh(api_client(), body["refresh"]).status_code == 200
    assert refresh(api_client(), pair.refresh).status_code == 401


def test_reusing_a_rotated_refresh_token_ends_every_session_of_the_user(client):
    user = RepFactory()
    client.force_login(user)  # a browser session too
    stolen = issue_tokens(user)
    other_device = issue_tokens(user)
    legit = refresh(api_client(), stolen.refresh).json()
    reused = refresh(api_client(), stolen.refresh)
    assert reused.status_code == 401 and reused.json()["code"] == "token_reused"
    assert not RefreshSession.objects.filter(user=user).exists()
    assert refresh(api_client(), legit["refresh"]).status_code == 401
    assert refresh(api_client(), other_device.refresh).status_code == 401
    assert bearer(legit["access"]).get(ME).status_code == 401  # the stamp changed: access tokens too
    assert client.get(reverse("core:home")).status_code == 302  # and the web session
    ended = ActivityLog.objects.get(action="sessions_ended", entity_id=user.pk)
    assert ended.details["reason"] == "refresh_token_reused"


def test_a_malformed_or_expired_refresh_token_is_a_401():
    user = RepFactory()
    assert refresh(api_client(), "garbage").status_code == 401
    issue_tokens(user)
    session = RefreshSession.objects.get(user=user)
    expired = RefreshToken.for_user(user)
    expired["sid"], expired["stamp"] = str(session.pk), str(user.security_stamp)
    expired.set_exp(lifetime=timedelta(seconds=-1))
    response = refresh(api_client(), str(expired))
    assert response.status_code == 401 and response.json()["code"] == "token_not_valid"
    assert RefreshSession.objects.filter(pk=session.pk).exists()  # an expired token is no theft signal


def test_a_refresh_token_signed_by_someone_else_is_refused():
    import jwt as pyjwt

    user = RepFactory()
    genuine = RefreshToken(issue_tokens(user).refresh)
    forged = pyjwt.encode(dict(genuine.payload), "another-key-0123456789-0123456789-abcdef", algorithm="HS256")
    assert refresh(api_client(), forged).status_code == 401
    assert RefreshSession.objects.filter(user=user).exists()


# --- Logout -------------------------------------------------------------------------------------


def test_logout_revokes_that_refresh_token_only():
    user = RepFactory()
    phone, laptop = issue_tokens(user), issue_tokens(user)
    response = api_client().post(LOGOUT, {"refresh": phone.refresh}, format="json")
    assert response.status_code == 204
    gone = refresh(api_client(), phone.refresh)
    assert gone.status_code == 401 and gone.json()["code"] == "session_ended"
    assert refresh(api_client(), laptop.refresh).status_code == 200
    # Idempotent; a token that is not one is a 401.
    assert api_client().post(LOGOUT, {"refresh": phone.refresh}, format="json").status_code == 204
    assert api_client().post(LOGOUT, {"refresh": "nope"}, format="json").status_code == 401


def test_logging_out_with_an_already_rotated_token_does_not_end_the_newer_one():
    user = RepFactory()
    old = issue_tokens(user)
    new = refresh(api_client(), old.refresh).json()
    assert api_client().post(LOGOUT, {"refresh": old.refresh}, format="json").status_code == 204
    assert refresh(api_client(), new["refresh"]).status_code == 200


# --- Storage --------------------------------------------------------------------------------------


def test_the_sessions_table_stores_a_digest_never_the_token(raw_sql):
    user = RepFactory()
    pair = issue_tokens(user)
    [(stored, expires_at)] = raw_sql("SELECT refresh_token, expires_at FROM sessions WHERE user_id = %s", [user.pk])
    token = RefreshToken(pair.refresh)
    assert stored != pair.refresh and stored not in pair.refresh and token["jti"] not in stored
    assert stored == salted_hmac(DIGEST_SALT, token["jti"], algorithm="sha256").hexdigest()
    assert len(stored) == 64
    assert int(expires_at.timestamp()) == token["exp"]
    # Nothing stored anywhere else hands the token out either.
    assert not raw_sql("SELECT 1 FROM sessions WHERE refresh_token = %s", [pair.refresh])


def test_expired_sessions_are_purged_by_the_nightly_maintenance(raw_sql):
    user = RepFactory()
    stale, live = issue_tokens(user), issue_tokens(user)
    raw_sql(
        "UPDATE sessions SET expires_at = CURRENT_TIMESTAMP - interval '1 minute' WHERE refresh_token = %s",
        [salted_hmac(DIGEST_SALT, RefreshToken(stale.refresh)["jti"], algorithm="sha256").hexdigest()],
    )
    assert purge_expired_refresh_sessions() == 1
    assert RefreshSession.objects.filter(user=user).count() == 1
    assert refresh(api_client(), live.refresh).status_code == 200


# --- Throttling -----------------------------------------------------------------------------------


def test_the_token_endpoint_is_throttled_per_address(settings):
    set_rates(settings, auth="3/minute")
    RepFactory(email="rep@example.test")
    client = api_client(REMOTE_ADDR=unique_address())
    statuses = [obtain(client, "rep@example.test").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = obtain(client, "rep@example.test")
    assert throttled.json()["code"] == "throttled" and int(throttled["Retry-After"]) > 0
    # Another address is not affected.
    assert obtain(api_client(REMOTE_ADDR=unique_address()), "rep@example.test").status_code == 200


def test_signed_in_users_are_throttled_per_user(settings):
    set_rates(settings, user="3/minute")
    busy, other = ManagerFactory(), ManagerFactory()
    client = api_client(busy)
    assert [client.get(ME).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api_client(other).get(ME).status_code == 200


def test_anonymous_calls_are_throttled_per_address(settings):
    set_rates(settings, anon="2/minute")
    client = api_client(REMOTE_ADDR=unique_address())
    statuses = [refresh(client, "garbage").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_the_client_address_behind_a_trusted_proxy_is_the_forwarded_one(settings):
    set_rates(settings, anon="1/minute")
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = api_client(REMOTE_ADDR="10.0.0.1")
    first, second = unique_address(), unique_address()
    assert proxy.post(REFRESH, {"refresh": "x"}, format="json", HTTP_X_FORWARDED_FOR=first).status_code == 401
    assert proxy.post(REFRESH, {"refresh": "x"}, format="json", HTTP_X_FORWARDED_FOR=second).status_code == 401
    assert proxy.post(REFRESH, {"refresh": "x"}, format="json", HTTP_X_FORWARDED_FOR=first).status_code == 429


def test_tokens_are_not_for_inactive_users_made_elsewhere():
    """issue_tokens() is only called after a complete login; a disabled account's token fails anyway."""
    user = UserFactory(is_active=False)
    assert bearer(issue_tokens(user).access).get(ME).status_code == 401
