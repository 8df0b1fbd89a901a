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

from django.db import models, transaction
from django.db.models.expressions import RawSQL

from accounts.audit import record_activity
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
