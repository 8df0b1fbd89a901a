"""Logging in (password, then the second factor), lockout, two-factor setup, password, sessions.

The login has two steps. The password step checks the password through django-axes (which
counts failures per email + IP address and refuses locked-out pairs). A user with two-factor
authentication is *not* logged in yet: the session only holds a pending login (user id, time,
wrong-code count), so no page is reachable until the code step calls auth.login(). Wrong codes
count as login failures for axes too, and TWO_FACTOR_MAX_ATTEMPTS of them send the user back to
the password step.

The helpers under "For the API" let the future token endpoint use the same checks and audit.
"""

from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ValidationFailed

from . import otp
from .audit import record_activity
from .forms import ConfirmIdentityForm, EmailAuthenticationForm, TwoFactorCodeForm
from .middleware import ENROLLED_SESSION_KEY
from .models import User
from .services import end_all_sessions

# A password-checked login waiting for its second factor: {"user_id", "backend", "next",
# "attempts", "started"}. Never a logged-in session: auth.login() runs after the code step.
PENDING_SESSION_KEY = "_two_factor_pending"
# Seconds the code step stays open after the password step.
PENDING_SECONDS = 300


# --- Password step --------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = EmailAuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            if otp.has_two_factor(user):
                return _start_second_step(request, user, next_url)
            complete_login(request, user, second_factor=None)
            return redirect(next_url)
        if email := form.cleaned_data.get("username"):
            record_login_failure(request, email=email, step="password")
    return render(request, "accounts/login.html", {"form": form, "next": _raw_next(request)})


def _start_second_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    request.session.cycle_key()  # a new session id once the password is known (no fixation)
    request.session[PENDING_SESSION_KEY] = {
        "user_id": str(user.pk),
        "backend": user.backend,
        "next": next_url,
        "attempts": 0,
        "started": int(time.time()),
    }
    return redirect("accounts:two_factor_verify")


# --- Code step ------------------------------------------------------------------------------------


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    pending, user = _pending_login(request)
    if user is None:
        messages.info(request, "Please log in again.")
        return redirect("accounts:login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not AxesProxyHandler.is_allowed(request, {"username": user.email}):
            record_activity(
                actor=None, action="login_locked_out", entity_type="user", entity_id=user.pk, extra={"step": "code"}
            )
            request.session.pop(PENDING_SESSION_KEY, None)
            return lockout_response(request)
        second_factor = otp.verify_second_factor(user=user, code=form.cleaned_data["code"])
        if second_factor:
            user.backend = pending["backend"]
            complete_login(request, user, second_factor=second_factor)
            if second_factor == otp.RECOVERY_CODE:
                messages.warning(request, "You used a recovery code: each one works only once.")
            return redirect(pending["next"])
        second_factor_failed(request, user)
        pending["attempts"] += 1
        if pending["attempts"] >= settings.TWO_FACTOR_MAX_ATTEMPTS or is_locked_out(request):
            request.session.pop(PENDING_SESSION_KEY, None)
            messages.error(request, "Too many wrong codes. Please log in again.")
            return redirect("accounts:login")
        request.session[PENDING_SESSION_KEY] = pending
        form.add_error("code", "That code is not valid, or it was used already.")
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _pending_login(request: HttpRequest) -> tuple[dict[str, Any] | None, User | None]:
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending:
        return None, None
    if time.time() - pending["started"] > PENDING_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None, None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
    return pending, user


# --- Lockout (django-axes) ----------------------------------------------------------------------


def axes_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The email axes counts failures under: stripped and lower-cased, so case variants add up."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") or data.get("email")
    value = str(value or "").strip().lower()
    return value or None


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page with the reason, as 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    context = {"form": EmailAuthenticationForm(request), "locked_out": True, "cooloff_minutes": minutes, "next": ""}
    return render(request, "accounts/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


# --- For the API (and used by the views above) ----------------------------------------------------


def authenticate_password(request: HttpRequest, *, email: str, password: str) -> User | None:
    """Check an email and password as the login page does: throttled by axes, failures audited.

    `request` must be Django's HttpRequest (in DRF: `request._request`). When this returns None,
    `is_locked_out(request)` tells a lockout (answer 429) from a plain wrong password (401).
    """
    email = (email or "").strip().lower()
    user = authenticate(request, username=email, password=password)
    if user is None:
        record_login_failure(request, email=email, step="password")
    return user


def is_locked_out(request: HttpRequest) -> bool:
    """True when django-axes locked this email + IP address out during this request."""
    return bool(getattr(request, "axes_locked_out", False))


def second_factor_failed(request: HttpRequest, user: User) -> None:
    """A wrong TOTP or recovery code: audited, and counted by axes like a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
    record_login_failure(request, email=user.email, step="code", user=user)


def complete_login(request: HttpRequest, user: User, *, second_factor: str | None) -> None:
    """Open the session (auth.login: new session id, axes counter reset, last_login) and audit it."""
    auth_login(request, user)
    request.session.pop(PENDING_SESSION_KEY, None)
    if second_factor:
        request.session[ENROLLED_SESSION_KEY] = True
    record_activity(
        actor=user, action="login", entity_type="user", entity_id=user.pk, extra={"second_factor": second_factor}
    )


def api_login_completed(request: HttpRequest, user: User, *, second_factor: str | None) -> None:
    """For the token endpoint, which issues tokens instead of a session: the same signal and audit."""
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    record_activity(
        actor=user,
        action="login",
        entity_type="user",
        entity_id=user.pk,
        extra={"second_factor": second_factor, "via": "api"},
    )


def record_login_failure(request: HttpRequest, *, email: str, step: str, user: User | None = None) -> None:
    if user is None:
        user = User.objects.filter(email=email).first()
    record_activity(
        actor=None,
        action="login_locked_out" if is_locked_out(request) else "login_failed",
        entity_type="user",
        entity_id=user.pk if user else None,
        extra={"email": email, "step": step},
    )


# --- Security page ------------------------------------------------------------------------------


@login_required
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    device = otp.confirmed_device(request.user)
    context = {
        "device": device,
        "recovery_codes_left": otp.recovery_codes_left(device) if device else 0,
        "two_factor_required": otp.is_required_for(request.user),
    }
    return render(request, "accounts/security.html", context)


@login_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if otp.has_two_factor(request.user):
        messages.info(request, "Two-factor authentication is already on.")
        return redirect("accounts:security")
    device = otp.start_setup(user=request.user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp.confirm_setup(user=request.user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_error("code", exc.text())
        else:
            update_session_auth_hash(request, request.user)  # keep this session; the others ended
            request.session[ENROLLED_SESSION_KEY] = True
            return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes})
    context = {
        "form": form,
        "qr_svg": otp.qr_svg(otp.provisioning_uri(device)),
        "secret": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)),
        "two_factor_required": otp.is_required_for(request.user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if not otp.has_two_factor(request.user):
        return redirect("accounts:security")
    form = ConfirmIdentityForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp.disable(user=request.user, actor=request.user)
        update_session_auth_hash(request, request.user)
        request.session.pop(ENROLLED_SESSION_KEY, None)
        messages.success(request, "Two-factor authentication is off. Your other sessions were logged out.")
        return redirect("accounts:security")
    context = {"form": form, "two_factor_required": otp.is_required_for(request.user)}
    return render(request, "accounts/two_factor_disable.html", context)


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            record_activity(actor=user, action="password_changed", entity_type="user", entity_id=user.pk)
            end_all_sessions(user=user, actor=user, reason="password_changed")
        update_session_auth_hash(request, user)
        messages.success(request, "Your password was changed. Your other sessions were logged out.")
        return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    end_all_sessions(user=request.user, actor=request.user, reason="logout_everywhere")
    update_session_auth_hash(request, request.user)
    messages.success(request, "You were logged out of every other browser and device.")
    return redirect("accounts:security")


# --- Helpers --------------------------------------------------------------------------------------


def _raw_next(request: HttpRequest) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return value if safe else ""


def _next_url(request: HttpRequest) -> str:
    return _raw_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)
