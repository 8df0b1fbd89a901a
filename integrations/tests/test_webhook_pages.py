"""Staff pages of inbound webhooks: access per role, keys shown once then masked, the preview that
writes nothing, logs shown escaped, replay from the page, and no inline code for the CSP to block."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import ActivityLog, Role
from accounts.tests.factories import UserFactory
from common.crypto import mask_secret
from core.tests.test_security_headers import inline_code
from customers.models import Customer
from integrations.models import ProcessingState, Webhook, WebhookLog
from orders.models import Order

from .webhook_helpers import (  # noqa: F401 (fixtures)
    _quiet_intake,
    catalog,
    deliver,
    make_webhook,
    post,
    sample,
    shopify_headers,
    shopify_payload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(role=Role.MANAGER))
    return client


@pytest.mark.parametrize("role", [Role.CUSTOMER_REP, Role.DELIVERY_AGENT, Role.ACCOUNTANT])
def test_only_those_with_integrations_access_see_the_pages(client, role):
    webhook = make_webhook("shopify")
    client.force_login(UserFactory(role=role))
    for url in (reverse("integrations:list"), reverse("integrations:webhook_detail", args=[webhook.pk])):
        assert client.get(url).status_code == 403


def test_a_user_with_view_only_sees_but_cannot_change(client):
    viewer = UserFactory(role=Role.CUSTOMER_REP, permissions={"integrations": {"view": True}})
    client.force_login(viewer)
    webhook = make_webhook("shopify")
    page = client.get(reverse("integrations:webhook_detail", args=[webhook.pk]))
    assert page.status_code == 200
    assert reverse("integrations:webhook_edit", args=[webhook.pk]).encode() not in page.content
    assert client.post(reverse("integrations:webhook_regenerate", args=[webhook.pk])).status_code == 403
    assert client.get(reverse("integrations:webhook_create")).status_code == 403


def test_keys_are_shown_once_after_creation_then_masked(manager_client):
    response = manager_client.post(
        reverse("integrations:webhook_create"), {"name": "Souk", "source": "woocommerce", "is_active": "on"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    webhook = Webhook.objects.get(name="Souk")
    assert webhook.endpoint_url.startswith("/webhooks/in/")
    page = response.content.decode()
    assert webhook.secret_key in page and webhook.api_key in page and webhook.endpoint_url in page

    detail = manager_client.get(reverse("integrations:webhook_detail", args=[webhook.pk])).content.decode()
    assert webhook.secret_key not in detail and webhook.api_key not in detail
    assert mask_secret(webhook.secret_key) in detail and mask_secret(webhook.api_key) in detail
    edit = manager_client.get(reverse("integrations:webhook_edit", args=[webhook.pk])).content.decode()
    assert webhook.secret_key not in edit
    # Stored encrypted: the columns hold Fernet tokens, not the keys.
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_key, api_key FROM webhooks WHERE id = %s", [webhook.pk])
        secret_column, api_column = cursor.fetchone()
    assert secret_column.startswith("fernet:") and webhook.secret_key not in secret_column
    assert api_column.startswith("fernet:")


def test_regenerating_shows_new_keys_once_and_the_old_ones_stop_working(manager_client, client_class):
    webhook = make_webhook("shopify")
    old_secret = webhook.secret_key
    response = manager_client.post(reverse("integrations:webhook_regenerate", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.secret_key != old_secret
    assert webhook.secret_key in response.content.decode() and response["Cache-Control"] == "no-store"
    sender = client_class()
    assert post(sender, webhook, b'{"id": 1}', secret=old_secret).status_code == 401
    assert post(sender, webhook, b'{"id": 1}').status_code == 202
    assert ActivityLog.objects.filter(action="webhook_keys_regenerated", entity_id=webhook.pk).exists()
    activity = json.dumps(list(ActivityLog.objects.values_list("details", flat=True)))
    assert webhook.secret_key not in activity and old_secret not in activity


def test_editing_keeps_blank_keys_validates_the_mapping_and_deactivates(manager_client):
    webhook = make_webhook("custom")
    secret = webhook.secret_key
    url = reverse("integrations:webhook_edit", args=[webhook.pk])
    bad = manager_client.post(url, {"name": "Shop", "source": "custom", "field_mapping": '{"customer": {"tel": "x"}}'})
    assert bad.status_code == 200 and "customer.tel" in bad.content.decode()
    not_json = manager_client.post(url, {"name": "Shop", "source": "custom", "field_mapping": "{nope"})
    assert "Not valid JSON" in not_json.content.decode()

    mapping = {"customer": {"phone": "contact.mobile"}}
    saved = manager_client.post(url, {"name": "Shop", "source": "custom", "field_mapping": json.dumps(mapping)})
    assert saved.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.field_mapping, webhook.is_active, webhook.secret_key) == (
        "Shop",
        mapping,
        False,  # the box was not ticked: deactivated
        secret,
    )


def test_the_list_shows_configurations_and_unknown_endpoint_requests_in_few_queries(
    manager_client, client_class, django_assert_max_num_queries
):
    for source in ("shopify", "woocommerce", "custom"):
        post(client_class(), make_webhook(source), b'{"id": 1}')
    client_class().post(reverse("integrations:inbound", kwargs={"endpoint_token": "old-token"}), {})
    with django_assert_max_num_queries(12):
        page = manager_client.get(reverse("integrations:list"))
    assert page.status_code == 200
    assert "/webhooks/in/old-token/" in page.content.decode()


@pytest.mark.usefixtures("catalog")
def test_the_detail_page_filters_logs_by_state(manager_client, client_class):
    webhook = make_webhook("shopify")
    deliver(client_class(), webhook, shopify_payload(), headers=shopify_headers(delivery="ok"))
    deliver(client_class(), webhook, shopify_payload(id=99, line_items=[{"sku": "NOPE", "quantity": 1}]),
            headers=shopify_headers(delivery="bad"))  # fmt: skip
    url = reverse("integrations:webhook_detail", args=[webhook.pk])
    failed = manager_client.get(url, {"state": "failed"}).content.decode()
    assert "No product with SKU" in failed and "Processed</span>" not in failed
    everything = manager_client.get(url).content.decode()
    assert "Processed</span>" in everything and "Failed</span>" in everything
    fragment = manager_client.get(url, {"state": "failed"}, headers={"HX-Request": "true", "HX-Target": "log-results"})
    assert b"<html" not in fragment.content and b"No product with SKU" in fragment.content


@pytest.mark.usefixtures("catalog")
def test_the_preview_shows_the_order_and_writes_nothing(manager_client):
    webhook = make_webhook("shopify")
    counts = (Order.objects.count(), Customer.objects.count(), ActivityLog.objects.count(), WebhookLog.objects.count())
    url = reverse("integrations:mapping_preview", args=[webhook.pk])

    ok = manager_client.post(url, {"payload": json.dumps(sample("shopify_orders_create.json")),
                                   "store": "souk-demo.myshopify.com"})  # fmt: skip
    text = ok.content.decode()
    assert ok.status_code == 200 and "Would create" in text
    assert "Argan Oil Serum - 50 ml" in text and "433.00" in text and "+212612345678" in text
    assert "shopify:souk-demo.myshopify.com" in text

    bad = manager_client.post(
        url, {"payload": json.dumps(shopify_payload(line_items=[{"sku": "NOPE", "quantity": 1}]))}
    )
    assert "Would fail" in bad.content.decode() and "No product with SKU" in bad.content.decode()
    other_shape = {"id": 1, "items": [{"ref": "SAVON-NOIR", "qty": 2}], "tel": "0612345678", "adresse": "Rue 1"}
    mapping = {
        "customer": {"phone": "tel", "address": "adresse"},
        "order": {"items": "items"},
        "items": {"sku": "ref", "quantity": "qty"},
    }
    tried = manager_client.post(url, {"payload": json.dumps(other_shape), "field_mapping": json.dumps(mapping)})
    assert "Would create" in tried.content.decode(), tried.content.decode()
    malformed = manager_client.post(url, {"payload": "{}", "field_mapping": '{"customer": {"tel": "x"}}'})
    assert "customer.tel: Unknown target" in malformed.content.decode()
    fragment = manager_client.post(url, {"payload": "{}"}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b"Would fail" in fragment.content

    assert counts == (
        Order.objects.count(),
        Customer.objects.count(),
        ActivityLog.objects.count(),
        WebhookLog.objects.count(),
    )
    webhook.refresh_from_db()
    assert webhook.field_mapping == {}  # the mapping tried is not saved


@pytest.mark.usefixtures("catalog")
def test_the_preview_can_start_from_a_logged_delivery(manager_client, client_class):
    webhook = make_webhook("shopify")
    log = deliver(client_class(), webhook, shopify_payload(), headers=shopify_headers())
    page = manager_client.get(reverse("integrations:mapping_preview", args=[webhook.pk]), {"log": str(log.pk)})
    assert "Salma" in page.content.decode() and "souk-demo.myshopify.com" in page.content.decode()


@pytest.mark.usefixtures("catalog")
def test_a_log_page_escapes_the_payload_and_replays_a_failure(manager_client, client_class):
    webhook = make_webhook("custom")
    payload = {
        "id": "X1",
        "note": "<script>alert(1)</script>",
        "contact": {"mobile": "0612345678"},
        "shipping_address": {"address1": "1 Rue"},
        "line_items": [{"sku": "SAVON-NOIR", "quantity": 1}],
    }
    log = deliver(client_class(), webhook, payload)
    assert log.processing_state == ProcessingState.FAILED
    page = manager_client.get(reverse("integrations:log_detail", args=[log.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert reverse("integrations:log_replay", args=[log.pk]) in page

    webhook.field_mapping = {"customer": {"phone": "contact.mobile"}}
    webhook.save(update_fields=["field_mapping"])
    response = manager_client.post(reverse("integrations:log_replay", args=[log.pk]), follow=True)
    assert "Replayed: processed." in response.content.decode()
    log.refresh_from_db()
    assert log.processing_state == ProcessingState.PROCESSED and Order.objects.count() == 1
    again = manager_client.post(reverse("integrations:log_replay", args=[log.pk]), follow=True)
    assert "can be replayed" in again.content.decode() and Order.objects.count() == 1


def test_a_refused_request_cannot_be_replayed(manager_client, client_class):
    webhook = make_webhook("shopify")
    post(client_class(), webhook, b'{"id": 1}', secret="forged")
    log = WebhookLog.objects.get(webhook=webhook)
    page = manager_client.get(reverse("integrations:log_detail", args=[log.pk])).content.decode()
    assert reverse("integrations:log_replay", args=[log.pk]) not in page
    manager_client.post(reverse("integrations:log_replay", args=[log.pk]))
    log.refresh_from_db()
    assert log.processing_state == ProcessingState.REJECTED


@pytest.mark.usefixtures("catalog")
def test_the_pages_have_no_inline_code_for_the_csp_to_block(manager_client, client_class):
    webhook = make_webhook("shopify")
    log = deliver(client_class(), webhook, shopify_payload(), headers=shopify_headers())
    pages = [
        manager_client.get(reverse("integrations:list")),
        manager_client.get(reverse("integrations:webhook_create")),
        manager_client.get(reverse("integrations:webhook_detail", args=[webhook.pk])),
        manager_client.get(reverse("integrations:webhook_edit", args=[webhook.pk])),
        manager_client.get(reverse("integrations:mapping_preview", args=[webhook.pk])),
        manager_client.post(reverse("integrations:mapping_preview", args=[webhook.pk]), {"payload": "{}"}),
        manager_client.get(reverse("integrations:log_detail", args=[log.pk])),
        manager_client.post(reverse("integrations:webhook_regenerate", args=[webhook.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert inline_code(page) == []
