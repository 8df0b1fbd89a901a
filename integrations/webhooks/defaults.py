"""The mappings shipped for each platform (used when a configuration's field_mapping is empty, and
as the base its own targets are laid over), and the targets a mapping may name."""

from __future__ import annotations

TARGETS: dict[str, tuple[str, ...]] = {
    "customer": ("name", "first_name", "last_name", "email", "phone", "address", "city", "postal_code"),
    "order": (
        "external_id", "order_number", "total", "subtotal", "delivery_fee", "delivery_area", "notes", "status",
        "cancelled_at", "cancel_reason", "topic", "items",
    ),
    "items": ("name", "sku", "quantity", "price", "line_total", "discount"),
}  # fmt: skip


def _join(*paths: str, sep: str = " ") -> dict:
    return {"join": list(paths), "sep": sep}


# Shopify REST `orders/*` payloads (shopify_orders_create.json). The phone: the customer's, else the
# shipping address's, else the billing address's, else the order's own.
SHOPIFY = {
    "customer": {
        "name": [
            "shipping_address.name",
            _join("customer.first_name", "customer.last_name"),
            _join("billing_address.first_name", "billing_address.last_name"),
        ],
        "email": ["customer.email", "email", "contact_email"],
        "phone": ["customer.phone", "shipping_address.phone", "billing_address.phone", "phone"],
        "address": [
            _join("shipping_address.address1", "shipping_address.address2", sep=", "),
            _join("billing_address.address1", "billing_address.address2", sep=", "),
            _join("customer.default_address.address1", "customer.default_address.address2", sep=", "),
        ],
        "city": ["shipping_address.city", "billing_address.city", "customer.default_address.city"],
        "postal_code": ["shipping_address.zip", "billing_address.zip", "customer.default_address.zip"],
    },
    "order": {
        "external_id": "id",
        "order_number": ["name", "order_number"],
        "total": "total_price",
        "subtotal": "subtotal_price",
        # What the customer pays for shipping: after shipping discounts when Shopify says so.
        "delivery_fee": [
            "shipping_lines.*.discounted_price",
            "shipping_lines.*.price",
            "total_shipping_price_set.shop_money.amount",
        ],
        "delivery_area": ["shipping_address.city", "billing_address.city"],
        "notes": "note",
        "cancelled_at": "cancelled_at",
        "cancel_reason": "cancel_reason",
        "items": "line_items",
    },
    "items": {
        "name": ["name", "title"],
        "sku": ["sku"],  # the variant's SKU on Shopify
        "quantity": "quantity",
        "price": "price",
        "discount": "discount_allocations.*.amount",
    },
}

# WooCommerce REST v3 orders (woocommerce_order_created.json): no customer object; billing holds
# the customer's contact details. A line's `total` is after coupons; its `sku` is the variation's,
# or the parent product's when the variation has none.
WOOCOMMERCE = {
    "customer": {
        "name": [_join("shipping.first_name", "shipping.last_name"), _join("billing.first_name", "billing.last_name")],
        "email": "billing.email",
        "phone": ["billing.phone", "shipping.phone"],
        "address": [
            _join("shipping.address_1", "shipping.address_2", sep=", "),
            _join("billing.address_1", "billing.address_2", sep=", "),
        ],
        "city": ["shipping.city", "billing.city"],
        "postal_code": ["shipping.postcode", "billing.postcode"],
    },
    "order": {
        "external_id": "id",
        "order_number": "number",
        "total": "total",
        "delivery_fee": ["shipping_lines.*.total", "shipping_total"],
        "delivery_area": ["shipping.city", "billing.city"],
        "notes": "customer_note",
        "status": "status",
        "items": "line_items",
    },
    "items": {"name": "name", "sku": "sku", "quantity": "quantity", "price": "price", "line_total": "total"},
}

# Anything else: the schema's example shape (Shopify-like field names), with common alternatives.
# A line's SKU: the variant's when the catalog knows it, else the product's.
CUSTOM = {
    "customer": {
        "name": [
            "customer.name",
            "customer.full_name",
            _join("customer.first_name", "customer.last_name"),
            "shipping_address.name",
        ],
        "email": ["customer.email", "email"],
        "phone": ["customer.phone", "shipping_address.phone", "billing_address.phone", "phone"],
        "address": [
            _join("shipping_address.address1", "shipping_address.address2", sep=", "),
            "shipping_address.address",
            "customer.address",
        ],
        "city": ["shipping_address.city", "customer.city"],
        "postal_code": ["shipping_address.zip", "shipping_address.postal_code"],
    },
    "order": {
        "external_id": ["id", "order_id"],
        "order_number": ["order_number", "name", "number"],
        "total": ["total_price", "total"],
        "subtotal": ["subtotal_price", "subtotal"],
        "delivery_fee": ["shipping_lines.*.price", "delivery_fee", "shipping_price"],
        "delivery_area": ["shipping_address.city", "customer.city"],
        "notes": ["note", "notes"],
        "status": "status",
        "cancelled_at": "cancelled_at",
        "topic": ["topic", "event"],
        "items": ["line_items", "items"],
    },
    "items": {
        "name": ["title", "name"],
        "sku": ["variant_sku", "sku", "product_sku"],
        "quantity": "quantity",
        "price": "price",
        "discount": "discount",
    },
}

DEFAULT_MAPPINGS = {"shopify": SHOPIFY, "woocommerce": WOOCOMMERCE, "custom": CUSTOM, "other": CUSTOM}
