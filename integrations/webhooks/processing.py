"""From an accepted delivery to an order: classify the topic, map the payload, create the order
through the one intake path (orders.services.intake.order_create), or cancel it through the status
machine (orders.services.transitions.order_transition, actor None: the system).

Also the dry run behind the staff "mapping preview": the same mapping, then the intake's own
validation and pricing functions, writing nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from common.errors import DomainError, ValidationFailed
from customers.services import validate_customer_input
from orders.models import Order, OrderSource, OrderStatus
from orders.services.intake import OrderInput, order_create
from orders.services.pricing import delivery_fee_for, price_items
from orders.services.transitions import order_transition

from ..models import ProcessingState, Webhook, WebhookSource
from .mapping import MappedOrder, effective_mapping, map_payload

CREATE, UPDATE, CANCEL, IGNORE = "create", "update", "cancel", "ignore"
TOPICS = {
    WebhookSource.SHOPIFY: {
        "orders/create": CREATE,
        "orders/updated": UPDATE,
        "orders/edited": UPDATE,
        "orders/paid": UPDATE,
        "orders/fulfilled": UPDATE,
        "orders/partially_fulfilled": UPDATE,
        "orders/cancelled": CANCEL,
    },
    WebhookSource.WOOCOMMERCE: {
        "order.created": CREATE,
        "order.updated": UPDATE,
        "order.restored": UPDATE,
        "order.deleted": CANCEL,
    },
}
_DOMAIN = re.compile(r"[a-z0-9][a-z0-9.-]{0,120}")
_URL = re.compile(r"https?://[^\s]{1,120}")


@dataclass(frozen=True)
class Outcome:
    state: str
    message: str | None = None
    order_id: Any = None


def classify(source: str, topic: str | None, mapped: MappedOrder) -> str:
    """create / update / cancel / ignore, from the platform's topic (no topic: a new order)."""
    topic = (topic or "").strip().lower()
    if not topic:
        return CANCEL if mapped.cancelled else CREATE
    if source in TOPICS:
        return TOPICS[source].get(topic, IGNORE)
    if "cancel" in topic:
        return CANCEL
    if "update" in topic:
        return UPDATE
    return CREATE if any(word in topic for word in ("create", "new", "placed")) else IGNORE


def external_source(webhook: Webhook, headers: dict[str, str]) -> str:
    """Which store the order belongs to: "shopify:<shop domain>", "woocommerce:<store url>", else
    "webhook:<configuration id>". Two stores with the same order number never collide."""
    if webhook.source == WebhookSource.SHOPIFY:
        domain = (headers.get("X-Shopify-Shop-Domain") or "").strip().lower()
        if _DOMAIN.fullmatch(domain):
            return f"shopify:{domain}"
    if webhook.source == WebhookSource.WOOCOMMERCE:
        url = (headers.get("X-WC-Webhook-Source") or "").strip().rstrip("/")
        if _URL.fullmatch(url):
            scheme, _, rest = url.partition("://")
            host, slash, path = rest.partition("/")
            return f"woocommerce:{scheme.lower()}://{host.lower()}{slash}{path}"
    return f"webhook:{webhook.pk}"


def order_input(webhook: Webhook, mapped: MappedOrder, headers: dict[str, str]) -> OrderInput:
    label = WebhookSource(webhook.source).label
    notes = [f"{label} order {mapped.order_number or mapped.external_id} (webhook {webhook.name})", *mapped.warnings]
    errors = dict(mapped.errors)
    if not mapped.external_id:
        errors["order.external_id"] = ["The payload has no order id: map order.external_id."]
    return OrderInput(
        source=OrderSource.WEBHOOK,
        customer=mapped.customer,
        items=mapped.items,
        delivery_address=mapped.customer.address,
        delivery_area=mapped.delivery_area,
        customer_notes=mapped.notes,
        internal_notes="\n".join(notes)[:5000],
        prices_from_source=True,
        delivery_fee=mapped.delivery_fee,
        external_source=external_source(webhook, headers),
        external_id=mapped.external_id,
        webhook_source=webhook.source,
        extra_errors=errors,
    )


def process_payload(webhook: Webhook, payload: Any, *, topic: str | None, headers: dict[str, str]) -> Outcome:
    """Act on one delivery. The caller holds the log row's lock and records the outcome; each
    write here is its own savepoint, so a refusal leaves nothing behind."""
    mapped = map_payload(payload, effective_mapping(webhook.source, webhook.field_mapping))
    action = classify(webhook.source, topic or mapped.topic, mapped)
    if action == IGNORE:
        return Outcome(ProcessingState.IGNORED, f"Topic {topic or mapped.topic!r} is not handled.")
    data = order_input(webhook, mapped, headers)
    existing = _existing(data) if mapped.external_id else None
    if action == CANCEL or (action == UPDATE and mapped.cancelled):
        if existing is None:
            return Outcome(ProcessingState.IGNORED, "Cancellation of an order that was never taken in.")
        return _cancel(existing, webhook, mapped)
    if action == UPDATE and existing is not None:
        return Outcome(
            ProcessingState.IGNORED,
            f"Update of {existing.order_number}: only cancellations are applied; edit the order by hand.",
            existing.pk,
        )
    if mapped.cancelled:
        return Outcome(ProcessingState.IGNORED, "The order is already cancelled on the store.")
    try:
        result = order_create(data=data, actor=None)
    except ValidationFailed as exc:
        return Outcome(ProcessingState.FAILED, error_text(exc.errors))
    if result.created:
        return Outcome(ProcessingState.PROCESSED, f"Created {result.order.order_number}.", result.order.pk)
    return Outcome(ProcessingState.DUPLICATE, f"Already taken in as {result.order.order_number}.", result.order.pk)


def _cancel(order: Order, webhook: Webhook, mapped: MappedOrder) -> Outcome:
    if order.status == OrderStatus.CANCELLED:
        return Outcome(ProcessingState.IGNORED, f"{order.order_number} is already cancelled.", order.pk)
    reason = f"Cancelled on {WebhookSource(webhook.source).label}"
    if mapped.cancel_reason:
        reason += f" ({mapped.cancel_reason})"
    try:
        with transaction.atomic():
            order_transition(order_id=order.pk, to_status=OrderStatus.CANCELLED, actor=None, reason=reason)
    except DomainError as exc:  # the status machine refused (e.g. already out for delivery)
        return Outcome(ProcessingState.IGNORED, f"Not cancelled: {exc.message}", order.pk)
    return Outcome(ProcessingState.PROCESSED, f"Cancelled {order.order_number}.", order.pk)


def _existing(data: OrderInput) -> Order | None:
    return (
        Order.objects.filter(external_source=data.external_source, external_id=data.external_id)
        .only("id", "order_number", "status")
        .first()
    )


def error_text(errors: dict[str, list[str]]) -> str:
    return "\n".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items())


# --- The mapping preview (writes nothing) ---------------------------------------------------------


@dataclass
class Preview:
    mapped: MappedOrder
    action: str
    data: OrderInput
    phone: str = ""
    lines: list[dict] = field(default_factory=list)
    subtotal: Decimal = Decimal("0.00")
    delivery_fee: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    errors: dict[str, list[str]] = field(default_factory=dict)
    existing: Order | None = None

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(field, messages) pairs; templates cannot iterate a dict that has an "items" key."""
        return [(key, " ".join(messages)) for key, messages in self.errors.items()]


def preview(
    webhook: Webhook, payload: Any, *, topic: str | None, headers: dict[str, str], field_mapping: dict | None
) -> Preview:
    """What processing this payload would do, with the intake's own checks and prices. Reads only."""
    mapped = map_payload(payload, effective_mapping(webhook.source, field_mapping))
    data = order_input(webhook, mapped, headers)
    result = Preview(mapped=mapped, action=classify(webhook.source, topic or mapped.topic, mapped), data=data)
    result.errors = dict(data.extra_errors)
    result.phone, customer_errors = validate_customer_input(data.customer)
    result.errors.update(customer_errors)
    if not data.customer.address:
        result.errors["delivery_address"] = ["No delivery address in the payload (fine only for a known customer)."]
    result.lines, result.subtotal, item_errors = price_items(data.items, prices_from_source=True)
    result.errors.update(item_errors)
    fee = mapped.delivery_fee if mapped.delivery_fee is not None else delivery_fee_for(data.delivery_area)
    result.delivery_fee, result.total = fee, result.subtotal + fee
    result.existing = _existing(data) if data.external_id else None
    return result
