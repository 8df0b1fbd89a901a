"""The one intake path: every order (manual, webhook, csv, api) is created by order_create()."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import record_activity
from accounts.models import Role, User
from common.errors import ValidationFailed
from customers.domain import assess_risk
from customers.models import Customer
from customers.services import CustomerInput, customer_find_or_create, validate_customer_input

from ..domain import money
from ..models import Order, OrderHistory, OrderSource, OrderStatus, PaymentMethod, Priority
from ..selectors import area_return_rate
from ..signals import order_created
from .pricing import ItemInput, delivery_fee_for, price_items

__all__ = ["CustomerInput", "IntakeResult", "ItemInput", "OrderInput", "order_create"]


@dataclass
class OrderInput:
    source: str
    customer: CustomerInput
    items: list[ItemInput]
    delivery_address: str | None = None
    delivery_area: str | None = None
    priority: str = Priority.MEDIUM
    payment_method: str = PaymentMethod.COD
    customer_notes: str | None = None
    internal_notes: str | None = None
    # For imported orders: the source's prices and shipping fee are kept as they were.
    prices_from_source: bool = False
    delivery_fee: Decimal | str | None = None
    # The source's own reference (e.g. "shopify:store.myshopify.com" + "5820417425592").
    external_source: str | None = None
    external_id: str | None = None
    webhook_source: str | None = None
    extra_errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    order: Order
    created: bool  # False when the same source order had already been taken in


def order_create(*, data: OrderInput, actor: User | None) -> IntakeResult:
    """Validate, price and create an order, finding or creating its customer by phone.

    All-or-nothing: ValidationFailed (with field paths such as "items.0.quantity",
    "customer.phone") means nothing was written. An order whose (external_source, external_id)
    was already taken in is returned as it is (created=False), also when two deliveries of it
    race. Possible duplicates and risky customers are flagged on the order, never refused.
    """
    if data.external_id:
        existing = _existing(data)
        if existing:
            return IntakeResult(existing, created=False)
    items, subtotal, errors = _validate(data)
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            order = _create(data, items, subtotal, actor)
    except IntegrityError:
        # A concurrent delivery of the same source order won the unique (external_source, id).
        existing = _existing(data) if data.external_id else None
        if existing is None:
            raise
        return IntakeResult(existing, created=False)
    return IntakeResult(order, created=True)


def _validate(data: OrderInput) -> tuple[list[dict], Decimal, dict[str, list[str]]]:
    errors: dict[str, list[str]] = dict(data.extra_errors)
    if data.source not in OrderSource.values:
        errors["source"] = [f"Unknown source {data.source!r}."]
    if data.priority not in Priority.values:
        errors["priority"] = ["Choose high, medium or low."]
    if data.payment_method not in PaymentMethod.values:
        errors["payment_method"] = ["Choose COD, bank transfer or cash."]
    phone, customer_errors = validate_customer_input(data.customer)
    errors.update(customer_errors)
    if not (_clean(data.delivery_address) or _clean(data.customer.address) or _known_address(phone)):
        errors["delivery_address"] = ["A delivery address is required for cash on delivery."]
    if _clean(data.external_id) and not _clean(data.external_source):
        errors["external_source"] = ["Say which source the external id belongs to."]
    if data.delivery_fee not in (None, "") and _fee(data) is None:
        errors["delivery_fee"] = ["Enter a delivery fee such as 30.00 (0 or more)."]
    items, subtotal, item_errors = price_items(data.items, prices_from_source=data.prices_from_source)
    errors.update(item_errors)
    return items, subtotal, errors


def _create(data: OrderInput, items: list[dict], subtotal: Decimal, actor: User | None) -> Order:
    customer, _ = customer_find_or_create(data=data.customer)
    area = _clean(data.delivery_area) or customer.area
    fee = _fee(data) if data.delivery_fee not in (None, "") else delivery_fee_for(area)
    duplicate_of = _find_duplicate(customer, items)
    risk = assess_risk(
        total_orders=customer.total_orders,
        return_rate=customer.return_rate,
        refused_orders=customer.refused_orders,
        is_blacklisted=customer.is_blacklisted,
        blacklist_reason=customer.blacklist_reason,
        area=area,
        area_return_rate=area_return_rate(area),
    )
    order = Order.objects.create(
        customer=customer,
        source=data.source,
        priority=data.priority,
        payment_method=data.payment_method,
        items=items,
        subtotal=subtotal,
        delivery_fee=fee,
        total_amount=money(subtotal + fee),
        delivery_address=_clean(data.delivery_address) or customer.address,
        delivery_area=area,
        customer_notes=_clean(data.customer_notes),
        internal_notes=_clean(data.internal_notes),
        prices_from_source=data.prices_from_source,
        external_source=_clean(data.external_source) if data.external_id else None,
        external_id=_clean(data.external_id),
        webhook_source=_clean(data.webhook_source),
        risk_band=risk.band,
        risk_reasons=list(risk.reasons),
        is_possible_duplicate=duplicate_of is not None,
        duplicate_of=duplicate_of,
    )
    record_activity(
        actor=actor,
        action="order_created",
        entity_type="order",
        entity_id=order.pk,
        changes={"status": {"old": None, "new": OrderStatus.NEW}},
        extra={
            "order_number": order.order_number,
            "source": order.source,
            "total_amount": order.total_amount,
            "possible_duplicate_of": duplicate_of.order_number if duplicate_of else None,
            "risk_band": risk.band,
        },
    )
    OrderHistory.objects.create(
        order=order,
        changed_by_user=actor,
        old_status=None,
        new_status=OrderStatus.NEW,
        notes=f"Created ({data.source})",
    )
    _after_create(order, actor)
    return order


def _after_create(order: Order, actor: User | None) -> None:
    from .calls import assign_rep_round_robin, auto_assign_enabled

    if actor is not None and actor.role == Role.CUSTOMER_REP:
        # A rep who takes an order on the phone confirms it too: it is theirs.
        Order.objects.filter(pk=order.pk).update(assigned_rep=actor)
        order.assigned_rep = actor
    elif auto_assign_enabled() and order.assigned_rep_id is None:
        order.assigned_rep = assign_rep_round_robin(order_id=order.pk)
    transaction.on_commit(
        lambda: order_created.send(
            sender=Order, order_id=order.pk, source=order.source, actor_id=actor.pk if actor else None
        )
    )


def _find_duplicate(customer, items: list[dict]) -> Order | None:
    """The customer's latest order within the window that shares an item (by SKU)."""
    if customer.pk is None or not items:
        return None
    since = timezone.now() - timedelta(hours=settings.DUPLICATE_WINDOW_HOURS)
    shares_an_item = Q()
    for sku in {item["sku"] for item in items}:
        shares_an_item |= Q(items__contains=[{"sku": sku}])
    return (
        Order.objects.filter(customer=customer, created_at__gte=since)
        .exclude(status=OrderStatus.CANCELLED)
        .filter(shares_an_item)
        .order_by("-created_at")
        .only("id", "order_number")
        .first()
    )


def _known_address(phone: str) -> str | None:
    """The address on file for a returning customer, so a rep need not type it again."""
    if not phone:
        return None
    return Customer.objects.filter(phone=phone).values_list("address", flat=True).first()


def _existing(data: OrderInput) -> Order | None:
    return Order.objects.filter(
        external_source=_clean(data.external_source), external_id=_clean(data.external_id)
    ).first()


def _fee(data: OrderInput) -> Decimal | None:
    try:
        fee = money(Decimal(str(data.delivery_fee).strip()))
    except (InvalidOperation, ValueError):
        return None
    return fee if Decimal("0") <= fee <= Decimal("100000") else None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
