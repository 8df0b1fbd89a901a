"""View guards built on accounts.policy: every page and fragment URL checks access itself."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

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
