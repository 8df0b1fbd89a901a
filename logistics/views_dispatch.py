"""Staff pages of logistics: dispatch, run sheets, shipping labels and agent performance.

Each view checks access itself (accounts.policy): dispatch and labels need orders.assign; a run
sheet needs orders.assign or being that agent; performance needs deliveries.view (an agent sees
their own figures only); feedback needs deliveries.edit (not the agent rated).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.decorators import permission_required
from accounts.models import Role
from common.errors import DomainError, ValidationFailed

from . import selectors
from .dispatch_forms import PERIODS, PeriodForm
from .labels import code128_svg, qr_svg
from .models import Delivery
from .selectors import SORTS, performance_table
from .services.dispatch import DISPATCH_LIMIT, assign_orders, auto_assign
from .services.feedback import record_feedback

PAGE_SIZE = 100
LABEL_LIMIT = 200
DETAIL_LIMIT = 100


# --- Dispatch -------------------------------------------------------------------------------------


@require_GET
@permission_required("orders.assign")
def dispatch(request: HttpRequest) -> HttpResponse:
    return render(request, "logistics/dispatch.html", _board_context(request, request.GET))


@require_POST
@permission_required("orders.assign")
def dispatch_assign(request: HttpRequest) -> HttpResponse:
    """Give the selected orders to the chosen agent (or move them from their agent to it)."""
    results = assign_orders(order_ids=request.POST.getlist("ids"), agent_id=_uuid(request.POST.get("agent")),
                            actor=request.user)  # fmt: skip
    return _after_dispatch(request, results)


@require_POST
@permission_required("orders.assign")
def dispatch_auto(request: HttpRequest) -> HttpResponse:
    """Auto-assign the selected orders, or the whole queue of one area (`scope=area`)."""
    if request.POST.get("scope") == "area":
        results = auto_assign(area=request.POST.get("area") or None, actor=request.user)
        return _after_dispatch(request, results, empty="No order is waiting in this area.")
    results = auto_assign(order_ids=request.POST.getlist("ids"), actor=request.user)
    return _after_dispatch(request, results)


def _after_dispatch(request: HttpRequest, results, empty: str = "Select at least one order first.") -> HttpResponse:
    error = "" if results else empty
    if request.htmx:
        context = _board_context(request, request.POST)
        context.update(results=results, error=error, assigned_count=sum(1 for r in results if r.ok))
        return render(request, "logistics/partials/_dispatch_board.html", context)
    done = [r for r in results if r.ok]
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, f"Assigned {len(done)} of {len(results)} order{'s' if len(results) != 1 else ''}.")
    for result in [r for r in results if not r.ok][:20]:
        messages.error(request, f"{result.order_number}: {result.error}")
    return redirect(f"{reverse('logistics:dispatch')}?{_board_query(request.POST)}")


def _board_query(params) -> str:
    keep = {key: params.get(key) for key in ("view", "area", "held_by") if params.get(key)}
    return urlencode(keep)


def _board_context(request: HttpRequest, params) -> dict:
    user, view = request.user, "assigned" if params.get("view") == "assigned" else "waiting"
    tabs = selectors.dispatch_area_counts(actor=user)
    area = params.get("area") or (tabs[0]["key"] if tabs else "")
    agents = selectors.agents_with_load()
    context = {"view": view, "tabs": tabs, "area": area, "agents": agents, "max_load": settings.MAX_AGENT_LOAD,
               "waiting_total": sum(tab["count"] for tab in tabs), "currency": settings.CURRENCY,
               "query": _board_query(params), "dispatch_limit": DISPATCH_LIMIT}  # fmt: skip
    if view == "assigned":
        agent_id = _uuid(params.get("held_by"))
        context.update(agent_filter=str(agent_id or ""),
                       orders=selectors.assigned_orders(actor=user, agent_id=agent_id, limit=PAGE_SIZE))  # fmt: skip
    else:
        page = _page_number(params.get("page"))
        rows = selectors.unassigned_orders(area=area, actor=user, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        context.update(orders=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE)
        context["area_label"] = next((tab["area"] for tab in tabs if tab["key"] == area), area)
    covering = [a for a in agents if a.covers(area)] if view == "waiting" else []
    context["agent_choices"] = covering + [a for a in agents if a not in covering]
    context["covering_ids"] = {a.id for a in covering}
    for order in context["orders"]:
        order.to_collect = selectors.amount_to_collect(order)
    return context


# --- Run sheets and labels ----------------------------------------------------------------------------


@require_GET
@login_required
def run_sheet(request: HttpRequest, agent_id) -> HttpResponse:
    """The agent's orders to carry and the cash to bring back, printable."""
    user = request.user
    if not (policy.can(user, "orders.assign") or (user.pk == agent_id and policy.can(user, "orders.view"))):
        raise PermissionDenied("You may only see your own run sheet.")
    agent = selectors.delivery_agent(agent_id)
    if agent is None:
        raise Http404("No such delivery agent.")
    orders = selectors.run_sheet_orders(agent_id=agent.pk)
    context = {
        "agent": agent,
        "orders": orders,
        "total_to_collect": sum((o.to_collect for o in orders), Decimal("0.00")),
        "currency": settings.CURRENCY,
        "printed_at": timezone.localtime(),
        "can_dispatch": policy.can(user, "orders.assign"),
    }
    return render(request, "logistics/run_sheet.html", context)


@require_GET
@permission_required("orders.assign")
def labels(request: HttpRequest) -> HttpResponse:
    """Shipping labels of the selected orders (?ids=...) or of an area's orders ready for pickup."""
    ids = [value for raw in request.GET.getlist("ids") for value in raw.split(",")]
    ids = [str(i) for i in (_uuid(value) for value in ids) if i][:LABEL_LIMIT]
    area = request.GET.get("area", "").strip()
    orders = selectors.label_orders(actor=request.user, ids=ids, area=area or None, limit=LABEL_LIMIT)
    for order in orders:
        order.qr = qr_svg(order.order_number)
        order.barcode = _barcode(order.order_number)
    context = {"orders": orders, "area": area, "currency": settings.CURRENCY, "limit": LABEL_LIMIT,
               "asked": bool(ids or area)}  # fmt: skip
    return render(request, "logistics/labels.html", context)


def _barcode(number: str):
    try:
        return code128_svg(number)
    except ValueError:  # not printable ASCII: the QR code still carries it
        return ""


# --- Agent performance ------------------------------------------------------------------------------


@require_GET
@permission_required("deliveries.view")
def performance(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = form.chosen_period()
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "name"
    descending = request.GET.get("dir") == "desc"
    rows = performance_table(period=period, actor=request.user, sort=sort, descending=descending)
    context = {"form": form, "period": period, "periods": PERIODS, "rows": rows, "currency": settings.CURRENCY,
               "period_query": _period_query(period), "columns": _columns(sort, descending)}  # fmt: skip
    template = "logistics/partials/_performance_table.html" if request.htmx else "logistics/performance.html"
    return render(request, template, context)


@require_GET
@permission_required("deliveries.view")
def performance_agent(request: HttpRequest, agent_id) -> HttpResponse:
    """One agent's attempts in the period, with the customer's rating and feedback."""
    user = request.user
    if user.role == Role.DELIVERY_AGENT and user.pk != agent_id:
        raise Http404("No such delivery agent.")
    agent = selectors.delivery_agent(agent_id)
    if agent is None:
        raise Http404("No such delivery agent.")
    period = PeriodForm(request.GET or None).chosen_period()
    context = {
        "agent": agent,
        "period": period,
        "period_query": _period_query(period),
        "deliveries": selectors.agent_deliveries(agent_id=agent.pk, period=period, actor=user, limit=DETAIL_LIMIT),
        "limit": DETAIL_LIMIT,
        "can_record_feedback": _may_record_feedback(user),
        "can_open_orders": policy.can(user, "orders.view_all"),
        "currency": settings.CURRENCY,
        "next_url": request.get_full_path(),
    }
    return render(request, "logistics/performance_agent.html", context)


@require_POST
@permission_required("deliveries.edit")
def delivery_feedback(request: HttpRequest, delivery_id) -> HttpResponse:
    if not _may_record_feedback(request.user):
        raise PermissionDenied("An agent may not rate their own deliveries.")
    delivery = selectors.delivery_for_feedback(delivery_id)
    if delivery is None or not policy.can(request.user, "deliveries.view", delivery):
        raise Http404("No such delivery.")
    errors: dict = {}
    try:
        delivery = record_feedback(delivery_id=delivery.pk, rating=request.POST.get("rating"),
                                   feedback=request.POST.get("feedback", ""), actor=request.user)  # fmt: skip
    except ValidationFailed as exc:
        errors = exc.errors
    except DomainError as exc:
        errors = {"__all__": [exc.message]}
    if request.htmx:
        context = {"d": _feedback_row(delivery), "errors": errors, "saved": not errors, "can_record_feedback": True,
                   "next_url": request.POST.get("next", "")}  # fmt: skip
        return render(request, "logistics/partials/_performance_feedback.html", context)
    for messages_ in errors.values():
        for message in messages_:
            messages.error(request, message)
    if not errors:
        messages.success(request, f"Feedback saved for order {delivery.order.order_number}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("logistics:performance_agent", kwargs={"agent_id": delivery.agent_id})
    return redirect(back)


# Sortable columns of the performance table: (sort key, heading, numeric).
COLUMNS = (
    ("name", "Agent", False), ("attempts", "Attempts", True), ("failed", "Failed", True),
    ("success", "Success", True), ("rating", "Rating", True), ("duration", "Pickup → delivery", True),
    ("cash", "Cash collected", True), ("all_deliveries", "Attempts", True), ("all_success", "Success", True),
    ("all_rating", "Rating", True),
)  # fmt: skip


def _columns(sort: str, descending: bool) -> list[dict]:
    """Headings with the link that sorts by them (again: the other way round)."""
    return [
        {"key": key, "label": label, "num": num, "current": key == sort,
         "dir": "asc" if key == sort and descending else ("desc" if key == sort or num else "asc"),
         "arrow": ("↓" if descending else "↑") if key == sort else ""}
        for key, label, num in COLUMNS
    ]  # fmt: skip


def _feedback_row(delivery: Delivery) -> Delivery:
    return selectors.delivery_for_feedback(delivery.pk)


def _may_record_feedback(user) -> bool:
    return user.role != Role.DELIVERY_AGENT and policy.can(user, "deliveries.edit")


def _period_query(period) -> str:
    if period.key == "custom":
        return urlencode({"period": "custom", "start": period.first_day, "end": period.last_day})
    return urlencode({"period": period.key})


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _page_number(value) -> int:
    try:
        return max(1, min(int(value), 1000))
    except (TypeError, ValueError):
        return 1
