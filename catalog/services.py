"""Writes to the catalog: stock movements. Every change of stock goes through move_stock().

Stock lives in products.stock_quantity and, for products with variants, also in the variant's
"stock" inside the variants JSONB array (the product's figure is the total). Each change locks the
product rows (in id order, so two orders never deadlock), checks that nothing goes negative,
writes the new figures and one stock_movements row per line, all in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from accounts.audit import changes_between, record_activity
from accounts.models import NotificationType, User
from accounts.selectors import managers
from accounts.services import notify
from common.errors import ValidationFailed

from .models import Product, StockMovement, StockReason


@dataclass(frozen=True)
class StockLine:
    product_id: uuid.UUID | str
    quantity: int
    variant_id: str | None = None
    # Where the line came from in the caller's input (e.g. "items.2"), for error messages.
    field: str = "items"


class InsufficientStock(ValidationFailed):
    """Some lines ask for more than is in stock; `errors` says which, and nothing was changed."""


def take_stock(
    *, lines: Iterable[StockLine], reason: str, actor: User | None, order_id=None, note: str = ""
) -> list[StockMovement]:
    """Take the lines out of stock (all or nothing). Raises InsufficientStock."""
    return move_stock(lines=lines, sign=-1, reason=reason, actor=actor, order_id=order_id, note=note)


def put_back_stock(
    *, lines: Iterable[StockLine], reason: str, actor: User | None, order_id=None, note: str = ""
) -> list[StockMovement]:
    """Return the lines to stock (a cancelled order, a customer return)."""
    return move_stock(lines=lines, sign=+1, reason=reason, actor=actor, order_id=order_id, note=note)


@transaction.atomic
def move_stock(
    *, lines: Iterable[StockLine], sign: int, reason: str, actor: User | None, order_id=None, note: str = ""
) -> list[StockMovement]:
    lines = [line for line in lines if line.quantity]
    _check_lines(lines)
    if not lines:
        return []
    products = _lock_products({line.product_id for line in lines})
    errors: dict[str, list[str]] = defaultdict(list)
    movements: list[StockMovement] = []
    crossed_low: list[Product] = []
    for line in lines:
        product = products.get(_as_uuid(line.product_id))
        if product is None:
            errors[line.field].append("This product no longer exists.")
            continue
        was_low = product.is_low_stock
        delta = sign * line.quantity
        variant_after = _apply_to_variant(product, line, delta, errors) if line.variant_id else None
        if product.stock_quantity + delta < 0:
            errors[line.field].append(
                f"Only {product.stock_quantity} of {product.name} ({product.sku}) left in stock, "
                f"{line.quantity} needed."
            )
            continue
        product.stock_quantity += delta
        movements.append(
            StockMovement(
                product=product,
                variant_id=line.variant_id,
                quantity_delta=delta,
                stock_after=product.stock_quantity,
                variant_stock_after=variant_after,
                reason=reason,
                order_id=order_id,
                actor=actor,
                note=note or None,
                created_at=_ledger_time(len(movements)),
            )
        )
        if product.is_low_stock and not was_low:
            crossed_low.append(product)
    if errors:
        # Nothing was saved yet: the locked rows are only changed in memory.
        raise InsufficientStock(dict(errors), "Not enough stock for this order.")
    for product in {m.product_id: m.product for m in movements}.values():
        product.save(update_fields=["stock_quantity", "variants"])
    StockMovement.objects.bulk_create(movements)
    if crossed_low:
        _notify_low_stock(crossed_low)
    return movements


def adjust_stock(*, product_id, variant_id: str | None, delta: int, actor: User, note: str) -> StockMovement:
    """A counted correction or a restock, with the reason written down."""
    if not note.strip():
        raise ValidationFailed.single("note", "Say why the stock changes.")
    if not delta:
        raise ValidationFailed.single("quantity", "Give a quantity to add or remove.")
    reason = StockReason.RESTOCK if delta > 0 else StockReason.ADJUSTMENT
    line = StockLine(product_id=product_id, quantity=abs(delta), variant_id=variant_id, field="quantity")
    with transaction.atomic():
        (movement,) = move_stock(lines=[line], sign=1 if delta > 0 else -1, reason=reason, actor=actor, note=note)
        record_activity(
            actor=actor,
            action="stock_adjusted",
            entity_type="product",
            entity_id=movement.product_id,
            changes={"stock_quantity": {"old": movement.stock_after - delta, "new": movement.stock_after}},
            extra={"variant_id": variant_id, "reason": reason, "note": note},
        )
    return movement


def _check_lines(lines: list[StockLine]) -> None:
    """Refuse malformed lines before locking anything (a negative quantity would turn a take into a put)."""
    errors: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        if line.quantity < 0:
            errors[line.field].append("The quantity must be positive.")
        if _as_uuid(line.product_id) is None:
            errors[line.field].append("This product does not exist.")
    if errors:
        raise ValidationFailed(dict(errors))


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _ledger_time(index: int) -> RawSQL:
    """The movement's time: the INSERT's statement time (as the column default) plus `index` microseconds.

    The default alone gives every row of one INSERT the same time, so two movements of one
    product in one call (two lines, two variants) would tie and ordering by created_at could not
    replay the stock. The offset keeps them in line order; a later movement of the product waits
    for this transaction's lock, so its statement starts well after these rows.
    """
    return RawSQL(
        "statement_timestamp() + %s * interval '1 microsecond'", (index,), output_field=models.DateTimeField()
    )


def _lock_products(product_ids: set) -> dict[uuid.UUID, Product]:
    ids = sorted(_as_uuid(pid) for pid in product_ids)
    locked = Product.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {product.pk: product for product in locked}


def _apply_to_variant(product: Product, line: StockLine, delta: int, errors: dict) -> int | None:
    """Change the variant's stock inside product.variants (in memory); None when refused."""
    variant = next((v for v in product.variants if str(v.get("id")) == str(line.variant_id)), None)
    if variant is None:
        errors[line.field].append(f"{product.name} has no variant {line.variant_id}.")
        return None
    stock = int(variant.get("stock") or 0)
    if stock + delta < 0:
        errors[line.field].append(
            f"Only {stock} of {product.name} - {variant.get('name', line.variant_id)} left, {line.quantity} needed."
        )
        return None
    variant["stock"] = stock + delta
    return stock + delta


def _notify_low_stock(products: list[Product]) -> None:
    """Managers hear once, when a product crosses its threshold (not on every later order)."""
    recipients = list(managers())
    for product in products:
        notify(
            users=recipients,
            type=NotificationType.ALERT,
            title=f"Low stock: {product.name}",
            message=f"{product.sku} is down to {product.stock_quantity} (threshold {product.low_stock_threshold}).",
            data={"product_id": str(product.pk), "sku": product.sku, "action": "low_stock", "link": "/products/"},
        )


# --- Products and variants (never stock) -------------------------------------------------------
# Stock is not among these fields: a product starts at 0 and a new variant too; stock then moves
# only through move_stock (orders) and adjust_stock (counted corrections and restocks, with a note).

PRODUCT_FIELDS = (
    "name",
    "description",
    "category",
    "price",
    "cost_price",
    "low_stock_threshold",
    "is_active",
    "images",
)
CENT = Decimal("0.01")
MAX_PRICE = Decimal("9999999999.99")  # numeric(12,2)


def _claim_skus() -> None:
    """Serialise the writes that claim SKUs (products and variants): a SKU must be unique across both,
    which no single index can say. Held to the end of the transaction; these writes are rare."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('catalog:sku'))")


def sku_taken(sku: str, *, product_id=None, variant_id: str | None = None) -> bool:
    """Is `sku` (any case) a product's SKU or a variant's, other than the one being edited?"""
    variant_has_sku = RawSQL(
        "EXISTS (SELECT 1 FROM jsonb_array_elements(products.variants) AS v WHERE lower(v->>'sku') = lower(%s))",
        (sku,),
        output_field=models.BooleanField(),
    )
    candidates = Product.objects.annotate(variant_has_sku=variant_has_sku).filter(
        Q(sku__iexact=sku) | Q(variant_has_sku=True)
    )
    for product in candidates.only("id", "sku", "variants"):
        if product.sku.lower() == sku.lower() and (variant_id is not None or product.pk != product_id):
            return True
        for variant in product.variants:
            same = product.pk == product_id and str(variant.get("id")) == str(variant_id)
            if str(variant.get("sku", "")).lower() == sku.lower() and not same:
                return True
    return False


def _clean_product_values(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """Validated, normalised values of the PRODUCT_FIELDS present in `data`."""
    unknown = set(data) - set(PRODUCT_FIELDS) - {"sku"}
    if unknown:  # stock_quantity, variants...: never through here
        raise ValueError(f"not editable here: {sorted(unknown)}")
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = (data["name"] or "").strip()
        if not values["name"]:
            errors["name"].append("A product needs a name.")
        elif len(values["name"]) > 255:
            errors["name"].append("The name is too long (255 characters at most).")
    for name in ("description", "category"):
        if name in data:
            values[name] = (data[name] or "").strip() or None
    if values.get("category") and len(values["category"]) > 100:
        errors["category"].append("The category is too long (100 characters at most).")
    for name in ("price", "cost_price"):
        if name in data:
            values[name] = _money(data[name], name, errors, required=name == "price")
    if "low_stock_threshold" in data:
        try:
            values["low_stock_threshold"] = int(data["low_stock_threshold"])
        except (TypeError, ValueError):
            values["low_stock_threshold"] = -1
        if not 0 <= values["low_stock_threshold"] <= 1_000_000:
            errors["low_stock_threshold"].append("The threshold is a whole number from 0 to 1,000,000.")
    if "is_active" in data:
        values["is_active"] = bool(data["is_active"])
    if "images" in data:
        values["images"] = list(data["images"] or [])
    return values


def _money(value, field: str, errors: dict[str, list[str]], *, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors[field].append("Give a price.")
        return None
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        errors[field].append("Give an amount like 149.00.")
        return None
    if amount < 0:
        errors[field].append("An amount cannot be negative.")
    elif amount > MAX_PRICE:
        errors[field].append("This amount is too large.")
    return amount


@transaction.atomic
def product_create(*, data: dict[str, Any], actor: User | None) -> Product:
    """A new product with stock 0 (stock comes in through adjust_stock). The SKU is unique among
    products and variants, whatever the case. Raises ValidationFailed keyed by field."""
    errors: dict[str, list[str]] = defaultdict(list)
    values = _clean_product_values({"name": "", "price": None, **data}, errors)
    sku = (data.get("sku") or "").strip()
    if not sku:
        errors["sku"].append("A product needs a SKU.")
    elif len(sku) > 100:
        errors["sku"].append("The SKU is too long (100 characters at most).")
    if errors:
        raise ValidationFailed(dict(errors))
    _claim_skus()
    if sku_taken(sku):
        raise ValidationFailed.single("sku", f"The SKU {sku} is already used by another product or variant.")
    try:
        with transaction.atomic():
            product = Product.objects.create(sku=sku, stock_quantity=0, variants=[], **values)
    except IntegrityError as exc:  # the unique index, should anything get past the check
        raise ValidationFailed.single("sku", f"The SKU {sku} is already used by another product.") from exc
    record_activity(
        actor=actor,
        action="product_created",
        entity_type="product",
        entity_id=product.pk,
        changes={name: {"old": None, "new": value} for name, value in {"sku": sku, **values}.items()},
    )
    return product


@transaction.atomic
def product_update(*, product_id, data: dict[str, Any], actor: User | None) -> Product:
    """Change a product's details (PRODUCT_FIELDS; never its stock, SKU or variants). Records the
    fields that changed; saves nothing when nothing did. Raises ValidationFailed keyed by field."""
    if "sku" in data:
        raise ValueError("the SKU of an existing product does not change (orders and imports refer to it)")
    errors: dict[str, list[str]] = defaultdict(list)
    values = _clean_product_values(data, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    product = Product.objects.select_for_update().get(pk=product_id)
    before = {name: getattr(product, name) for name in values}
    changes = changes_between(before, values)
    if not changes:
        return product
    for name in changes:
        setattr(product, name, values[name])
    product.save(update_fields=sorted(changes))
    record_activity(actor=actor, action="product_updated", entity_type="product", entity_id=product.pk, changes=changes)
    return product


@transaction.atomic
def product_variant_save(*, product_id, variant_id: str | None, data: dict[str, Any], actor: User | None) -> dict:
    """Add a variant (`variant_id=None`; its stock starts at 0) or change a variant's name, SKU, price
    and attributes. Its stock is never set here. Returns the variant as stored."""
    errors: dict[str, list[str]] = defaultdict(list)
    name = (data.get("name") or "").strip()
    sku = (data.get("sku") or "").strip()
    if not name:
        errors["name"].append("A variant needs a name, e.g. Size: Large.")
    if not sku:
        errors["sku"].append("A variant needs its own SKU.")
    elif len(sku) > 100:
        errors["sku"].append("The SKU is too long (100 characters at most).")
    price = _money(data.get("price"), "price", errors, required=False)
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        errors["attributes"].append("Attributes are names with text values.")
    if errors:
        raise ValidationFailed(dict(errors))
    _claim_skus()
    product = Product.objects.select_for_update().get(pk=product_id)
    if variant_id is None and not product.variants and product.stock_quantity:
        raise ValidationFailed.single(
            "name",
            f"{product.name} has {product.stock_quantity} in stock that belongs to no variant. Adjust its stock "
            "to 0 first (with a note), then add the variants and restock each one.",
        )
    if sku_taken(sku, product_id=product.pk, variant_id=variant_id or ""):
        raise ValidationFailed.single("sku", f"The SKU {sku} is already used by another product or variant.")
    fields = {"name": name, "sku": sku, "price": str(price) if price is not None else None, "attributes": attributes}
    if variant_id is None:
        taken = {str(v.get("id")) for v in product.variants}
        number = len(product.variants) + 1
        while f"var-{number}" in taken:
            number += 1
        variant = {"id": f"var-{number}", **fields, "stock": 0}
        product.variants = [*product.variants, variant]
        before, action = {}, "product_variant_added"
    else:
        variant = next((v for v in product.variants if str(v.get("id")) == str(variant_id)), None)
        if variant is None:
            raise ValidationFailed.single("name", f"{product.name} has no variant {variant_id}.")
        before, action = {key: variant.get(key) for key in fields}, "product_variant_updated"
        variant.update(fields)
    changes = changes_between(before, fields)
    if changes:
        product.save(update_fields=["variants"])
        record_activity(
            actor=actor,
            action=action,
            entity_type="product",
            entity_id=product.pk,
            changes=changes,
            extra={"variant_id": variant["id"]},
        )
    return variant
