"""Customer pages: the list (search, filters, keyset pages), a customer's file, and staff edits.

Every view checks access itself. A customer the user may not see (a delivery agent's view of a
customer none of their orders belongs to) is a 404, so the answer never says it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.decorators import permission_required
from common.errors import ValidationFailed
from common.keyset import keyset_page, query_without_cursor
from orders.selectors import area_return_rates, customer_risk

from . import services
from .filters import CustomerFilter
from .forms import BlacklistForm, NotesForm, TagForm
from .models import Customer
from .selectors import customer_activity, customer_orders, known_places, known_tags, with_risk

PAGE_SIZE = 50
LIST_COLUMNS = (
    "id", "full_name", "phone", "city", "area", "tags", "total_orders", "total_spent", "return_rate",
    "refused_orders", "is_blacklisted", "blacklist_reason", "created_at",
)  # fmt: skip


@permission_required("customers.view")
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    area_rates = area_return_rates()  # one cache read for the whole page's risk bands
    customers = policy.scope(request.user, "customers", Customer.objects.only(*LIST_COLUMNS))
    filterset = CustomerFilter(request.GET or None, queryset=customers, area_rates=area_rates)
    key, descending = filterset.sort_key
    page = keyset_page(
        filterset.qs,
        key=key,
        descending=descending,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        per_page=PAGE_SIZE,
    )
    with_risk(page.rows, area_rates)
    context = {"filter": filterset, "page": page, "pager_query": query_without_cursor(request)}
    if _wants_fragment(request):
        return render(request, "customers/partials/_customer_results.html", context)
    context |= {"places": known_places(), "known_tags": known_tags().values()}
    return render(request, "customers/customer_list.html", context)


@permission_required("customers.view")
@require_GET
def customer_detail(request: HttpRequest, customer_id) -> HttpResponse:
    return _render_detail(request, _customer_or_404(request.user, customer_id, "customers.view"))


@permission_required("customers.edit")
@require_POST
def customer_tags(request: HttpRequest, customer_id) -> HttpResponse:
    customer = _customer_or_404(request.user, customer_id, "customers.edit")
    form = TagForm(request.POST, current_tags=customer.tags, known=known_tags())
    if form.is_valid():
        # Read the tags under the row lock, so two people adding tags at once both keep theirs.
        with transaction.atomic():
            current = Customer.objects.select_for_update().only("tags").get(pk=customer.pk).tags
            services.customer_set_tags(customer_id=customer.pk, tags=form.new_tags(current), actor=request.user)
        verb = "removed" if form.cleaned_data["op"] == "remove" else "saved"
        messages.success(request, f"Tag {form.cleaned_data['tag_id']} {verb}.")
        return redirect(reverse("customers:detail", args=[customer.pk]) + "#tags")
    return _render_detail(request, customer, tag_form=form)


@permission_required("customers.edit")
@require_POST
def customer_notes(request: HttpRequest, customer_id) -> HttpResponse:
    customer = _customer_or_404(request.user, customer_id, "customers.edit")
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            services.customer_update_notes(
                customer_id=customer.pk, notes=form.cleaned_data["notes"], actor=request.user
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Notes saved.")
            return redirect(reverse("customers:detail", args=[customer.pk]) + "#notes")
    return _render_detail(request, customer, notes_form=form)


@permission_required("customers.edit")
@require_POST
def customer_blacklist(request: HttpRequest, customer_id) -> HttpResponse:
    customer = _customer_or_404(request.user, customer_id, "customers.edit")
    form = BlacklistForm(request.POST)
    if form.is_valid():
        blacklisted = form.cleaned_data["blacklisted"]
        try:
            services.customer_set_blacklist(
                customer_id=customer.pk, blacklisted=blacklisted, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationFailed as exc:
            _add_errors(form, exc, aliases={"blacklist_reason": "reason"})
        else:
            messages.success(request, "Customer blacklisted." if blacklisted else "Blacklist lifted.")
            return redirect("customers:detail", customer_id=customer.pk)
    return _render_detail(request, customer, blacklist_form=form)


def _customer_or_404(user, customer_id, permission: str) -> Customer:
    customer = get_object_or_404(Customer.objects.select_related("blacklisted_by"), pk=customer_id)
    if not policy.can(user, permission, customer):
        raise Http404("No such customer.")
    return customer


def _render_detail(request: HttpRequest, customer: Customer, **forms) -> HttpResponse:
    can_edit = policy.can(request.user, "customers.edit", customer)
    context = {
        "customer": customer,
        "risk": customer_risk(customer),
        "orders": customer_orders(customer=customer, actor=request.user),
        "activity": customer_activity(customer=customer),
        "can_edit": can_edit,
    }
    if can_edit:
        context |= {
            "known_tags": known_tags().values(),
            "tag_form": forms.get("tag_form") or TagForm(initial={"op": "add"}),
            "notes_form": forms.get("notes_form") or NotesForm(initial={"notes": customer.notes}),
            "blacklist_form": forms.get("blacklist_form")
            or BlacklistForm(initial={"blacklisted": "0" if customer.is_blacklisted else "1"}),
        }
    return render(request, "customers/customer_detail.html", context)


def _wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for the results only (not a history restore, which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _add_errors(form, exc: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    for field, errors in exc.errors.items():
        name = (aliases or {}).get(field, field)
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
