"""Changing an order's items and delivery address while it has not left the warehouse.

Pricing rule for edits (one rule, used by the edit page's preview and by the save):
- Orders priced by the catalog (manual, and imports without `prices_from_source`): every line is
  priced again at today's catalog price (the product's, or the variant's), exactly as intake
  would price the order now. The edit page shows the new totals before saving.
- Imported orders (`prices_from_source`): a line keeps the unit price recorded on the order when
  the same product and variant (i.e. the same SKU) is still on the order, whatever its new
  quantity; a line the order did not have is priced at the catalog price. The source's delivery
  fee is kept, as intake keeps it.
- The delivery fee of catalog-priced orders follows the delivery area when the area changes; an
  edit that keeps the area keeps the fee the customer was quoted.
All amounts are Decimal, rounded half-up to the cent (orders.domain.money).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts import policy
from accounts.audit import changes_between, record_activity
from accounts.models import User
from catalog.models import Product, StockReason
from catalog.services import StockLine, put_back_stock, take_stock
from common.errors import DomainError, PermissionDenied, ValidationFailed

from ..domain import EDITABLE, line_total, money
from ..models import Order, OrderStatus
from ..selectors import order_qs_for_update
from .pricing import ItemInput, delivery_fee_for, price_items

EDITED_FIELDS = ("items", "subtotal", "delivery_fee", "total_amount", "delivery_address", "delivery_area")


@dataclass(frozen=True)
class EditQuote:
    """What an order would look like with these items and this area (nothing written)."""

    items: list[dict]
    subtotal: Decimal
    delivery_fee: Decimal
    total_amount: Decimal
    errors: dict[str, list[str]]


def quote_edit(*, order: Order, items: list[ItemInput], delivery_area: str | None) -> EditQuote:
    """Price `items` for `order` by the edit rule above. Pure apart from catalog reads."""
    priced, _, errors = price_items(items, prices_from_source=False)
    if order.prices_from_source and not errors:
        recorded = {_line_key(line): line["unit_price"] for line in order.items}
        for line in priced:
            if _line_key(line) in recorded:
                line["unit_price"] = str(money(Decimal(recorded[_line_key(line)])))
                line["total"] = str(line_total(Decimal(line["unit_price"]), int(line["quantity"])))
    subtotal = money(sum((Decimal(line["total"]) for line in priced), Decimal("0")))
    area_changed = (_clean(delivery_area) or "").lower() != (order.delivery_area or "").lower()
    keep_fee = order.prices_from_source or not area_changed
    fee = money(order.delivery_fee) if keep_fee else delivery_fee_for(_clean(delivery_area))
    return EditQuote(priced, subtotal, fee, money(subtotal + fee), errors)


def order_update_items(
    *,
    order_id,
    items: list[ItemInput],
    delivery_address: str | None,
    delivery_area: str | None,
    actor: User | None,
) -> Order:
    """Replace an order's items and delivery address/area; re-price; move stock if it holds some.

    Preconditions: none; opens its own transaction and locks the order row. Allowed while the
    order's status is in orders.domain.EDITABLE, for actors with `orders.edit` on the order
    (`actor=None` is the system). When the order holds stock, the difference per (product,
    variant) is taken (RESERVE) or put back (RELEASE). Raises PermissionDenied, DomainError (not
    editable), ValidationFailed with paths like "items.1.quantity" (InsufficientStock is one,
    keyed "items.<n>"). Nothing is written on error; an edit that changes nothing writes nothing.
    """
    address = _clean(delivery_address)
    area = _clean(delivery_area)
    with transaction.atomic():
        order = order_qs_for_update().filter(pk=order_id).first()
        if order is None:
            raise DomainError("This order does not exist.", code="not_found")
        _check(order, actor)
        quote = quote_edit(order=order, items=items, delivery_area=area)
        errors = dict(quote.errors)
        if not address:
            errors["delivery_address"] = ["A delivery address is required for cash on delivery."]
        if errors:
            raise ValidationFailed(errors)
        before = _snapshot(order)
        after = {
            "items": quote.items,
            "subtotal": quote.subtotal,
            "delivery_fee": quote.delivery_fee,
            "total_amount": quote.total_amount,
            "delivery_address": address,
            "delivery_area": area,
        }
        if _comparable(before) == _comparable(after):
            return order
        if order.stock_reserved:
            _move_stock_difference(order, quote.items, actor)
        for name, value in after.items():
            setattr(order, name, value)
        order.save(update_fields=list(EDITED_FIELDS))
        record_activity(
            actor=actor,
            action="order_items_changed",
            entity_type="order",
            entity_id=order.pk,
            changes=changes_between(_comparable(before), _comparable(after)),
            extra={"order_number": order.order_number, "stock_moved": order.stock_reserved},
        )
    return order


def _check(order: Order, actor: User | None) -> None:
    """Caller holds the order's row lock, so the status checked is the one the edit applies to."""
    if actor is not None and (not actor.is_active or not policy.can(actor, "orders.edit", order)):
        raise PermissionDenied(f"You may not change order {order.order_number}.")
    if order.status not in EDITABLE:
        raise DomainError(
            f"Order {order.order_number} is {OrderStatus(order.status).label.lower()}; items and address "
            "can only change until it is ready for pickup.",
            code="not_editable",
        )


def _move_stock_difference(order: Order, new_items: list[dict], actor: User | None) -> None:
    """Take what the edit adds and put back what it removes, per (product, variant).

    Every product involved is locked first, in id order, so the take and the put-back (two
    move_stock calls) cannot deadlock with another order's movements, which lock in id order too.
    InsufficientStock propagates and rolls the whole edit back.
    """
    old = _quantities(order.items)
    new = _quantities(new_items)
    first_index = {}
    for index, line in enumerate(new_items):
        first_index.setdefault(_line_key(line), index)
    more, fewer = [], []
    for key in sorted(set(old) | set(new), key=str):
        delta = new.get(key, 0) - old.get(key, 0)
        if delta:
            line = StockLine(
                product_id=key[0],
                variant_id=key[1],
                quantity=abs(delta),
                field=f"items.{first_index[key]}" if key in first_index else "items",
            )
            (more if delta > 0 else fewer).append(line)
    if not (more or fewer):
        return
    product_ids = sorted({line.product_id for line in more + fewer})
    list(Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk").values_list("pk"))
    note = f"Items of {order.order_number} changed"
    if more:
        take_stock(lines=more, reason=StockReason.RESERVE, actor=actor, order_id=order.pk, note=note)
    if fewer:
        put_back_stock(lines=fewer, reason=StockReason.RELEASE, actor=actor, order_id=order.pk, note=note)


def _quantities(items: list[dict]) -> Counter:
    counts: Counter = Counter()
    for line in items:
        if line.get("product_id"):
            counts[_line_key(line)] += int(line["quantity"])
    return counts


def _line_key(line: dict) -> tuple[str, str | None]:
    return (str(line["product_id"]), str(line["variant_id"]) if line.get("variant_id") else None)


def _snapshot(order: Order) -> dict:
    return {name: getattr(order, name) for name in EDITED_FIELDS}


def _comparable(values: dict) -> dict:
    """Items as a readable summary and money as strings, for comparing and for the activity log."""
    return {
        "items": ", ".join(
            f"{line['quantity']} x {line['sku']} @ {money(Decimal(str(line['unit_price'])))}"
            for line in values["items"]
        ),
        "subtotal": str(money(values["subtotal"])),
        "delivery_fee": str(money(values["delivery_fee"])),
        "total_amount": str(money(values["total_amount"])),
        "delivery_address": values["delivery_address"],
        "delivery_area": values["delivery_area"],
    }


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
