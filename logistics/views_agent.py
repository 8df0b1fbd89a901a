"""The delivery agent's pages (mobile first): today's run, pick up, deliver with proof, failed attempt.

Only delivery agents (deliveries.edit and the delivery_agent role) use them; anyone else gets 403.
An order not assigned to the agent is a 404, on every URL. Each form carries a client_token, so a
double tap or a retried request takes effect once and then answers "already recorded".
"""

from __future__ import annotations

import json
from functools import wraps
from urllib.parse import quote
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import permission_required
from accounts.models import Availability, Role
from accounts.services import user_set_availability
from common.errors import DomainError, ValidationFailed
from orders.models import Order, OrderStatus, PaymentStatus

from . import agent_selectors as reads
from .agent_forms import DeliverForm, FailForm, PickupForm, new_token
from .services import delivery as actions

# A link for the agent's maps app; our page makes no request to it (nothing in the CSP to open).
MAPS_SEARCH = "https://www.google.com/maps/search/?api=1&query="


def agent_only(view):
    """Log in, deliveries.edit, and the delivery agent role; else 403."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.user.role != Role.DELIVERY_AGENT:
            raise PermissionDenied("These pages are for delivery agents.")
        return view(request, *args, **kwargs)

    return permission_required("deliveries.edit")(checked)


def _my_order(request: HttpRequest, order_id) -> Order:
    order = reads.agent_order(request.user, order_id)
    if order is None:
        raise Http404("No such order.")
    return _for_display(order)


def _for_display(order: Order) -> Order:
    """What the order's card shows beyond its fields: cash to collect, a map link, a fresh pickup token."""
    order.collect = order.payment_method in reads.CASH_METHODS and order.payment_status == PaymentStatus.PENDING
    place = ", ".join(part for part in (order.delivery_address, order.delivery_area) if part)
    order.map_url = f"{MAPS_SEARCH}{quote(place, safe='')}" if place else ""
    order.pickup_token = new_token()
    return order


@require_GET
@agent_only
def agent_run(request: HttpRequest) -> HttpResponse:
    """Today's run: orders to pick up and to deliver, totals, availability, what was done today."""
    orders = [_for_display(order) for order in reads.agent_run_orders(request.user)]
    context = {
        "orders": orders,
        "totals": reads.agent_totals(request.user),
        "done_today": reads.agent_done_today(request.user),
        "availability_choices": Availability.choices,
        "clear_draft": _uuid_or_none(request.GET.get("done")),
        "currency": settings.CURRENCY,
    }
    return render(request, "logistics/agent_run.html", context)


@require_POST
@agent_only
def agent_availability(request: HttpRequest) -> HttpResponse:
    try:
        user_set_availability(
            actor=request.user, user_id=request.user.pk, availability=request.POST.get("availability_status", "")
        )
    except ValidationFailed as exc:
        messages.error(request, exc.text())
    request.user.refresh_from_db(fields=["availability_status"])
    if request.htmx:
        context = {"availability_choices": Availability.choices}
        return render(request, "logistics/partials/_agent_availability.html", context)
    return redirect("logistics:agent_run")


@require_POST
@agent_only
def pickup(request: HttpRequest, order_id) -> HttpResponse:
    order = _my_order(request, order_id)
    form = PickupForm(request.POST)
    error = message = ""
    if not form.is_valid():
        error = "This form has expired: reload the page."
    else:
        try:
            result = actions.pickup(
                order_id=order.pk, agent=request.user, client_token=form.cleaned_data["client_token"]
            )
        except DomainError as exc:
            error = exc.text() if isinstance(exc, ValidationFailed) else exc.message
        else:
            done = "already recorded" if result.already_recorded else "picked up"
            message = f"{order.order_number} {done}: attempt {result.delivery.attempt_number}."
    if not request.htmx:
        if error:
            messages.error(request, f"{order.order_number}: {error}")
        else:
            messages.success(request, message)
        return redirect("logistics:agent_run")
    card = reads.agent_run_orders(request.user).filter(pk=order.pk).first()
    context = {
        "order": card and _for_display(card),
        "gone": order,
        "error": error,
        "flash": message,
        "currency": settings.CURRENCY,
    }
    return render(request, "logistics/partials/_agent_order.html", context)


@require_http_methods(["GET", "POST"])
@agent_only
def deliver(request: HttpRequest, order_id) -> HttpResponse:
    order = _my_order(request, order_id)
    if request.method == "POST":
        form = DeliverForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = actions.deliver(order_id=order.pk, agent=request.user, **form.service_kwargs())
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            except DomainError as exc:
                return _back_to_run(request, error=f"{order.order_number}: {exc.message}")
            else:
                return _back_to_run(request, done=order, message=_delivered_message(result))
    elif order.status != OrderStatus.OUT_FOR_DELIVERY:
        return _back_to_run(request, error=f"{order.order_number} is not on its way with you: nothing to deliver.")
    else:
        initial = {"client_token": new_token(), "cash_collected": order.total_amount,
                   "recipient_name": order.customer.full_name, "recipient_relation": "Self"}  # fmt: skip
        form = DeliverForm(initial=initial)
    context = {"order": order, "form": form, "currency": settings.CURRENCY}
    template = "logistics/partials/_agent_deliver_form.html" if request.htmx else "logistics/agent_deliver.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@agent_only
def fail(request: HttpRequest, order_id) -> HttpResponse:
    order = _my_order(request, order_id)
    if request.method == "POST":
        form = FailForm(request.POST)
        if form.is_valid():
            try:
                result = actions.fail_attempt(order_id=order.pk, agent=request.user, **form.service_kwargs())
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            except DomainError as exc:
                return _back_to_run(request, error=f"{order.order_number}: {exc.message}")
            else:
                return _back_to_run(request, done=order, message=_failed_message(result))
    elif order.status != OrderStatus.OUT_FOR_DELIVERY:
        return _back_to_run(request, error=f"{order.order_number} is not on its way with you: no attempt to record.")
    else:
        form = FailForm(initial={"client_token": new_token()})
    context = {"order": order, "form": form, "currency": settings.CURRENCY}
    template = "logistics/partials/_agent_fail_form.html" if request.htmx else "logistics/agent_fail.html"
    return render(request, template, context)


@require_POST
@agent_only
def position(request: HttpRequest) -> JsonResponse:
    """A waypoint from the agent's phone: JSON {"latitude", "longitude"} or form fields."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"errors": {"__all__": ["Send JSON."]}}, status=400)
        data = data if isinstance(data, dict) else {}
    else:
        data = request.POST
    try:
        updated = actions.record_position(
            agent=request.user, latitude=data.get("latitude"), longitude=data.get("longitude"), at=timezone.now()
        )
    except ValidationFailed as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    return JsonResponse({"updated": updated})


# --- Helpers ------------------------------------------------------------------------------------------


def _back_to_run(
    request: HttpRequest, *, done: Order | None = None, message: str = "", error: str = ""
) -> HttpResponse:
    """To the run page with a message; `done` clears the order's saved draft there (static/js/agent.js)."""
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    url = reverse("logistics:agent_run") + (f"?done={done.pk}" if done else "")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _delivered_message(result: actions.ActionResult) -> str:
    number = result.order.order_number
    if result.already_recorded:
        return f"Already recorded: {number} was delivered at {timezone.localtime(result.delivery.delivery_time):%H:%M}."
    return f"{number} delivered. Cash collected: {result.delivery.cash_collected} {settings.CURRENCY}."


def _failed_message(result: actions.ActionResult) -> str:
    number, status = result.order.order_number, result.order.status
    if result.already_recorded:
        return f"Already recorded: attempt {result.delivery.attempt_number} of {number} failed."
    if status == OrderStatus.RETURNED:
        return f"{number}: attempt recorded; the order is returned ({result.order.return_reason})."
    return f"{number}: attempt {result.delivery.attempt_number} recorded; the order is back in your pickups."


def _uuid_or_none(value: str | None) -> str | None:
    try:
        return str(UUID(value)) if value else None
    except ValueError:
        return None
