"""Turning requested lines into priced order items, checked against the catalog.

Shared by intake (new orders), item edits and duplicate merges, so every path prices the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Q

from catalog.models import Product

from ..domain import line_total, money
from ..models import DeliveryArea

MAX_QUANTITY = 1000
MAX_LINES = 100


@dataclass
class ItemInput:
    """One requested line: a product by id or SKU (product or variant SKU), and a quantity.

    `unit_price` is only honoured for imported orders (prices_from_source): the price the customer
    saw on the store, which may differ from today's catalog price.
    """

    quantity: int | str
    product_id: str | None = None
    sku: str | None = None
    variant_id: str | None = None
    unit_price: Decimal | str | None = None
    name: str | None = None
    notes: str | None = None


def price_items(
    items: list[ItemInput], *, prices_from_source: bool, prefix: str = "items"
) -> tuple[list[dict], Decimal, dict[str, list[str]]]:
    """Items in the schema's shape, their subtotal, and field errors ("items.1.quantity": [...])."""
    errors: dict[str, list[str]] = {}
    if not items:
        return [], Decimal("0.00"), {prefix: ["Add at least one item."]}
    if len(items) > MAX_LINES:
        return [], Decimal("0.00"), {prefix: [f"An order has at most {MAX_LINES} lines."]}
    catalog = _load_products(items)
    priced: list[dict] = []
    for index, item in enumerate(items):
        field = f"{prefix}.{index}"
        line, line_errors = _price_line(item, catalog, field, prices_from_source)
        errors.update(line_errors)
        if line:
            priced.append(line)
    subtotal = money(sum((Decimal(line["total"]) for line in priced), Decimal("0")))
    return priced, subtotal, errors


def delivery_fee_for(area: str | None) -> Decimal:
    """The configured fee of the delivery area (case-insensitive), else the default fee."""
    if area:
        fee = (
            DeliveryArea.objects.filter(name__iexact=area.strip(), is_active=True)
            .values_list("delivery_fee", flat=True)
            .first()
        )
        if fee is not None:
            return money(fee)
    return money(Decimal(settings.DEFAULT_DELIVERY_FEE))


def _load_products(items: list[ItemInput]) -> dict[str, Product]:
    """Products of all lines in one query, keyed by id, product SKU and variant SKU."""
    ids = {str(i.product_id) for i in items if i.product_id and _is_uuid(i.product_id)}
    skus = {i.sku.strip() for i in items if i.sku and i.sku.strip()}
    query = Q(pk__in=ids) | Q(sku__in=skus)
    for sku in skus:
        query |= Q(variants__contains=[{"sku": sku}])
    catalog: dict[str, Product] = {}
    for product in Product.objects.filter(query):
        catalog[str(product.pk)] = product
        catalog[f"sku:{product.sku}"] = product
        for variant in product.variants:
            if variant.get("sku"):
                catalog[f"sku:{variant['sku']}"] = product
    return catalog


def _price_line(
    item: ItemInput, catalog: dict[str, Product], field: str, prices_from_source: bool
) -> tuple[dict | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    quantity = _parse_quantity(item.quantity)
    if quantity is None:
        errors[f"{field}.quantity"] = [f"Enter a whole number of items between 1 and {MAX_QUANTITY}."]
    product, variant, problem = _resolve(item, catalog)
    if problem:
        errors[f"{field}.{'sku' if item.sku and not item.product_id else 'product_id'}"] = [problem]
    price = _unit_price(item, product, variant, prices_from_source, field, errors) if product else None
    if errors:
        return None, errors
    name = product.name + (f" - {variant['name']}" if variant and variant.get("name") else "")
    return {
        "product_id": str(product.pk),
        "variant_id": str(variant["id"]) if variant else None,
        "sku": (variant or {}).get("sku") or product.sku,
        "name": name,
        "quantity": quantity,
        "unit_price": str(price),
        "total": str(line_total(price, quantity)),
        "notes": (item.notes or None),
    }, {}


def _resolve(item: ItemInput, catalog: dict[str, Product]) -> tuple[Product | None, dict | None, str | None]:
    """The product and variant a line names, or why it cannot be sold."""
    sku = (item.sku or "").strip()
    product = catalog.get(str(item.product_id)) if item.product_id else catalog.get(f"sku:{sku}")
    if product is None:
        return None, None, f"No product with SKU {sku!r}." if sku and not item.product_id else "Unknown product."
    if not product.is_active:
        return None, None, f"{product.name} is no longer sold."
    variant = None
    if item.variant_id:
        variant = next((v for v in product.variants if str(v.get("id")) == str(item.variant_id)), None)
        if variant is None:
            return None, None, f"{product.name} has no variant {item.variant_id}."
    elif sku and sku != product.sku:
        variant = next((v for v in product.variants if v.get("sku") == sku), None)
    if item.sku and item.product_id and sku not in {product.sku, (variant or {}).get("sku")}:
        return None, None, f"SKU {sku!r} does not belong to {product.name}."
    if variant is None and product.variants:
        # Stock is kept per variant: a line without one could not be taken from any.
        choices = ", ".join(str(v.get("sku") or v.get("id")) for v in product.variants)
        return None, None, f"Choose a variant of {product.name}: {choices}."
    return product, variant, None


def _unit_price(item, product, variant, prices_from_source, field, errors) -> Decimal | None:
    if prices_from_source and item.unit_price not in (None, ""):
        try:
            price = money(Decimal(str(item.unit_price).strip()))
        except (InvalidOperation, ValueError):
            errors[f"{field}.unit_price"] = ["Enter a price such as 149.00."]
            return None
        if price < 0 or price > Decimal("1000000"):
            errors[f"{field}.unit_price"] = ["The price must be between 0 and 1,000,000."]
            return None
        return price
    if variant and variant.get("price") is not None:
        return money(Decimal(str(variant["price"])))
    return money(product.price)


def _parse_quantity(value) -> int | None:
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    if str(value).strip() != str(quantity) and not isinstance(value, int):
        return None
    return quantity if 1 <= quantity <= MAX_QUANTITY else None


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
