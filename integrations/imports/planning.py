"""From a file's rows to the orders it describes, their intake inputs and their errors.

Rows that share an order reference are one order with several lines; a row without a reference is
an order of its own, keyed by a hash of its content (and its occurrence, so two identical rows are
two orders, and the same file imported again gives the same keys). Errors carry the row number as
the spreadsheet shows it (header = row 1), the file's own column name and the reason.

`plan_orders` only reads the file (errors of form: missing SKU, a price that is not a number...);
`check_orders` adds what intake would refuse (phone, catalog, quantity, address), using the orders
and customers apps' own validators, so the preview says what the import will do without writing.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings

from customers.phones import InvalidPhone, normalize_phone
from customers.services import CustomerInput, validate_customer_input
from orders.models import OrderSource
from orders.services.intake import OrderInput
from orders.services.pricing import MAX_LINES, ItemInput, price_items

from .columns import FIELDS, ColumnMap

ORDER_FIELDS = ("phone", "name", "email", "address", "city", "area", "delivery_fee", "notes")
MAX_LENGTHS = {"reference": 150, "city": 100, "area": 100, "address": 1000, "notes": 5000, "sku": 100}
MAX_PRICE, MAX_FEE = Decimal("1000000"), Decimal("100000")
PREVIEW_ROWS = 50
PREVIEW_ERRORS = 1000
PREVIEW_CELL = 200  # characters of a cell kept for the preview


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 200_000))


class TooManyRows(Exception):
    pass


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    reason: str

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass(slots=True)
class PlannedLine:
    row: int
    sku: str
    quantity: str
    price: str | None  # normalised ("149.00"), None when the file gives none


@dataclass(slots=True)
class PlannedOrder:
    reference: str
    external_id: str
    rows: list[int]
    values: dict[str, str]
    lines: list[PlannedLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.rows[0]

    def order_input(self, external_source: str) -> OrderInput:
        """The intake input for this order (source csv, the file's prices when it gives them)."""
        value = self.values.get
        customer = CustomerInput(
            phone=value("phone", ""),
            full_name=value("name", ""),
            email=value("email") or None,
            address=value("address") or None,
            city=value("city") or None,
            area=value("area") or None,
        )
        return OrderInput(
            source=OrderSource.CSV,
            customer=customer,
            items=[ItemInput(quantity=ln.quantity, sku=ln.sku, unit_price=ln.price) for ln in self.lines],
            delivery_address=value("address") or None,
            delivery_area=value("area") or None,
            customer_notes=value("notes") or None,
            prices_from_source=any(ln.price for ln in self.lines),
            delivery_fee=value("delivery_fee") or None,
            external_source=external_source,
            external_id=self.external_id,
        )


@dataclass
class Plan:
    columns: ColumnMap
    orders: list[PlannedOrder]
    total_rows: int
    preview: list[dict]  # the first data rows: {"row": n, "values": [...], "errors": [...]}

    def errors(self) -> Iterator[RowError]:
        for order in self.orders:
            yield from order.errors


# --- Reading rows into orders ---------------------------------------------------------------------


def plan_orders(rows: Iterable[tuple[int, list[str]]], columns: ColumnMap) -> Plan:
    """Group the rows into orders and check each cell's form. TooManyRows past IMPORT_MAX_ROWS."""
    by_reference: dict[str, PlannedOrder] = {}
    orders: list[PlannedOrder] = []
    seen_hashes: dict[str, int] = defaultdict(int)
    preview: list[dict] = []
    index, limit, total = columns.index, max_rows(), 0
    preview_fields = [name for name in FIELDS if name in index]
    for number, cells in rows:
        if not any(cells):
            continue
        total += 1
        if total > limit:
            raise TooManyRows(f"The file has more than {limit:,} rows: split it into smaller files.")
        get = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}.get
        if len(preview) < PREVIEW_ROWS:
            preview.append({"row": number, "values": [get(n, "")[:PREVIEW_CELL] for n in preview_fields], "errors": []})
        reference = get("reference", "")
        order = by_reference.get(reference) if reference else None
        if order is None:
            order = _new_order(number, reference, get, seen_hashes, columns)
            orders.append(order)
            if reference:
                by_reference[reference] = order
        else:
            order.rows.append(number)
            _merge_order_values(order, number, get, columns)
        order.lines.append(_line(number, get, columns, order.errors))
    for order in orders:
        if len(order.lines) > MAX_LINES:
            order.errors.append(RowError(order.line, columns.header("sku"), f"An order has at most {MAX_LINES} lines."))
    return Plan(columns=columns, orders=orders, total_rows=total, preview=preview)


def _new_order(number, reference, get, seen_hashes, columns) -> PlannedOrder:
    values = {name: get(name, "") for name in ORDER_FIELDS}
    errors: list[RowError] = []
    if reference:
        # Intake keys are 150 characters at most; a longer reference is refused (below) but still needs a key.
        long = len(reference) > MAX_LENGTHS["reference"]
        external_id = f"long-{hashlib.sha256(reference.encode()).hexdigest()[:40]}" if long else reference
    else:
        content = "\x1f".join(get(name, "") for name in FIELDS)
        digest = hashlib.sha256(content.encode()).hexdigest()[:24]
        seen_hashes[digest] += 1
        occurrence = seen_hashes[digest]
        external_id = f"row-{digest}" + (f"-{occurrence}" if occurrence > 1 else "")
    order = PlannedOrder(reference=reference, external_id=external_id, rows=[number], values=values, errors=errors)
    _check_lengths(order, number, {"reference": reference, **values}, columns)
    fee = values.get("delivery_fee")
    if fee:
        try:
            amount = parse_money(fee)
        except ValueError:
            amount = None
        if amount is None or not Decimal("0") <= amount <= MAX_FEE:
            errors.append(
                RowError(number, columns.header("delivery_fee"), "Enter a delivery fee such as 30.00 (0 or more).")
            )
        else:
            values["delivery_fee"] = str(amount)
    return order


def _merge_order_values(order: PlannedOrder, number: int, get, columns: ColumnMap) -> None:
    """A later row of the same order may repeat its details or leave them blank; a different phone is an error."""
    phone = get("phone", "")
    if phone and order.values.get("phone") and _digits(phone) != _digits(order.values["phone"]):
        order.errors.append(
            RowError(
                number,
                columns.header("phone"),
                f"Order {order.reference} has another phone on row {order.line}: all its rows must have the same.",
            )
        )
    for name in ORDER_FIELDS:
        if not order.values.get(name) and get(name, ""):
            order.values[name] = get(name, "")
            _check_lengths(order, number, {name: order.values[name]}, columns)


def _check_lengths(order: PlannedOrder, number: int, values: dict[str, str], columns: ColumnMap) -> None:
    for name, value in values.items():
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            order.errors.append(RowError(number, columns.header(name), f"At most {limit} characters here."))


def _line(number: int, get, columns: ColumnMap, errors: list[RowError]) -> PlannedLine:
    sku = get("sku", "")
    if not sku:
        errors.append(RowError(number, columns.header("sku"), "Enter the product's SKU."))
    elif len(sku) > MAX_LENGTHS["sku"]:
        errors.append(RowError(number, columns.header("sku"), f"At most {MAX_LENGTHS['sku']} characters here."))
    quantity = "1"
    if "quantity" in columns.index:
        quantity = _quantity(get("quantity", ""))
        if not quantity:
            errors.append(RowError(number, columns.header("quantity"), "Enter a quantity."))
    price = None
    raw_price = get("price", "")
    if raw_price:
        try:
            price = str(parse_money(raw_price))
        except ValueError:
            errors.append(RowError(number, columns.header("price"), "Enter a price such as 149.00."))
    return PlannedLine(row=number, sku=sku, quantity=quantity, price=price)


def _quantity(text: str) -> str:
    """The quantity 2 from "2", "2.0" or "2,00"; anything else is left for intake to refuse in its words."""
    match = re.fullmatch(r"\s*(\d+)(?:[.,]0+)?\s*", text)
    return str(int(match.group(1))) if match else text.strip()


def _digits(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except InvalidPhone:
        return re.sub(r"\D", "", phone)


_CURRENCY = re.compile(r"(?i)(mad|dhs?|dirhams?|eur|usd|€|\$)")


def parse_money(text: str) -> Decimal:
    """An amount from "149", "149.90", "149,90", "1 234,50", "1,234.50" or "149 MAD" (2 places); else ValueError."""
    value = _CURRENCY.sub("", str(text)).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    if "," in value and "." in value:
        thousands = "," if value.rfind(",") < value.rfind(".") else "."
        value = value.replace(thousands, "").replace(",", ".")
    elif value.count(",") == 1 and not re.fullmatch(r"-?\d{1,3},\d{3}", value):
        value = value.replace(",", ".")
    elif value.count(",") > 1 or re.fullmatch(r"-?\d{1,3},\d{3}", value):
        value = value.replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", value):
        raise ValueError(text)
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    return amount.quantize(Decimal("0.01"))


# --- What intake would refuse (for the preview) -------------------------------------------------------


def check_orders(plan: Plan, *, known_addresses) -> None:
    """Add to each order the errors order_create would give it, without writing anything.

    `known_addresses(phones)` -> the normalised phones of existing customers who have an address
    (intake accepts an order without one for them). Catalog checks use pricing.price_items itself,
    once per distinct SKU and quantity, so a 100,000-row file costs a few hundred small queries.
    """
    columns = plan.columns
    sku_errors: dict[str, list[str]] = {}
    quantity_errors: dict[str, list[str]] = {}
    need_address: dict[str, list[PlannedOrder]] = defaultdict(list)
    for order in plan.orders:
        values = order.values
        phone, customer_errors = validate_customer_input(
            CustomerInput(
                phone=values.get("phone", ""), full_name=values.get("name", ""), email=values.get("email") or None
            )
        )
        for path, messages in customer_errors.items():
            order.errors.extend(RowError(order.line, columns.header(_column_of(path)), m) for m in messages)
        if not values.get("address") and phone:
            need_address[phone].append(order)
        elif not values.get("address"):
            order.errors.append(RowError(order.line, columns.header("address"), ADDRESS_REQUIRED))
        for line in order.lines:
            _check_line(order, line, columns, sku_errors, quantity_errors)
    known = known_addresses(list(need_address)) if need_address else set()
    for phone, waiting in need_address.items():
        if phone not in known:
            for order in waiting:
                order.errors.append(RowError(order.line, columns.header("address"), ADDRESS_REQUIRED))


ADDRESS_REQUIRED = "A delivery address is required for cash on delivery."


def _check_line(order, line: PlannedLine, columns, sku_errors, quantity_errors) -> None:
    if line.sku and line.sku not in sku_errors:
        _, _, errors = price_items([ItemInput(quantity=1, sku=line.sku)], prices_from_source=False)
        sku_errors[line.sku] = [m for path, ms in errors.items() if not path.endswith(".quantity") for m in ms]
    if line.quantity and line.quantity not in quantity_errors:
        _, _, errors = price_items([ItemInput(quantity=line.quantity, sku="")], prices_from_source=False)
        quantity_errors[line.quantity] = errors.get("items.0.quantity", [])
    for message in sku_errors.get(line.sku, []):
        order.errors.append(RowError(line.row, columns.header("sku"), message))
    for message in quantity_errors.get(line.quantity, []):
        order.errors.append(RowError(line.row, columns.header("quantity"), message))
    if line.price is not None and not Decimal("0") <= Decimal(line.price) <= MAX_PRICE:
        order.errors.append(RowError(line.row, columns.header("price"), "The price must be between 0 and 1,000,000."))


# --- Intake's errors, back onto the file ---------------------------------------------------------------

_ORDER_PATHS = {
    "customer.phone": "phone",
    "customer.full_name": "name",
    "customer.email": "email",
    "delivery_address": "address",
    "delivery_fee": "delivery_fee",
    "delivery_area": "area",
    "customer_notes": "notes",
    "external_id": "reference",
    "items": "sku",
}
_LINE_FIELDS = {"quantity": "quantity", "unit_price": "price"}


def _column_of(path: str) -> str:
    return _ORDER_PATHS.get(path, "reference")


def errors_from_intake(order: PlannedOrder, errors: dict[str, list[str]], columns: ColumnMap) -> list[RowError]:
    """ValidationFailed.errors ("items.1.quantity": [...]) as errors on the file's rows and columns."""
    found = []
    for path, messages in errors.items():
        parts = path.split(".")
        row, column = order.line, _ORDER_PATHS.get(path)
        if parts[0] == "items" and len(parts) > 1 and parts[1].isdigit():
            position = int(parts[1])
            row = order.lines[position].row if position < len(order.lines) else order.line
            column = _LINE_FIELDS.get(parts[2] if len(parts) > 2 else "", "sku")
        header = columns.header(column) if column else path
        found.extend(RowError(row, header, message) for message in messages)
    return found
