"""Two-factor enforcement for the roles that require it (TWO_FACTOR_REQUIRED_ROLES, admins by default).

A signed-in user of such a role without a confirmed authenticator is sent to the setup page from
every page, Django admin included, except the setup page itself, logout and static files.
Django admin's own login form would open a session with the password alone, so it is sent to
accounts' login page, which asks for the second factor.

Whether the user has two-factor authentication is remembered in the session once known (set at
login and at setup), so the check costs no query on ordinary requests. Turning it off ends the
user's other sessions (security stamp), so a stale flag cannot outlive the device.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import otp

ENROLLED_SESSION_KEY = "_two_factor_enrolled"


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path == reverse("admin:login"):
            return self._to_accounts_login(request)
        if not self._exempt(path):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and self._must_set_up(request, user):
                return self._redirect(request, reverse("accounts:two_factor_setup"))
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request: HttpRequest, user) -> bool:
        if not otp.is_required_for(user) or request.session.get(ENROLLED_SESSION_KEY):
            return False
        if otp.has_two_factor(user):
            request.session[ENROLLED_SESSION_KEY] = True
            return False
        return True

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (reverse("accounts:two_factor_setup"), reverse("accounts:logout"), reverse("healthz"))
        return path in exempt or path.startswith(settings.STATIC_URL)

    @staticmethod
    def _to_accounts_login(request: HttpRequest) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")

    @staticmethod
    def _redirect(request: HttpRequest, url: str) -> HttpResponse:
        if getattr(request, "htmx", False):
            from django_htmx.http import HttpResponseClientRedirect

            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
