"""A user's own notifications: the list, the unread badge the top bar polls, marking them read.

Every signed-in user may use these, and only ever on their own rows: another user's notification
id is a 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .decorators import polled_fragment_login_required
from .models import Notification

PAGE_SIZE = 25


def _badge(user) -> dict:
    count = selectors.unread_notification_count(user)
    cap = selectors.UNREAD_BADGE_CAP
    return {"unread": count, "unread_label": f"{cap}+" if count > cap else str(count)}


@require_GET
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page:
        notification.link = selectors.notification_link(notification.data)
    return render(request, "accounts/notifications.html", {"page": page, **_badge(request.user)})


@require_GET
@polled_fragment_login_required
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the top bar's bell, polled every 30 s: one indexed count."""
    return render(request, "accounts/partials/_notifications_badge.html", _badge(request.user))


@require_POST
@login_required
def notification_read(request: HttpRequest, notification_id) -> HttpResponse:
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    if request.htmx:  # the row, and the bell and the page's unread count out of band
        notification.link = selectors.notification_link(notification.data)
        context = {"notification": notification, "oob": True, **_badge(request.user)}
        return render(request, "accounts/partials/_notification.html", context)
    return redirect(_list_url(request.POST.get("page")))


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return redirect(_list_url(request.POST.get("page")))


def _list_url(page: str | None) -> str:
    url = reverse("accounts:notifications")
    return f"{url}?page={page}" if page and page.isdigit() and page != "1" else url
