"""The rep's confirmation queue and its one-click call outcomes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.decorators import permission_required
from accounts.models import Role, User
from common.errors import DomainError

from . import intake_selectors as reads
from .intake_forms import CallForm
from .models import Order, OrderStatus
from .services.calls import record_call


@require_GET
@permission_required("orders.edit")
def queue(request: HttpRequest) -> HttpResponse:
    every = reads.sees_every_queue(request.user)
    rep_filter = _rep_filter(request.GET.get("rep", "")) if every else ""
    offset = _offset(request.GET.get("offset"))
    rows, next_offset = reads.queue_page(
        reads.queue_orders(user=request.user, rep_filter=rep_filter), offset=offset, caller=request.user
    )
    context = {
        "rows": rows,
        "next_offset": next_offset,
        "offset": offset,
        "rep_filter": rep_filter,
        "every": every,
        "callback_default": _callback_default(),
        "callback_min": f"{timezone.localtime():%Y-%m-%dT%H:%M}",
    }
    if request.htmx and offset:
        return render(request, "orders/partials/_queue_rows.html", context)
    if every:
        context["reps"] = User.objects.filter(role=Role.CUSTOMER_REP, is_active=True).order_by("full_name")
    return render(request, "orders/queue.html", context)


@require_POST
@permission_required("orders.edit")
def queue_record_call(request: HttpRequest, order_id) -> HttpResponse:
    """Record one call; answer with the order's updated row, or a note that it left the queue."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not policy.can(request.user, "orders.view", order):
        raise Http404("No such order.")
    policy.require(request.user, "orders.edit", order)
    form = CallForm(request.POST)
    error = ""
    if not form.is_valid():
        error = form.first_error()
    else:
        data = form.cleaned_data
        try:
            record_call(
                order_id=order.pk,
                rep=request.user,
                outcome=data["outcome"],
                notes=data["notes"],
                callback_at=data["callback_at"],
                reason=data["reason"],
            )
        except DomainError as exc:
            error = exc.text() if hasattr(exc, "text") else exc.message
    if not request.htmx:
        if error:
            messages.error(request, f"{order.order_number}: {error}")
        else:
            messages.success(request, f"{order.order_number}: call recorded.")
        return redirect(_back_to_queue(request))
    row = reads.queue_row(order.pk, caller=request.user)
    if row is None:
        order.refresh_from_db(fields=["status"])
        return render(request, "orders/partials/_queue_done.html", {"order": order, "status": _label(order.status)})
    context = {
        "row": row,
        "error": error,
        "every": reads.sees_every_queue(request.user),
        "callback_default": _callback_default(),
        "callback_min": f"{timezone.localtime():%Y-%m-%dT%H:%M}",
        "just_recorded": not error,
        "open_more": bool(error) and request.POST.get("outcome") in ("call_back", "refused", "duplicate"),
        "rep_filter": _rep_filter(request.POST.get("rep_filter", "")),
    }
    return render(request, "orders/partials/_queue_row.html", context)


def _back_to_queue(request: HttpRequest) -> str:
    rep = _rep_filter(request.POST.get("rep_filter", ""))
    url = reverse("orders:queue")
    return f"{url}?rep={rep}" if rep else url


def _rep_filter(raw: str) -> str:
    """Empty, "none" (unassigned) or a user id; anything else is dropped."""
    return raw if raw == "none" or _is_uuid(raw) else ""


def _callback_default() -> str:
    """Two hours from now, on the quarter hour: the usual "call me later"."""
    later = timezone.localtime() + timedelta(hours=2)
    later = later.replace(minute=later.minute - later.minute % 15, second=0, microsecond=0)
    return f"{later:%Y-%m-%dT%H:%M}"


def _offset(raw: str | None) -> int:
    try:
        return max(0, min(int(raw or 0), 100_000))
    except ValueError:
        return 0


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _label(status: str) -> str:
    return OrderStatus(status).label.lower()
