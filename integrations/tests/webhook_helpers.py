"""Shared pieces of the webhook tests: the platforms' sample payloads, configurations, a catalog that
sells what the samples order, and signed requests to the endpoint."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.tests.factories import ProductFactory
from integrations.models import Webhook, WebhookLog
from integrations.services import webhook_create
from integrations.webhooks import ingest
from integrations.webhooks.verify import sign_base64

FIXTURES = Path(__file__).parent / "fixtures"
SHOPIFY_SECRET = "shpss_0123456789abcdef0123456789abcdef"
WOO_SECRET = "woo-secret-0123456789abcdef"
CUSTOM_SECRET = "custom-secret-0123456789"
CUSTOM_API_KEY = "whk_custom_api_key_0123456789"
SHOP = "souk-demo.myshopify.com"
WOO_STORE = "https://boutique-demo.ma"


def sample_bytes(name: str) -> bytes:
    """A sample body exactly as the platform sends it (the signature covers these bytes)."""
    return (FIXTURES / name).read_bytes()


def sample(name: str) -> dict:
    return json.loads(sample_bytes(name))


def shopify_payload(**changes) -> dict:
    payload = sample("shopify_orders_create.json")
    payload.update(changes)
    return payload


def woo_payload(**changes) -> dict:
    payload = sample("woocommerce_order_created.json")
    payload.update(changes)
    return payload


def make_webhook(source: str = "shopify", **values) -> Webhook:
    secret = {"shopify": SHOPIFY_SECRET, "woocommerce": WOO_SECRET}.get(source, CUSTOM_SECRET)
    values.setdefault("secret_key", secret)
    values.setdefault("api_key", CUSTOM_API_KEY)
    return webhook_create(name=values.pop("name", f"{source} store"), source=source, actor=None, **values)[0]


def shopify_headers(*, topic="orders/create", shop=SHOP, delivery="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043") -> dict:
    return {
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2025-01",
        "X-Shopify-Webhook-Id": delivery,
        "X-Shopify-Event-Id": f"event-{delivery}",
    }


def woo_headers(*, topic="order.created", store=WOO_STORE, delivery="9f1c2d3e4b5a") -> dict:
    return {
        "X-WC-Webhook-Source": store + "/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": topic.partition(".")[2],
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": delivery,
    }


SIGNATURE_HEADER = {"shopify": "X-Shopify-Hmac-Sha256", "woocommerce": "X-WC-Webhook-Signature"}


def post(client, webhook: Webhook, body: bytes | dict, *, headers=None, sign=True, secret=None, **extra):
    """POST to the webhook's endpoint; signed the way its platform signs (custom: base64 header)."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    headers = dict(headers or {})
    if sign:
        name = SIGNATURE_HEADER.get(webhook.source, "X-Signature-SHA256")
        headers[name] = sign_base64(secret or webhook.secret_key, body)
    content_type = extra.pop("content_type", "application/json")
    return client.generic("POST", webhook.endpoint_url, body, content_type=content_type, headers=headers, **extra)


def deliver(client, webhook: Webhook, body: bytes | dict, **kwargs) -> WebhookLog:
    """POST, then run the worker's processing right here (as the task would); returns the log."""
    response = post(client, webhook, body, **kwargs)
    assert response.status_code in (200, 202), response.content
    log = WebhookLog.objects.get(pk=response.json()["log_id"])
    ingest.process_log(log_id=log.pk)
    log.refresh_from_db()
    return log


@pytest.fixture
def catalog():
    """The products the two samples order: a variant (ARG-50), a plain product, WooCommerce's sandals.
    Catalog prices differ from the stores' on purpose: webhook orders keep the store's prices."""
    variant = {"id": "arg-50", "name": "50 ml", "sku": "ARG-50", "price": "155.00", "stock": 50, "attributes": {}}
    return {
        "argan": ProductFactory(sku="ARG", name="Argan Oil Serum", price=Decimal("160.00"), variants=[variant]),
        "soap": ProductFactory(sku="SAVON-NOIR", name="Black Soap", price=Decimal("90.00")),
        "sandals": ProductFactory(sku="SAND-42", name="Leather Sandals", price=Decimal("260.00")),
    }


@pytest.fixture(autouse=True)
def _quiet_intake(settings):
    settings.AUTO_ASSIGN_REPS = False
