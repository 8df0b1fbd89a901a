"""Product pages: the catalogue (search, filters, keyset pages), low stock, a product's page with its
variants, stock adjustments and ledger, and the create and edit forms.

Stock changes only through catalog.services.adjust_stock here (with a note); the edit forms never
touch it.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts.decorators import permission_required
from accounts.models import ActivityLog
from common.errors import ValidationFailed
from common.keyset import keyset_page, query_without_cursor

from . import services
from .filters import ProductFilter, category_choices
from .forms import ProductEditForm, ProductForm, StockAdjustForm, VariantForm
from .models import Product, StockMovement

PAGE_SIZE = 50
LEDGER_SIZE = 50
LOW_STOCK_LIMIT = 500
LEDGER_COLUMNS = (
    "created_at", "quantity_delta", "stock_after", "variant_id", "variant_stock_after", "reason", "note",
    "actor__full_name", "order__id", "order__order_number",
)  # fmt: skip
LIST_COLUMNS = (
    "id", "name", "sku", "category", "price", "stock_quantity", "low_stock_threshold", "variants", "is_active",
    "created_at",
)  # fmt: skip


@permission_required("products.view")
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    filterset = ProductFilter(request.GET or None, queryset=Product.objects.only(*LIST_COLUMNS))
    key, descending = filterset.sort_key
    page = keyset_page(
        filterset.qs,
        key=key,
        descending=descending,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        per_page=PAGE_SIZE,
    )
    context = {"filter": filterset, "page": page, "pager_query": query_without_cursor(request)}
    template = "catalog/partials/_product_results.html" if _wants_fragment(request) else "catalog/product_list.html"
    return render(request, template, context)


@permission_required("products.view")
@require_GET
def product_low_stock(request: HttpRequest) -> HttpResponse:
    """The schema's query 6: active products at or under their threshold, emptiest first."""
    products = list(
        Product.objects.filter(is_active=True, stock_quantity__lte=F("low_stock_threshold"))
        .only("id", "name", "sku", "category", "stock_quantity", "low_stock_threshold")
        .order_by("stock_quantity", "name")[: LOW_STOCK_LIMIT + 1]
    )
    context = {"products": products[:LOW_STOCK_LIMIT], "truncated": len(products) > LOW_STOCK_LIMIT}
    return render(request, "catalog/low_stock.html", context)


@permission_required("products.create")
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(data=form.cleaned_data, actor=request.user)
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{product.name} was created with no stock: add its stock below.")
            return redirect("catalog:detail", product_id=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "categories": category_choices()})


@permission_required("products.view")
@require_GET
def product_detail(request: HttpRequest, product_id) -> HttpResponse:
    return _render_detail(request, _product(request.user, product_id, "products.view"))


@permission_required("products.edit")
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id) -> HttpResponse:
    product = _product(request.user, product_id, "products.edit")
    initial = {name: getattr(product, name) for name in ProductEditForm.base_fields}
    form = ProductEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product_id=product.pk, data=form.cleaned_data, actor=request.user)
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Product saved.")
            return redirect("catalog:detail", product_id=product.pk)
    context = {"form": form, "product": product, "categories": category_choices()}
    return render(request, "catalog/product_form.html", context)


@permission_required("products.edit")
@require_POST
def product_variant_add(request: HttpRequest, product_id) -> HttpResponse:
    product = _product(request.user, product_id, "products.edit")
    form = VariantForm(request.POST)
    if form.is_valid():
        try:
            variant = services.product_variant_save(
                product_id=product.pk, variant_id=None, data=form.cleaned_data, actor=request.user
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Variant {variant['name']} added with no stock: adjust its stock to sell it.")
            return redirect(reverse("catalog:detail", args=[product.pk]) + "#variants")
    return _render_detail(request, product, variant_form=form)


@permission_required("products.edit")
@require_http_methods(["GET", "POST"])
def product_variant_edit(request: HttpRequest, product_id, variant_id: str) -> HttpResponse:
    product = _product(request.user, product_id, "products.edit")
    variant = next((v for v in product.variants if str(v.get("id")) == variant_id), None)
    if variant is None:
        raise Http404("No such variant.")
    form = VariantForm(request.POST or None, initial=VariantForm.initial_for(variant))
    if request.method == "POST" and form.is_valid():
        try:
            services.product_variant_save(
                product_id=product.pk, variant_id=variant_id, data=form.cleaned_data, actor=request.user
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Variant saved.")
            return redirect(reverse("catalog:detail", args=[product.pk]) + "#variants")
    return render(request, "catalog/variant_form.html", {"form": form, "product": product, "variant": variant})


@permission_required("products.edit")
@require_POST
def product_adjust_stock(request: HttpRequest, product_id) -> HttpResponse:
    product = _product(request.user, product_id, "products.edit")
    form = StockAdjustForm(request.POST, product=product)
    if form.is_valid():
        try:
            movement = services.adjust_stock(
                product_id=product.pk,
                variant_id=form.cleaned_data.get("variant_id") or None,
                delta=form.cleaned_data["quantity"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Stock {movement.quantity_delta:+d}: now {movement.stock_after}.")
            return redirect(reverse("catalog:detail", args=[product.pk]) + "#stock")
    return _render_detail(request, product, stock_form=form)


def _product(user, product_id, permission: str) -> Product:
    product = get_object_or_404(Product, pk=product_id)
    policy.require(user, permission, product)
    return product


def _render_detail(request: HttpRequest, product: Product, **forms) -> HttpResponse:
    can_edit = policy.can(request.user, "products.edit", product)
    ledger = (
        StockMovement.objects.filter(product=product)
        .select_related("actor", "order")
        .only(*LEDGER_COLUMNS)
        .order_by("-created_at")[:LEDGER_SIZE]
    )
    activity = (
        ActivityLog.objects.filter(entity_type="product", entity_id=product.pk)
        .select_related("user")
        .order_by("-created_at")[:30]
    )
    names = {str(v.get("id")): v.get("name") or v.get("id") for v in product.variants}
    ledger = list(ledger)
    for movement in ledger:
        movement.variant_name = names.get(movement.variant_id, movement.variant_id)
    context = {
        "product": product,
        "ledger": ledger,
        "activity": list(activity),
        "can_edit": can_edit,
    }
    if can_edit:
        context |= {
            "stock_form": forms.get("stock_form") or StockAdjustForm(product=product),
            "variant_form": forms.get("variant_form") or VariantForm(),
        }
    return render(request, "catalog/product_detail.html", context)


def _wants_fragment(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _add_errors(form, exc: ValidationFailed) -> None:
    for field, errors in exc.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
