"""The new-order page (with its customer lookup, product search and live quote) and the item editor."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts.decorators import permission_required
from common.errors import DomainError, ValidationFailed
from customers.services import CustomerInput

from . import intake_selectors as reads
from .domain import EDITABLE, money
from .intake_forms import (
    EditItemsForm,
    NewOrderForm,
    attach_errors,
    item_inputs,
    padded,
    rows_from_items,
    rows_from_post,
)
from .models import Order, OrderSource, OrderStatus
from .services.editing import order_update_items, quote_edit
from .services.intake import OrderInput, order_create
from .services.pricing import delivery_fee_for, price_items


@require_http_methods(["GET", "POST"])
@permission_required("orders.create")
def order_new(request: HttpRequest) -> HttpResponse:
    form = NewOrderForm(request.POST or None)
    rows = rows_from_post(request.POST) if request.method == "POST" else []
    items_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order_input = OrderInput(
            source=OrderSource.MANUAL,
            customer=CustomerInput(
                phone=data["phone"],
                full_name=data["full_name"],
                address=data["delivery_address"] or None,
                area=data["delivery_area"] or None,
            ),
            items=item_inputs(rows),
            delivery_address=data["delivery_address"],
            delivery_area=data["delivery_area"],
            priority=data["priority"],
            customer_notes=data["customer_notes"],
            internal_notes=data["internal_notes"],
        )
        try:
            order = order_create(data=order_input, actor=request.user).order
        except ValidationFailed as exc:
            items_errors = attach_errors(form, rows, exc.errors)
        else:
            _announce(request, order)
            if policy.can(request.user, "orders.view", order):
                return redirect("orders:detail", order_id=order.pk)
            # Round robin gave it to another rep, whose order this rep may not open: take the next one.
            return redirect("orders:create")
    quote = _new_order_quote(request.POST) if rows else None
    context = {
        "form": form,
        "rows": padded(_labelled(rows, quote)),
        "items_errors": items_errors,
        "areas": reads.delivery_area_names(),
        "quote": quote,
    }
    return render(request, "orders/new.html", context)


@require_GET
@permission_required("orders.create", "customers.view")
def customer_lookup(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("phone", "").strip()
    phone, customer = reads.customer_by_phone(raw) if raw else (None, None)
    context = {"raw": raw, "phone": phone, "digits": sum(ch.isdigit() for ch in raw)}
    if customer is not None and policy.can(request.user, "customers.view", customer):
        context.update(reads.customer_summary(customer, request.user))
    return render(request, "orders/partials/_intake_customer.html", context)


@require_GET
@permission_required("orders.create", "products.view")
def product_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {"query": query, "products": reads.product_search(query) if query else []}
    template = "orders/partials/_intake_products.html" if request.htmx else "orders/product_search.html"
    return render(request, template, context)


@require_POST
@permission_required("orders.create")
def order_quote(request: HttpRequest) -> HttpResponse:
    """The live totals, per-line errors and duplicate warning of the new-order form."""
    return render(request, "orders/partials/_intake_quote.html", {"quote": _new_order_quote(request.POST)})


@require_POST
@permission_required("orders.edit")
def order_edit_quote(request: HttpRequest, order_id) -> HttpResponse:
    """The totals the item editor's changes would give, priced by the edit rule."""
    order = _editable_order(request, order_id)
    return render(request, "orders/partials/_intake_quote.html", {"quote": _edit_quote(order, request.POST)})


@require_http_methods(["GET", "POST"])
@permission_required("orders.edit")
def order_edit_items(request: HttpRequest, order_id) -> HttpResponse:
    order = _editable_order(request, order_id)
    if order.status not in EDITABLE:
        messages.error(
            request,
            f"Order {order.order_number} is {OrderStatus(order.status).label.lower()}: "
            "its items and address can no longer change.",
        )
        return redirect("orders:detail", order_id=order.pk)
    initial = {"delivery_address": order.delivery_address, "delivery_area": order.delivery_area}
    form = EditItemsForm(request.POST or None, initial=initial)
    rows = rows_from_post(request.POST) if request.method == "POST" else rows_from_items(order.items)
    items_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            order_update_items(
                order_id=order.pk,
                items=item_inputs(rows),
                delivery_address=form.cleaned_data["delivery_address"],
                delivery_area=form.cleaned_data["delivery_area"],
                actor=request.user,
            )
        except ValidationFailed as exc:
            items_errors = attach_errors(form, rows, exc.errors)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Items and address of {order.order_number} saved.")
            return redirect("orders:detail", order_id=order.pk)
    quote = _edit_quote(order, request.POST) if request.method == "POST" else _current_totals(order)
    context = {
        "order": order,
        "form": form,
        "rows": padded(_labelled(rows, quote)),
        "items_errors": items_errors,
        "areas": reads.delivery_area_names(),
        "quote": quote,
    }
    return render(request, "orders/edit_items.html", context)


# --- Helpers -------------------------------------------------------------------------------------
def _editable_order(request: HttpRequest, order_id) -> Order:
    """The order, 404 if this user may not see it, 403 if they see it but may not edit it."""
    order = Order.objects.select_related("customer").filter(pk=order_id).first()
    if order is None or not policy.can(request.user, "orders.view", order):
        raise Http404("No such order.")
    policy.require(request.user, "orders.edit", order)
    return order


def _new_order_quote(data) -> dict:
    rows = rows_from_post(data)
    priced, subtotal, errors = price_items(item_inputs(rows), prices_from_source=False) if rows else ([], None, {})
    phone, customer = reads.customer_by_phone(data.get("phone", ""))
    area = (data.get("delivery_area") or "").strip() or (customer.area if customer else None)
    return _quote_context(
        rows=rows,
        priced=priced,
        subtotal=subtotal,
        fee=delivery_fee_for(area),
        errors=errors,
        duplicates=reads.possible_duplicates(phone=phone, skus={line["sku"] for line in priced}),
        area=area,
    )


def _edit_quote(order: Order, data) -> dict:
    rows = rows_from_post(data)
    quote = quote_edit(order=order, items=item_inputs(rows), delivery_area=data.get("delivery_area"))
    return _quote_context(
        rows=rows,
        priced=quote.items,
        subtotal=quote.subtotal,
        fee=quote.delivery_fee,
        errors=quote.errors,
        area=(data.get("delivery_area") or "").strip(),
        fee_note="The store's fee is kept." if order.prices_from_source else "",
    )


def _current_totals(order: Order) -> dict:
    return _quote_context(
        rows=rows_from_items(order.items),
        priced=order.items,
        subtotal=order.subtotal,
        fee=order.delivery_fee,
        errors={},
        area=order.delivery_area,
    )


def _quote_context(*, rows, priced, subtotal, fee, errors, area, duplicates=(), fee_note="") -> dict:
    """Lines in row order with their errors, and the totals once every line is priced."""
    by_row: dict[int, list[str]] = {}
    for path, texts in errors.items():
        index = path.split(".")[1] if path.startswith("items.") else None
        key = int(index) if index and index.isdigit() else -1
        by_row.setdefault(key, []).extend(texts)
    lines, priced_iter = [], iter(priced)
    for index, row in enumerate(rows):
        line = None if index in by_row else next(priced_iter, None)
        lines.append({"number": index + 1, "sku": row.sku, "line": line, "errors": by_row.get(index, [])})
    complete = bool(rows) and not errors
    return {
        "lines": lines,
        "general_errors": by_row.get(-1, []),
        "subtotal": subtotal if complete else None,
        "fee": money(fee) if fee is not None else None,
        "total": money(subtotal + fee) if complete and fee is not None else None,
        "area": area,
        "fee_note": fee_note,
        "duplicates": duplicates,
        "empty": not rows,
        "currency": settings.CURRENCY,
    }


def _labelled(rows: list, quote: dict | None) -> list:
    """Rows re-shown after an error carry the product name the quote found for their SKU."""
    for line in (quote or {}).get("lines", []):
        if line["line"] and line["number"] <= len(rows):
            rows[line["number"] - 1].label = line["line"]["name"]
    return rows


def _announce(request: HttpRequest, order: Order) -> None:
    rep = order.assigned_rep.full_name if order.assigned_rep_id and order.assigned_rep_id != request.user.pk else ""
    messages.success(
        request,
        f"Order {order.order_number} created: {money(Decimal(order.total_amount))} to collect."
        + (f" {rep} will call to confirm it." if rep else ""),
    )
    if order.is_possible_duplicate and order.duplicate_of_id:
        original = Order.objects.only("order_number").get(pk=order.duplicate_of_id)
        messages.warning(request, f"Possible duplicate of {original.order_number}: check before confirming.")
    if order.risk_band == "high":
        messages.warning(request, "High-risk customer: " + "; ".join(order.risk_reasons))
