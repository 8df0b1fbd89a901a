"""The field mapping engine: from a platform's order payload to what the intake needs.

A configuration's `field_mapping` has the schema's shape (`customer`, `order`, `items`); each target
names where its value comes from, a "source":

    "shipping_address.city"                      a dot path; a number indexes a list
    "shipping_lines.*.price"                     "*" takes every element (amounts are summed)
    ["customer.phone", "shipping_address.phone"] the first usable value wins
    {"join": ["customer.first_name", "customer.last_name"], "sep": " "}   non-empty parts joined
    {"value": "Casablanca"}                      a constant
    null                                         not mapped (removes a default)

`order.items` is the path of the line-item list; the `items` sources are read from each line. A
configuration's mapping is laid over its platform's default (defaults.py) target by target, so an
empty mapping is the default and `{"customer": {"phone": "billing.phone"}}` changes one thing.

Coercion: amounts as strings or numbers ("1 234,50", "149.00", 149) become Decimal; quantities
whole numbers; names and addresses are trimmed, NFC-normalised unicode; the phone is the first
source that is a valid number (any format), else the first non-empty one (the intake says why it
is wrong). Prices are the store's (discounts included): a line's total after discounts divided by
its quantity, else its price less its discounts. Errors are keyed like the intake's
("items.0.sku", "order.delivery_fee").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from customers.phones import InvalidPhone, normalize_phone
from customers.services import CustomerInput
from orders.services.pricing import ItemInput

from .defaults import DEFAULT_MAPPINGS, TARGETS

MISSING = object()
CENT = Decimal("0.01")
CANCELLED_STATUSES = frozenset({"cancelled", "canceled", "refunded", "failed", "trash", "voided"})
MAX_DEPTH = 12  # nesting of a mapping source (joins of joins): a config can't recurse forever


class MappingError(ValueError):
    """The mapping itself is malformed; `errors` maps a target ("customer.phone") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class MappedOrder:
    """A payload read through a mapping. `errors` are problems of the payload (nothing is written)."""

    customer: CustomerInput
    items: list[ItemInput]
    external_id: str | None = None
    order_number: str | None = None
    delivery_fee: Decimal | None = None
    delivery_area: str | None = None
    notes: str | None = None
    status: str | None = None
    cancelled: bool = False
    cancel_reason: str | None = None
    topic: str | None = None
    store_total: Decimal | None = None
    store_subtotal: Decimal | None = None
    warnings: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


# --- The mapping as configured ----------------------------------------------------------------


def effective_mapping(source: str, field_mapping: dict | None) -> dict[str, dict[str, Any]]:
    """The platform's default with the configuration's targets laid over it (null removes one)."""
    base = DEFAULT_MAPPINGS.get(source) or DEFAULT_MAPPINGS["custom"]
    merged = {section: dict(values) for section, values in base.items()}
    for section, values in (field_mapping or {}).items():
        if isinstance(values, dict):
            for target, spec in values.items():
                if spec is None:
                    merged.setdefault(section, {}).pop(target, None)
                else:
                    merged.setdefault(section, {})[target] = spec
    return merged


def validate_mapping(field_mapping: Any) -> dict[str, list[str]]:
    """Errors of a configured mapping (empty when it is usable), keyed by target."""
    if field_mapping in (None, ""):
        return {}
    if not isinstance(field_mapping, dict):
        return {"field_mapping": ["The mapping must be a JSON object with customer, order and items."]}
    errors: dict[str, list[str]] = {}
    for section, values in field_mapping.items():
        if section not in TARGETS:
            errors[section] = [f"Unknown section {section!r}: use {', '.join(TARGETS)}."]
            continue
        if not isinstance(values, dict):
            errors[section] = ["Must be an object of target: source."]
            continue
        for target, spec in values.items():
            if target not in TARGETS[section]:
                errors[f"{section}.{target}"] = [f"Unknown target: use {', '.join(TARGETS[section])}."]
            elif spec is not None and (problem := _source_problem(spec, 0)):
                errors[f"{section}.{target}"] = [problem]
    return errors


def _source_problem(spec: Any, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return "Nested too deeply."
    if isinstance(spec, str):
        return None if spec.strip() and all(part for part in spec.split(".")) else f"{spec!r} is not a path."
    if isinstance(spec, list):
        if not spec:
            return "An empty list of sources."
        return next((p for item in spec if (p := _source_problem(item, depth + 1))), None)
    if isinstance(spec, dict):
        if set(spec) == {"value"}:
            return None
        if "join" in spec and set(spec) <= {"join", "sep"}:
            if not isinstance(spec["join"], list) or not isinstance(spec.get("sep", " "), str):
                return '"join" takes a list of sources and "sep" a string.'
            return next((p for item in spec["join"] if (p := _source_problem(item, depth + 1))), None)
    return 'A source is a path, a list of sources, {"join": [...], "sep": " "} or {"value": ...}.'


# --- Reading a payload --------------------------------------------------------------------------


def resolve(data: Any, path: str) -> Any:
    """The value at a dot path; "*" maps over a list; MISSING when the path is not there."""
    current: Any = data
    parts = path.split(".")
    for index, part in enumerate(parts):
        if part == "*":
            if not isinstance(current, list):
                return MISSING
            rest = ".".join(parts[index + 1 :])
            values = [resolve(element, rest) if rest else element for element in current]
            return [value for value in values if value is not MISSING and value is not None]
        if isinstance(current, dict):
            current = current.get(part, MISSING)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return MISSING
        if current is MISSING:
            return MISSING
    return current


def candidates(data: Any, spec: Any, depth: int = 0) -> list[Any]:
    """Every value a source gives, in order of preference (joins give one text)."""
    if spec is None or depth > MAX_DEPTH:
        return []
    if isinstance(spec, str):
        value = resolve(data, spec)
        return [] if value is MISSING or value is None else [value]
    if isinstance(spec, list):
        return [value for item in spec for value in candidates(data, item, depth + 1)]
    if isinstance(spec, dict) and "value" in spec:
        return [spec["value"]]
    if isinstance(spec, dict) and isinstance(spec.get("join"), list):
        parts = [text(first(data, item, depth + 1)) for item in spec["join"]]
        joined = str(spec.get("sep", " ")).join(part for part in parts if part)
        return [joined] if joined else []
    return []


def first(data: Any, spec: Any, depth: int = 0) -> Any:
    """The first usable value of a source (an empty text or list counts as missing)."""
    for value in candidates(data, spec, depth):
        if value not in ("", []) and not (isinstance(value, str) and not value.strip()):
            return value
    return None


# --- Coercion -----------------------------------------------------------------------------------


def text(value: Any, limit: int | None = None) -> str | None:
    """A trimmed, NFC-normalised single-spaced text; numbers as written; None for objects."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = " ".join(unicodedata.normalize("NFC", str(value)).replace("\x00", "").split())
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8")
    return (cleaned[:limit] if limit else cleaned) or None


def amount(value: Any) -> Decimal | None:
    """149, 149.5, "149.00", "1,234.50", "1 234,50", "MAD 149" -> Decimal; a list is summed.
    Raises ValueError for something that is not an amount."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        parts = [amount(v) for v in value]
        present = [p for p in parts if p is not None]
        return sum(present, Decimal("0")) if present else None
    if isinstance(value, bool | dict):
        raise ValueError(f"{value!r} is not an amount")
    number = Decimal(str(value)) if isinstance(value, int | float | Decimal) else _parse_amount_text(str(value))
    if not number.is_finite() or abs(number) > Decimal("1e12"):
        raise ValueError(f"{value!r} is not an amount")
    return number


def _parse_amount_text(raw: str) -> Decimal:
    cleaned = "".join(ch for ch in raw.strip() if ch.isdigit() or ch in ".,-")
    if not any(ch.isdigit() for ch in cleaned) or len(cleaned) > 40:
        raise ValueError(f"{raw!r} is not an amount")
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in cleaned:
        whole, _, cents = cleaned.rpartition(",")
        cleaned = f"{whole.replace(',', '')}.{cents}" if len(cents) != 3 else cleaned.replace(",", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"{raw!r} is not an amount") from exc


def quantity(value: Any) -> int | str | None:
    """2, "2", 2.0, "2.0" -> 2; anything else is passed on for the intake to refuse with its message."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        digits = value.strip().removesuffix(".0")
        if digits.isascii() and digits.isdigit() and len(digits) < 10:
            return int(digits)
    return value if isinstance(value, int | str) else (None if value is None else str(value))


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def best_phone(values: list[Any]) -> str:
    """The first value that is a valid phone number, else the first non-empty one, else ""."""
    texts = [t for t in (text(v, 60) for v in values) if t]
    for value in texts:
        try:
            normalize_phone(value)
        except InvalidPhone:
            continue
        return value
    return texts[0] if texts else ""


# --- A payload through a mapping ------------------------------------------------------------------


def map_payload(payload: Any, mapping: dict[str, dict[str, Any]]) -> MappedOrder:
    """Read an order out of `payload` with an effective mapping. Never raises for bad payloads:
    their problems are in `.errors` (keyed like the intake's) and `.warnings`."""
    if not isinstance(payload, dict):
        return MappedOrder(customer=CustomerInput(phone=""), items=[], errors={"payload": ["Not a JSON object."]})
    on_customer, on_order = mapping.get("customer", {}), mapping.get("order", {})
    mapped = MappedOrder(customer=CustomerInput(phone=""), items=[])
    mapped.delivery_area = text(first(payload, on_order.get("delivery_area")), 100)
    mapped.customer = _customer(payload, on_customer, mapped)
    mapped.external_id = text(first(payload, on_order.get("external_id")), 150)
    mapped.order_number = text(first(payload, on_order.get("order_number")), 100)
    mapped.notes = text(first(payload, on_order.get("notes")), 5000)
    mapped.status = (text(first(payload, on_order.get("status")), 50) or "").lower() or None
    mapped.cancel_reason = text(first(payload, on_order.get("cancel_reason")), 200)
    mapped.topic = text(first(payload, on_order.get("topic")), 100)
    mapped.cancelled = bool(first(payload, on_order.get("cancelled_at"))) or mapped.status in CANCELLED_STATUSES
    mapped.delivery_fee = _amount_of(payload, on_order.get("delivery_fee"), "order.delivery_fee", mapped.errors)
    mapped.store_total = _amount_of(payload, on_order.get("total"), "order.total", {})
    mapped.store_subtotal = _amount_of(payload, on_order.get("subtotal"), "order.subtotal", {})
    mapped.items = _items(payload, on_order.get("items"), mapping.get("items", {}), mapped)
    _check_totals(mapped)
    return mapped


def _customer(payload: dict, on_customer: dict, mapped: MappedOrder) -> CustomerInput:
    name = text(first(payload, on_customer.get("name")), 300)
    if not name:
        parts = (text(first(payload, on_customer.get(key)), 150) for key in ("first_name", "last_name"))
        name = " ".join(part for part in parts if part)
    email = text(first(payload, on_customer.get("email")), 255)
    if email and "@" not in email:
        mapped.warnings.append(f"Ignored the email {email!r}: not an address.")
        email = None
    return CustomerInput(
        phone=best_phone(candidates(payload, on_customer.get("phone"))),
        full_name=name or "",
        email=email,
        address=text(first(payload, on_customer.get("address")), 1000),
        city=text(first(payload, on_customer.get("city")), 100),
        area=mapped.delivery_area,
        postal_code=text(first(payload, on_customer.get("postal_code")), 20),
    )


def _amount_of(data: Any, spec: Any, key: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        value = amount(first(data, spec))
    except ValueError as exc:
        errors[key] = [f"{exc}."]
        return None
    return money(value) if value is not None else None


def _items(payload: dict, spec: Any, on_item: dict, mapped: MappedOrder) -> list[ItemInput]:
    lines = first(payload, spec)
    if not isinstance(lines, list) or not lines:
        mapped.errors["items"] = [f"No line items found at {_describe(spec)}."]
        return []
    items, sku_choices = [], []
    for index, line in enumerate(lines[:101]):  # the intake refuses more than 100 lines
        if not isinstance(line, dict):
            mapped.errors[f"items.{index}"] = ["A line item must be an object."]
            continue
        name = text(first(line, on_item.get("name")), 255)
        skus = list(dict.fromkeys(t for t in (text(v, 100) for v in candidates(line, on_item.get("sku"))) if t))
        if not skus:
            mapped.errors[f"items.{index}.sku"] = [f"Line {index + 1} ({name or 'no name'}) has no SKU."]
        count = quantity(first(line, on_item.get("quantity")))
        price = _unit_price(line, on_item, count, f"items.{index}", mapped)
        items.append(ItemInput(quantity=count if count is not None else "", sku=skus[0] if skus else None,
                               unit_price=price, name=name))  # fmt: skip
        sku_choices.append(skus)
    _prefer_known_skus(items, sku_choices)
    return items


def _unit_price(line: dict, on_item: dict, count: Any, key: str, mapped: MappedOrder) -> Decimal | None:
    """The store's unit price after discounts: line total / quantity, else price - discounts / quantity."""
    errors: dict[str, list[str]] = {}
    line_total = _amount_of(line, on_item.get("line_total"), f"{key}.line_total", errors)
    price = _amount_of(line, on_item.get("price"), f"{key}.price", errors)
    discount = _amount_of(line, on_item.get("discount"), f"{key}.discount", errors) or Decimal("0")
    mapped.errors.update(errors)
    whole = count if isinstance(count, int) and count > 0 else None
    if errors or whole is None:
        return price
    if line_total is not None:
        expected = line_total
    elif price is not None:
        expected = price * whole - discount
    else:
        mapped.warnings.append(f"{key}: no price in the payload; the catalog's price is used.")
        return None
    unit = money(expected / whole)
    if money(unit * whole) != money(expected):
        mapped.warnings.append(f"{key}: the store's line total {money(expected)} is priced {unit} x {whole}.")
    return unit


def _prefer_known_skus(items: list[ItemInput], choices: list[list[str]]) -> None:
    """A line with several SKU candidates (variant SKU, then product SKU) takes the first the
    catalog knows; with none known, the first (the intake then names it as unknown)."""
    ambiguous = {sku for skus in choices if len(skus) > 1 for sku in skus}
    if not ambiguous:
        return
    known = known_skus(ambiguous)
    for item, skus in zip(items, choices, strict=True):
        item.sku = next((sku for sku in skus if sku in known), item.sku)


def known_skus(skus: set[str]) -> set[str]:
    """Which of these SKUs the catalog has, as a product's or a variant's (exact, as intake matches)."""
    from django.db.models import Q

    from catalog.models import Product

    query = Q(sku__in=skus)
    for sku in skus:
        query |= Q(variants__contains=[{"sku": sku}])
    found: set[str] = set()
    for sku, variants in Product.objects.filter(query).values_list("sku", "variants"):
        found.add(sku)
        found |= {str(v.get("sku")) for v in variants or [] if isinstance(v, dict) and v.get("sku")}
    return found & skus


def _check_totals(mapped: MappedOrder) -> None:
    prices = [item.unit_price for item in mapped.items]
    if mapped.store_total is None or mapped.delivery_fee is None or any(p is None for p in prices):
        return
    if any(not isinstance(item.quantity, int) for item in mapped.items):
        return
    computed = sum((money(item.unit_price * item.quantity) for item in mapped.items), Decimal("0"))
    computed += mapped.delivery_fee
    if computed != mapped.store_total:
        mapped.warnings.append(
            f"The store's total is {mapped.store_total}; lines and delivery make {computed} (taxes or rounding)."
        )


def _describe(spec: Any) -> str:
    return repr(spec) if not isinstance(spec, str) else f"'{spec}'"
