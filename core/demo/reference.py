"""Idempotent upserts of the demo's fixed rows: users, products, webhooks and workflows.

Each row is matched by its natural key (email, sku, name), so running the seed again creates
nothing new. With `overwrite` (seed_demo --reset) existing rows are put back to their demo values,
passwords included; without it, whatever a user changed on them is left alone.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import models

from accounts.models import Role, User
from automation.models import TriggerType, Workflow
from catalog.models import Product
from core.demo.catalog import PRODUCTS, description, image_rows, money, variant_rows
from core.demo.people import DEMO_PASSWORD, DEMO_USERS
from integrations.models import Webhook, WebhookSource


def _sync(
    model: type[models.Model], key: str, specs: dict[str, Callable[[], dict]], overwrite: bool, keep: tuple = ()
) -> dict:
    """Create the rows missing by `key`; with `overwrite`, reset the existing ones. Returns key -> row.

    Specs are callables so that costly values (the bcrypt hash) are only computed when a row is written.
    Fields named in `keep` are set on creation only.
    """
    existing = {getattr(row, key): row for row in model.objects.filter(**{f"{key}__in": list(specs)})}
    missing = [model(**{key: value}, **build()) for value, build in specs.items() if value not in existing]
    model.objects.bulk_create(missing)
    if overwrite:
        for value, row in existing.items():
            fields = {name: v for name, v in specs[value]().items() if name not in keep}
            for name, field_value in fields.items():
                setattr(row, name, field_value)
            row.save(update_fields=list(fields))
    return {**existing, **{getattr(row, key): row for row in missing}}


def sync_users(*, overwrite: bool) -> dict[str, User]:
    """The demo staff by email. The password is hashed once (bcrypt cost 12 takes ~0.25 s) and shared."""
    password_hash = cache(lambda: make_password(DEMO_PASSWORD))

    def spec(demo):
        return lambda: {
            "full_name": demo.full_name,
            "role": demo.role,
            "phone": demo.phone,
            "availability_status": demo.availability,
            "is_active": True,
            "password": password_hash(),
        }

    users = _sync(User, "email", {demo.email: spec(demo) for demo in DEMO_USERS}, overwrite)
    sync_agent_areas(users)
    return users


def sync_agent_areas(users: dict[str, User]) -> None:
    """Each demo agent covers the area whose orders they carry, so dispatch can auto-assign."""
    from logistics.models import AgentArea

    wanted = [(users[demo.email], demo.area) for demo in DEMO_USERS if demo.area and demo.email in users]
    existing = set(AgentArea.objects.filter(agent__in=[u for u, _ in wanted]).values_list("agent_id", "area"))
    AgentArea.objects.bulk_create(
        [AgentArea(agent=user, area=area) for user, area in wanted if (user.pk, area) not in existing]
    )


def sync_products(*, overwrite: bool) -> dict[str, Product]:
    def spec(item):
        return lambda: {
            "name": item.name,
            "description": description(item),
            "category": item.category,
            "price": Decimal(money(item.price_cents)),
            "cost_price": Decimal(money(item.cost_cents)),
            "stock_quantity": item.stock,
            "low_stock_threshold": item.threshold,
            "variants": variant_rows(item),
            "images": image_rows(item),
            "is_active": item.is_active,
        }

    return _sync(Product, "sku", {item.sku: spec(item) for item in PRODUCTS}, overwrite)


SHOPIFY_MAPPING = {
    "customer": {
        "name": "customer.full_name",
        "email": "customer.email",
        "phone": "customer.phone",
        "address": "shipping_address.address1",
        "city": "shipping_address.city",
        "postal_code": "shipping_address.zip",
    },
    "order": {
        "order_number": "order_number",
        "total": "total_price",
        "subtotal": "subtotal_price",
        "items": "line_items",
    },
    "items": {"name": "title", "sku": "sku", "quantity": "quantity", "price": "price"},
}
WOOCOMMERCE_MAPPING = {
    "customer": {
        "name": "billing.first_name",
        "email": "billing.email",
        "phone": "billing.phone",
        "address": "shipping.address_1",
        "city": "shipping.city",
        "postal_code": "shipping.postcode",
    },
    "order": {"order_number": "number", "total": "total", "subtotal": "subtotal", "items": "line_items"},
    "items": {"name": "name", "sku": "sku", "quantity": "quantity", "price": "price"},
}
WEBHOOKS = {
    "Shopify - souk-demo.myshopify.com": (WebhookSource.SHOPIFY, SHOPIFY_MAPPING),
    "WooCommerce - boutique-demo.ma": (WebhookSource.WOOCOMMERCE, WOOCOMMERCE_MAPPING),
}


def sync_webhooks(*, overwrite: bool) -> dict[str, Webhook]:
    """The two store integrations. The endpoint token is random and kept across runs: it is the URL
    the stores were given. The API and secret keys stay empty until they are stored encrypted."""

    def spec(source, mapping):
        return lambda: {
            "source": source,
            "field_mapping": mapping,
            "is_active": True,
            "endpoint_url": f"/webhooks/in/{secrets.token_urlsafe(24)}/",
        }

    specs = {name: spec(*value) for name, value in WEBHOOKS.items()}
    return _sync(Webhook, "name", specs, overwrite, keep=("endpoint_url",))


def _step(number: int, kind: str, **config) -> dict:
    return {"id": f"step-{number}", "type": kind, "config": config, "order": number}


def workflow_specs(shopify_webhook_id: str) -> dict[str, dict]:
    sms = {"target": "customer", "channel": "sms"}
    return {
        "Confirmation SMS on new order": {
            "description": "Texts the customer to confirm a new order and queues a confirmation call.",
            "trigger_type": TriggerType.ORDER_STATUS,
            "trigger_config": {"type": "order_status", "conditions": {"status": ["new"]}},
            "workflow_steps": [
                _step(1, "send_notification", template="order_confirmation_request", **sms),
                _step(
                    2, "create_task", assigned_to=Role.CUSTOMER_REP.value, title="Call to confirm the order", due_days=1
                ),
            ],
        },
        "VIP tag after 10 delivered orders": {
            "description": "Tags loyal customers as VIP and thanks them.",
            "trigger_type": TriggerType.ORDER_STATUS,
            "trigger_config": {
                "type": "order_status",
                "conditions": {"status": ["delivered"], "payment_status": ["collected"], "min_order_value": 0},
            },
            "workflow_steps": [
                _step(1, "update_customer_tag", tag_id="vip", action="add", condition="total_orders >= 10"),
                _step(2, "send_notification", template="vip_welcome", **sms),
            ],
        },
        "Follow up on returned orders": {
            "description": "Asks a rep to call customers whose parcel came back.",
            "trigger_type": TriggerType.ORDER_STATUS,
            "trigger_config": {"type": "order_status", "conditions": {"status": ["returned"]}},
            "workflow_steps": [
                _step(1, "create_task", assigned_to=Role.CUSTOMER_REP.value, title="Call about the return", due_days=2),
                _step(
                    2, "update_customer_tag", tag_id="frequent_returner", action="add", condition="return_rate >= 30"
                ),
            ],
        },
        "Daily low stock digest": {
            "description": "Every morning, sends managers the products at or below their threshold.",
            "trigger_type": TriggerType.TIME_BASED,
            "trigger_config": {"type": "time_based", "schedule": "0 9 * * *", "timezone": "Africa/Casablanca"},
            "workflow_steps": [
                _step(1, "send_notification", target=Role.MANAGER.value, template="low_stock_digest", channel="in_app")
            ],
        },
        "Shopify order intake": {
            "description": "Sends every order received from Shopify to the confirmation queue.",
            "trigger_type": TriggerType.WEBHOOK,
            "trigger_config": {
                "type": "webhook",
                "webhook_id": shopify_webhook_id,
                "event_types": ["order.created", "order.updated"],
            },
            "workflow_steps": [_step(1, "assign_rep", strategy="round_robin", role=Role.CUSTOMER_REP.value)],
        },
    }


def sync_workflows(*, creator: User, shopify_webhook_id: str, overwrite: bool) -> dict[str, Workflow]:
    def spec(fields):
        return lambda: {**fields, "is_active": True, "created_by_user": creator}

    specs = workflow_specs(shopify_webhook_id)
    return _sync(Workflow, "name", {name: spec(fields) for name, fields in specs.items()}, overwrite)
