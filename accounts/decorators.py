"""View guards built on accounts.policy: every page and fragment URL checks access itself."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from . import policy


def permission_required(*permissions: str):
    """Log in first; then every named permission ("orders.view", ...) is needed, else 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not all(policy.can(request.user, permission) for permission in permissions):
                raise PermissionDenied("You do not have access to this page.")
            return view(request, *args, **kwargs)

        guarded.required_permissions = permissions
        return guarded

    return decorator


def polled_fragment_login_required(view):
    """login_required for fragments that htmx polls (hx-trigger="every ..."). When the session has
    ended, an htmx request gets an empty 286 ("stop polling") instead of being redirected: htmx
    would follow the redirect and swap the whole login page into the fragment. Other requests are
    sent to the login page as usual. The view still checks permissions itself."""
    protected = login_required(view)

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated and getattr(request, "htmx", False):
            return HttpResponse(status=286)
        return protected(request, *args, **kwargs)

    return guarded
