"""The inbound endpoint: signatures over the raw bytes for each platform, refusals with their status,
and every request logged, refused ones too. Fuzzed bodies and headers never make it fail."""

import base64
import hashlib
import hmac
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.models import ProcessingState, WebhookLog
from integrations.webhooks import verify

from .webhook_helpers import (  # noqa: F401 (fixtures)
    CUSTOM_API_KEY,
    CUSTOM_SECRET,
    SHOPIFY_SECRET,
    WOO_SECRET,
    _quiet_intake,
    make_webhook,
    post,
    sample_bytes,
    shopify_headers,
    woo_headers,
)

pytestmark = pytest.mark.django_db

SAMPLES = {"shopify": "shopify_orders_create.json", "woocommerce": "woocommerce_order_created.json"}


def b64_hmac(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def last_log() -> WebhookLog:
    return WebhookLog.objects.order_by("-created_at").first()


# --- Signatures -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "header", "secret"),
    [("shopify", "X-Shopify-Hmac-Sha256", SHOPIFY_SECRET), ("woocommerce", "X-WC-Webhook-Signature", WOO_SECRET)],
)
def test_platform_signatures_over_the_raw_body(client, source, header, secret):
    webhook = make_webhook(source)
    body = sample_bytes(SAMPLES[source])
    reserialised = json.dumps(json.loads(body), separators=(",", ":")).encode()  # same content, other bytes
    assert reserialised != body and json.loads(reserialised) == json.loads(body)

    def send(data: bytes, signature: str | None):
        headers = {header: signature} if signature is not None else {}
        return client.generic("POST", webhook.endpoint_url, data, content_type="application/json", headers=headers)

    assert send(body, b64_hmac(secret, body)).status_code == 202
    assert send(reserialised, b64_hmac(secret, body)).status_code == 401  # signed bytes != sent bytes
    assert send(body, b64_hmac("another secret", body)).status_code == 401
    assert send(body, hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()).status_code == 401  # hex: no
    assert send(body, "").status_code == 401
    missing = send(body, None)
    assert missing.status_code == 401 and missing.json()["error"] == "Missing signature header."
    assert send(reserialised, b64_hmac(secret, reserialised)).status_code == 202  # its own bytes, signed

    states = list(WebhookLog.objects.filter(webhook=webhook).values_list("response_status", "processing_state"))
    assert sorted(states) == sorted([(202, "received")] * 2 + [(401, "rejected")] * 5)


def test_a_platform_endpoint_without_a_secret_refuses_everything(client):
    webhook = make_webhook("shopify")
    type(webhook).objects.filter(pk=webhook.pk).update(secret_key=None)
    response = client.post(webhook.endpoint_url, b"{}", content_type="application/json",
                           headers={"X-Shopify-Hmac-Sha256": b64_hmac("", b"{}")})  # fmt: skip
    assert response.status_code == 401
    assert "No secret is configured" in last_log().error_message


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-Signature-SHA256": hmac.new(CUSTOM_SECRET.encode(), b'{"id": 1}', hashlib.sha256).hexdigest()}, 202),
        ({"X-Signature-SHA256": "sha256=" + hmac.new(CUSTOM_SECRET.encode(), b'{"id": 1}', "sha256").hexdigest()}, 202),
        ({"X-Signature-SHA256": b64_hmac(CUSTOM_SECRET, b'{"id": 1}')}, 202),
        ({"X-API-Key": CUSTOM_API_KEY}, 202),
        ({"X-API-Key": CUSTOM_API_KEY, "X-Signature-SHA256": b64_hmac(CUSTOM_SECRET, b'{"id": 1}')}, 202),
        ({"X-API-Key": CUSTOM_API_KEY, "X-Signature-SHA256": b64_hmac("wrong", b'{"id": 1}')}, 401),
        ({"X-API-Key": "whk_wrong", "X-Signature-SHA256": b64_hmac(CUSTOM_SECRET, b'{"id": 1}')}, 401),
        ({"X-Signature-SHA256": b64_hmac(CUSTOM_SECRET, b'{"id":1}')}, 401),  # other bytes
        ({"X-API-Key": ""}, 401),
        ({}, 401),
    ],
)
def test_custom_sources_sign_in_hex_or_base64_and_or_send_the_api_key(client, headers, status):
    webhook = make_webhook("custom")
    response = client.generic("POST", webhook.endpoint_url, b'{"id": 1}', content_type="application/json",
                              headers=headers)  # fmt: skip
    assert response.status_code == status


def test_verification_compares_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(verify.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    headers = {"X-Signature-SHA256": verify.sign(CUSTOM_SECRET, b"{}").hex(), "X-API-Key": "k" * 10}
    verify.authenticate(source="custom", secret_key=CUSTOM_SECRET, api_key="k" * 10, body=b"{}", headers=headers)
    verify.authenticate(source="shopify", secret_key="s" * 10, api_key=None, body=b"{}",
                        headers={"X-Shopify-Hmac-Sha256": "abc"})  # fmt: skip
    assert len(calls) == 4  # hex and base64 forms, the key, Shopify's signature


def test_the_woocommerce_ping_is_answered_200_and_logged(client):
    webhook = make_webhook("woocommerce")
    response = client.post(webhook.endpoint_url, "webhook_id=12", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    log = last_log()
    assert (log.webhook_id, log.processing_state, log.request_payload) == (
        webhook.pk,
        ProcessingState.IGNORED,
        {"_raw": "webhook_id=12"},
    )
    # Only WooCommerce pings, and only that exact form: anything else must be signed.
    shopify = make_webhook("shopify")
    assert (
        client.post(shopify.endpoint_url, "webhook_id=12", content_type="application/x-www-form-urlencoded").status_code
        == 401
    )
    assert (
        client.post(
            webhook.endpoint_url, "webhook_id=12&x=1", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 401
    )


# --- Refusals -----------------------------------------------------------------------------------


def test_an_unknown_endpoint_is_404_and_logged_without_a_webhook(client):
    url = reverse("integrations:inbound", kwargs={"endpoint_token": "does-not-exist"})
    response = client.post(
        url, b'{"id": 1}', content_type="application/json", headers={"X-Shopify-Topic": "orders/create"}
    )
    assert response.status_code == 404
    log = last_log()
    assert (log.webhook_id, log.response_status, log.processing_state) == (None, 404, ProcessingState.REJECTED)
    assert log.request_payload == {"_raw": '{"id": 1}'}
    assert log.request_headers["Path"] == url


def test_a_disabled_endpoint_is_410(client):
    webhook = make_webhook("shopify", is_active=False)
    assert post(client, webhook, b"{}").status_code == 410
    assert (last_log().webhook_id, last_log().response_status) == (webhook.pk, 410)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_and_logged(client, method):
    webhook = make_webhook("shopify")
    response = client.generic(method, webhook.endpoint_url)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert last_log().response_status == 405


def test_a_body_over_the_limit_is_413_without_being_read_whole(client, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 1000
    webhook = make_webhook("shopify")
    big = json.dumps({"id": 1, "note": "x" * 50_000}).encode()
    assert post(client, webhook, big).status_code == 413
    log = last_log()
    assert log.response_status == 413 and len(log.request_payload["_raw"]) <= 10_000
    # A body whose Content-Length lies (smaller) is still cut at the limit.
    lying = client.generic("POST", webhook.endpoint_url, big, content_type="application/json", CONTENT_LENGTH="10")
    assert lying.status_code == 401  # only 10 bytes were read: they are not what was signed


def test_the_default_limit_is_one_megabyte(client, settings):
    assert settings.WEBHOOK_MAX_BODY_BYTES == 1024 * 1024
    webhook = make_webhook("shopify")
    just_over = b'{"id": 1, "pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert post(client, webhook, just_over).status_code == 413


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe{}", b'{"a": NaN}', b'{"a": 1e999}', b"[" * 5000]
)
def test_bodies_that_are_not_a_json_object_are_400_and_kept_raw(client, body):
    webhook = make_webhook("shopify")
    response = post(client, webhook, body)
    assert response.status_code == 400
    log = last_log()
    assert log.processing_state == ProcessingState.REJECTED and "_raw" in log.request_payload


def test_json_that_postgres_cannot_store_as_is_is_cleaned_not_refused(client):
    webhook = make_webhook("shopify")
    body = b'{"id": 1, "note": "a\\u0000b", "bad": "\\ud800", "\\u0000key": [1]}'
    assert post(client, webhook, body).status_code == 202
    payload = last_log().request_payload
    assert payload["note"] == "ab" and payload["key"] == [1] and payload["bad"] == "?"


def test_the_log_keeps_useful_headers_but_never_a_secret(client):
    webhook = make_webhook("shopify")
    post(client, webhook, b'{"id": 1}', headers={**shopify_headers(), "Authorization": "Bearer x", "Cookie": "a=b"})
    log = last_log()
    assert log.topic == "orders/create" and log.delivery_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert log.request_headers["X-Shopify-Shop-Domain"] == "souk-demo.myshopify.com"
    assert log.request_headers["X-Shopify-Hmac-Sha256 (present)"] == "yes"
    stored = json.dumps(log.request_headers)
    assert b64_hmac(SHOPIFY_SECRET, b'{"id": 1}') not in stored
    assert "Bearer" not in stored and "a=b" not in stored


def test_woocommerce_delivery_ids_and_topics_are_recorded(client):
    webhook = make_webhook("woocommerce")
    post(client, webhook, sample_bytes(SAMPLES["woocommerce"]), headers=woo_headers(delivery="wc-77"))
    assert (last_log().topic, last_log().delivery_id) == ("order.created", "wc-77")


def test_a_forged_request_cannot_take_the_slot_of_a_real_delivery(client):
    webhook = make_webhook("shopify")
    body = b'{"id": 5}'
    forged = post(client, webhook, body, headers=shopify_headers(delivery="d-9"), secret="guess")
    real = post(client, webhook, body, headers=shopify_headers(delivery="d-9"))
    assert (forged.status_code, real.status_code) == (401, 202)


# --- Fuzzing: never a 500, always a log -----------------------------------------------------------

HEADER_NAMES = [
    "X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id",
    "X-WC-Webhook-Signature", "X-WC-Webhook-Source", "X-WC-Webhook-Delivery-ID", "X-WC-Webhook-Topic",
    "X-Signature-SHA256", "X-API-Key", "X-Webhook-Id", "X-Webhook-Topic", "User-Agent",
]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
bodies = st.one_of(
    st.binary(max_size=600),
    st.dictionaries(st.text(max_size=12), json_values, max_size=6).map(lambda d: json.dumps(d).encode()),
    st.just(sample_bytes("shopify_orders_create.json")),
)
header_values = st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0xFFFF), max_size=80)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    target=st.sampled_from(["shopify", "woocommerce", "custom", "unknown", "disabled"]),
    method=st.sampled_from(["POST"] * 6 + ["GET", "PUT"]),
    body=bodies,
    headers=st.dictionaries(st.sampled_from(HEADER_NAMES), header_values, max_size=5),
    signed=st.booleans(),
    content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]),
)
def test_fuzzed_requests_never_fail_and_are_always_logged(
    client, fuzz_webhooks, target, method, body, headers, signed, content_type
):
    webhook = fuzz_webhooks.get(target)
    url = webhook.endpoint_url if webhook else reverse("integrations:inbound", kwargs={"endpoint_token": "nope"})
    headers = dict(headers)
    if signed and webhook:
        name = {"shopify": "X-Shopify-Hmac-Sha256", "woocommerce": "X-WC-Webhook-Signature"}.get(
            webhook.source, "X-Signature-SHA256"
        )
        headers[name] = verify.sign_base64(webhook.secret_key, body)
    before = WebhookLog.objects.count()

    response = client.generic(method, url, body, content_type=content_type, headers=headers)

    assert response.status_code in (200, 202, 400, 401, 404, 405, 410, 413)
    assert WebhookLog.objects.count() == before + 1
    assert last_log().response_status == response.status_code


@pytest.fixture
def fuzz_webhooks():
    return {
        "shopify": make_webhook("shopify"),
        "woocommerce": make_webhook("woocommerce"),
        "custom": make_webhook("custom"),
        "disabled": make_webhook("shopify", name="disabled", is_active=False),
    }
