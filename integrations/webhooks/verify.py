"""Who sent this request? Signatures over the raw body, API keys, and the platform's headers.

Pure functions of the configuration, the raw bytes and the headers: no database, no I/O. Every
comparison of a secret is constant-time (hmac.compare_digest on bytes).

    Shopify      X-Shopify-Hmac-Sha256   = base64(HMAC-SHA256(secret, raw body))
    WooCommerce  X-WC-Webhook-Signature  = base64(HMAC-SHA256(secret, raw body))
    custom/other X-Signature-SHA256      = hex or base64 HMAC-SHA256 (an optional "sha256=" prefix)
                 and/or X-API-Key        = the configuration's API key

The signature covers the bytes as sent: the same JSON re-serialised (other spacing, key order or
escapes) does not verify, which is why the endpoint reads the body before anything parses it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field

from integrations.models import WebhookSource

SHOPIFY_SIGNATURE = "X-Shopify-Hmac-Sha256"
WOOCOMMERCE_SIGNATURE = "X-WC-Webhook-Signature"
CUSTOM_SIGNATURE = "X-Signature-SHA256"
API_KEY = "X-API-Key"

# Headers worth keeping with the log (never a signature, key, cookie or authorization).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Length",
    "User-Agent",
    "X-Shopify-Topic",
    "X-Shopify-Shop-Domain",
    "X-Shopify-API-Version",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Event-Id",
    "X-Shopify-Triggered-At",
    "X-WC-Webhook-Source",
    "X-WC-Webhook-Topic",
    "X-WC-Webhook-Resource",
    "X-WC-Webhook-Event",
    "X-WC-Webhook-ID",
    "X-WC-Webhook-Delivery-ID",
    "X-Webhook-Topic",
    "X-Webhook-Id",
    "X-Delivery-Id",
    "X-Request-Id",
)
SIGNATURE_HEADERS = (SHOPIFY_SIGNATURE, WOOCOMMERCE_SIGNATURE, CUSTOM_SIGNATURE, API_KEY)
TOPIC_HEADERS = {
    WebhookSource.SHOPIFY: ("X-Shopify-Topic",),
    WebhookSource.WOOCOMMERCE: ("X-WC-Webhook-Topic",),
}
DELIVERY_HEADERS = {
    WebhookSource.SHOPIFY: ("X-Shopify-Webhook-Id", "X-Shopify-Event-Id"),
    WebhookSource.WOOCOMMERCE: ("X-WC-Webhook-Delivery-ID",),
}
CUSTOM_TOPIC_HEADERS = ("X-Webhook-Topic", "X-Event-Type")
CUSTOM_DELIVERY_HEADERS = ("X-Webhook-Id", "X-Delivery-Id", "Idempotency-Key")
HEADER_VALUE_MAX = 255
_PING = re.compile(rb"webhook_id=\d{1,20}")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


@dataclass
class RequestMeta:
    """What the log keeps of a request's headers, cleaned so any database accepts it."""

    headers: dict[str, str] = field(default_factory=dict)
    topic: str | None = None
    delivery_id: str | None = None


def clean_text(value: str | None, limit: int | None = HEADER_VALUE_MAX) -> str:
    """Text PostgreSQL will store: no NUL, no lone surrogates, no control characters, capped."""
    text = (value or "").encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch) != "Cc")
    return text[:limit] if limit else text


def request_meta(source: str | None, headers) -> RequestMeta:
    """The kept headers, the topic and the delivery id of a request (`headers`: request.headers)."""
    kept = {name: clean_text(headers.get(name)) for name in KEPT_HEADERS if headers.get(name) is not None}
    for name in SIGNATURE_HEADERS:  # only whether it came, never its value
        if headers.get(name) is not None:
            kept[f"{name} (present)"] = "yes"
    topic_names = TOPIC_HEADERS.get(source, CUSTOM_TOPIC_HEADERS)
    delivery_names = DELIVERY_HEADERS.get(source, CUSTOM_DELIVERY_HEADERS)
    topic = _first(headers, topic_names, limit=100)
    delivery_id = _first(headers, delivery_names, limit=HEADER_VALUE_MAX)
    return RequestMeta(headers=kept, topic=topic, delivery_id=delivery_id)


def authenticate(*, source: str, secret_key: str | None, api_key: str | None, body: bytes, headers) -> Verdict:
    """Is this request from the configured sender? `body` is the raw request body."""
    if source == WebhookSource.SHOPIFY:
        return _platform_signature(secret_key, body, headers.get(SHOPIFY_SIGNATURE))
    if source == WebhookSource.WOOCOMMERCE:
        return _platform_signature(secret_key, body, headers.get(WOOCOMMERCE_SIGNATURE))
    return _custom(secret_key, api_key, body, headers.get(CUSTOM_SIGNATURE), headers.get(API_KEY))


def is_woocommerce_ping(source: str, body: bytes, content_type: str | None) -> bool:
    """WooCommerce's unsigned `webhook_id=N` ping, sent when a webhook is saved (expects a 2xx)."""
    return (
        source == WebhookSource.WOOCOMMERCE
        and (content_type or "").split(";")[0].strip().lower() in ("", "application/x-www-form-urlencoded")
        and _PING.fullmatch(body.strip()) is not None
    )


def sign(secret: str, body: bytes) -> bytes:
    """HMAC-SHA256 digest of the raw body (tests and documentation use it to sign requests)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def sign_base64(secret: str, body: bytes) -> str:
    return base64.b64encode(sign(secret, body)).decode("ascii")


def _platform_signature(secret: str | None, body: bytes, header: str | None) -> Verdict:
    if not secret:
        return Verdict(False, "No secret is configured for this endpoint: set it on its page.")
    if not header:
        return Verdict(False, "Missing signature header.")
    if _equal(base64.b64encode(sign(secret, body)), header.strip()):
        return Verdict(True)
    return Verdict(False, "Invalid signature.")


def _custom(secret: str | None, api_key: str | None, body: bytes, signature: str | None, key: str | None) -> Verdict:
    """Every credential the request presents must be right, and it must present one we can check."""
    if signature is None and key is None:
        return Verdict(False, f"Missing {CUSTOM_SIGNATURE} or {API_KEY} header.")
    if signature is not None:
        if not secret:
            return Verdict(False, "A signature was sent but no secret is configured for this endpoint.")
        digest = sign(secret, body)
        value = signature.strip()
        value = value[7:] if value.lower().startswith("sha256=") else value
        # Compare against both forms, always both, so timing says nothing about which was tried.
        matches = [_equal(binascii.hexlify(digest), value.lower()), _equal(base64.b64encode(digest), value)]
        if not any(matches):
            return Verdict(False, "Invalid signature.")
    if key is not None:
        if not api_key:
            return Verdict(False, "An API key was sent but none is configured for this endpoint.")
        if not _equal(str(api_key).encode(), key.strip()):
            return Verdict(False, "Invalid API key.")
    return Verdict(True)


def _equal(expected: bytes, given: str) -> bool:
    return hmac.compare_digest(expected, given.encode("utf-8", "replace"))


def _first(headers, names: tuple[str, ...], *, limit: int) -> str | None:
    for name in names:
        value = clean_text(headers.get(name), limit).strip()
        if value:
            return value
    return None
