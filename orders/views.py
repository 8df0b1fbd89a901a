"""Orders pages: the list (filters, tabs, keyset pages, bulk actions, exports) and the detail."""

from __future__ import annotations

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

from . import listing
from .bulk import BULK_LIMIT, run_bulk_action
from .detail import order_detail_context
from .exports import csv_response, xlsx_response
from .models import Order, OrderStatus
from .services import assignment, duplicates
from .services.transitions import order_transition


@require_GET
@permission_required("orders.view")
def order_list(request: HttpRequest) -> HttpResponse:
    order_filter, queryset = listing.filtered_orders(user=request.user, params=request.GET)
    page = listing.order_page(queryset, sort=request.GET.get("sort", "newest"), cursor=request.GET.get("cursor"))
    context = {
        "filter": order_filter,
        "page": page,
        "query": _query_without(request, "cursor"),
        "selected_statuses": request.GET.getlist("status"),
        "sort_labels": listing.SORT_LABELS,
        "bulk_limit": BULK_LIMIT,
        "status_choices": OrderStatus.choices,
        "agents": User.objects.filter(role=Role.DELIVERY_AGENT, is_active=True).order_by("full_name"),
        "reps": User.objects.filter(role=Role.CUSTOMER_REP, is_active=True).order_by("full_name"),
        "can_assign": policy.can(request.user, "orders.assign"),
        "can_export": policy.can(request.user, "orders.export"),
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "orders/partials/_list_rows.html", context)
    counts = listing.status_counts(user=request.user, params=request.GET)
    selected = context["selected_statuses"]
    context["tabs"] = [
        {
            "value": value,
            "label": label,
            "count": f"{listing.COUNT_CAP:,}+" if counts[value] > listing.COUNT_CAP else f"{counts[value]:,}",
            "current": selected == [value],
        }
        for value, label in OrderStatus.choices
    ]
    context["tabs_query"] = _query_without(request, "cursor", "status")
    return render(request, "orders/list.html", context)


@require_GET
@permission_required("orders.view", "orders.export")
def order_export(request: HttpRequest) -> HttpResponse:
    _, queryset = listing.filtered_orders(user=request.user, params=request.GET)
    ids = request.GET.getlist("id")
    if ids:
        queryset = queryset.filter(pk__in=ids[:BULK_LIMIT])
    name = f"orders-{timezone.localtime():%Y%m%d-%H%M}"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(queryset, name)
    return csv_response(queryset, name)


@require_POST
@permission_required("orders.view")
def order_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected orders, each through its service; report each result."""
    results = run_bulk_action(user=request.user, data=request.POST)
    if results.redirect_to_export:
        return redirect(f"{reverse('orders:export')}?{results.redirect_to_export}")
    template = "orders/partials/_bulk_results.html" if request.htmx else "orders/bulk_results.html"
    return render(request, template, {"results": results, "back": request.POST.get("back", "")})


@require_GET
@permission_required("orders.view")
def order_detail(request: HttpRequest, order_id) -> HttpResponse:
    order = _order_for(request.user, order_id)
    return render(request, "orders/detail.html", order_detail_context(order, request.user))


@require_POST
@permission_required("orders.view")
def order_move(request: HttpRequest, order_id) -> HttpResponse:
    order = _order_for(request.user, order_id)
    try:
        order_transition(
            order_id=order.pk,
            to_status=request.POST.get("to_status", ""),
            actor=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except ValueError:
        messages.error(request, "Choose a status from the list.")
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        order.refresh_from_db(fields=["status"])
        messages.success(request, f"Order {order.order_number} is now {order.get_status_display().lower()}.")
    return redirect("orders:detail", order_id=order.pk)


@require_POST
@permission_required("orders.view")
def order_assign(request: HttpRequest, order_id) -> HttpResponse:
    order = _order_for(request.user, order_id)
    agent = request.POST.get("agent", "")
    try:
        assignment.order_assign(
            order_id=order.pk,
            actor=request.user,
            agent_id=agent if agent not in ("", "none") else None,
            rep_id=request.POST.get("rep") or None,
            unassign_agent=agent == "none",
        )
    except DomainError as exc:
        messages.error(request, _message(exc))
    except (ValueError, TypeError):
        messages.error(request, "Choose someone from the list.")
    else:
        messages.success(request, "Assignment saved.")
    return redirect("orders:detail", order_id=order.pk)


@require_POST
@permission_required("orders.view")
def order_note(request: HttpRequest, order_id) -> HttpResponse:
    order = _order_for(request.user, order_id)
    try:
        assignment.order_add_note(order_id=order.pk, actor=request.user, text=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, "Note added.")
    return redirect("orders:detail", order_id=order.pk)


@require_POST
@permission_required("orders.view")
def order_duplicate_decision(request: HttpRequest, order_id) -> HttpResponse:
    order = _order_for(request.user, order_id)
    decision = request.POST.get("decision")
    try:
        if decision == "merge":
            original = duplicates.duplicate_merge(order_id=order.pk, actor=request.user)
            messages.success(request, f"Merged into {original.order_number}; this order is cancelled.")
            return redirect("orders:detail", order_id=original.pk)
        if decision == "keep":
            duplicates.duplicate_keep(order_id=order.pk, actor=request.user)
            messages.success(request, "Kept as its own order.")
        else:
            messages.error(request, "Choose keep or merge.")
    except DomainError as exc:
        messages.error(request, _message(exc))
    return redirect("orders:detail", order_id=order.pk)


def _order_for(user, order_id) -> Order:
    """The order if this user may see it; 404 otherwise (we do not confirm it exists)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not policy.can(user, "orders.view", order):
        raise Http404("No such order.")
    return order


def _message(exc: DomainError) -> str:
    return exc.text() if hasattr(exc, "text") else exc.message


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
