"""From an accepted delivery to an order: the samples, idempotency, stores, updates and cancellations,
failures that write nothing, the sweep and the replay."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from accounts.models import ActivityLog
from customers.models import Customer
from integrations.models import ProcessingState, WebhookLog
from integrations.services import webhook_update
from integrations.webhooks import ingest
from orders.models import Order, OrderSource, OrderStatus
from orders.services.transitions import order_transition

from .webhook_helpers import (  # noqa: F401 (fixtures)
    SHOP,
    WOO_STORE,
    _quiet_intake,
    catalog,
    deliver,
    make_webhook,
    post,
    sample_bytes,
    shopify_headers,
    shopify_payload,
    woo_headers,
    woo_payload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def test_the_shopify_sample_becomes_an_order_with_the_stores_prices(client):
    webhook = make_webhook("shopify")
    log = deliver(client, webhook, sample_bytes("shopify_orders_create.json"), headers=shopify_headers())

    assert log.processing_state == ProcessingState.PROCESSED
    assert (log.response_status, log.attempts, log.error_message) == (202, 1, None)
    order = Order.objects.get(pk=log.order_created_id)
    assert (order.source, order.webhook_source) == (OrderSource.WEBHOOK, "shopify")
    assert (order.external_source, order.external_id) == (f"shopify:{SHOP}", "5820417425592")
    assert order.prices_from_source
    assert [(i["sku"], i["quantity"], i["unit_price"], i["variant_id"]) for i in order.items] == [
        ("ARG-50", 2, "149.00", "arg-50"),  # the variant, by its SKU; the store's price, not 155.00
        ("SAVON-NOIR", 1, "100.00", None),
    ]
    assert (order.subtotal, order.delivery_fee, order.total_amount) == (
        Decimal("398.00"),
        Decimal("35.00"),
        Decimal("433.00"),  # the store's total_price
    )
    assert order.customer.phone == "+212612345678"
    assert order.customer.full_name == "Salma Benali"
    assert order.delivery_address == "12 Rue Ibn Sina, Apt 3, near the pharmacy"
    assert (order.delivery_area, order.customer_notes) == ("Casablanca", "Call before coming, after 5pm please")
    assert "Shopify order #1042" in order.internal_notes
    assert order.status == OrderStatus.NEW


def test_the_woocommerce_sample_becomes_an_order(client):
    webhook = make_webhook("woocommerce")
    log = deliver(client, webhook, sample_bytes("woocommerce_order_created.json"), headers=woo_headers())

    assert log.processing_state == ProcessingState.PROCESSED, log.error_message
    order = Order.objects.get(pk=log.order_created_id)
    assert (order.external_source, order.external_id) == (f"woocommerce:{WOO_STORE}", "7311")
    assert order.customer.phone == "+212661234567"  # "06 61 23 45 67" from billing
    assert order.customer.full_name == "Youssef El Idrissi"
    assert order.customer.email == "youssef.idrissi@example.com"
    assert order.delivery_address == "Residence Al Amal, Imm 4, Agdal"
    assert [(i["sku"], i["unit_price"]) for i in order.items] == [("SAND-42", "249.00")]
    assert (order.delivery_fee, order.total_amount) == (Decimal("30.00"), Decimal("279.00"))


def test_a_shopify_retry_of_the_same_delivery_is_a_logged_duplicate_never_processed_twice(client):
    webhook = make_webhook("shopify")
    body = sample_bytes("shopify_orders_create.json")
    first = deliver(client, webhook, body, headers=shopify_headers(delivery="same-delivery"))

    retry = post(client, webhook, body, headers=shopify_headers(delivery="same-delivery"))

    assert retry.status_code == 200 and retry.json()["status"] == "duplicate"
    duplicate = WebhookLog.objects.get(pk=retry.json()["log_id"])
    assert duplicate.processing_state == ProcessingState.DUPLICATE
    assert duplicate.order_created_id == first.order_created_id
    assert ingest.process_log(log_id=duplicate.pk) == ProcessingState.DUPLICATE  # nothing to do
    assert Order.objects.count() == 1
    assert WebhookLog.objects.filter(webhook=webhook).count() == 2


def test_the_same_order_in_two_deliveries_makes_one_order(client):
    webhook = make_webhook("shopify")
    body = sample_bytes("shopify_orders_create.json")
    first = deliver(client, webhook, body, headers=shopify_headers(delivery="delivery-1"))
    second = deliver(client, webhook, body, headers=shopify_headers(delivery="delivery-2"))

    assert first.processing_state == ProcessingState.PROCESSED
    assert second.processing_state == ProcessingState.DUPLICATE
    assert second.order_created_id == first.order_created_id
    assert "Already taken in as" in second.error_message
    assert Order.objects.count() == 1


def test_two_stores_with_the_same_order_number_do_not_collide(client):
    webhook = make_webhook("shopify")
    body = sample_bytes("shopify_orders_create.json")
    one = deliver(client, webhook, body, headers=shopify_headers(shop="store-one.myshopify.com", delivery="a"))
    two = deliver(client, webhook, body, headers=shopify_headers(shop="store-two.myshopify.com", delivery="b"))

    assert one.processing_state == two.processing_state == ProcessingState.PROCESSED
    assert one.order_created_id != two.order_created_id
    assert sorted(Order.objects.values_list("external_source", flat=True)) == [
        "shopify:store-one.myshopify.com",
        "shopify:store-two.myshopify.com",
    ]


def test_custom_sources_are_told_apart_by_their_configuration(client):
    body = {"id": "A-1", "customer": {"name": "Amina", "phone": "0612345678"},
            "shipping_address": {"address1": "3 Rue Atlas", "city": "Fes"},
            "line_items": [{"sku": "SAVON-NOIR", "quantity": 1, "price": "95"}]}  # fmt: skip
    one, two = make_webhook("custom", name="Landing page A"), make_webhook("custom", name="Landing page B")
    assert deliver(client, one, body).processing_state == ProcessingState.PROCESSED
    assert deliver(client, two, body).processing_state == ProcessingState.PROCESSED
    assert set(Order.objects.values_list("external_source", flat=True)) == {f"webhook:{one.pk}", f"webhook:{two.pk}"}


def test_shopify_cancellation_cancels_the_order_through_the_status_machine(client):
    webhook = make_webhook("shopify")
    created = deliver(client, webhook, sample_bytes("shopify_orders_create.json"), headers=shopify_headers())
    cancelled = shopify_payload(cancelled_at="2026-11-20T16:00:00+01:00", cancel_reason="customer")

    log = deliver(client, webhook, cancelled, headers=shopify_headers(topic="orders/cancelled", delivery="c-1"))

    assert log.processing_state == ProcessingState.PROCESSED
    assert log.order_created_id == created.order_created_id
    order = Order.objects.get(pk=created.order_created_id)
    assert order.status == OrderStatus.CANCELLED
    history = order.history.get(new_status=OrderStatus.CANCELLED)
    assert "Cancelled on Shopify (customer)" in history.notes
    assert history.changed_by_user_id is None  # the system


def test_an_update_that_cancels_on_woocommerce_cancels_the_order(client):
    webhook = make_webhook("woocommerce")
    created = deliver(client, webhook, sample_bytes("woocommerce_order_created.json"), headers=woo_headers())
    update = woo_payload(status="cancelled")

    log = deliver(client, webhook, update, headers=woo_headers(topic="order.updated", delivery="u-1"))

    assert log.processing_state == ProcessingState.PROCESSED
    assert Order.objects.get(pk=created.order_created_id).status == OrderStatus.CANCELLED


def test_an_update_without_cancellation_changes_nothing_and_says_so(client):
    webhook = make_webhook("woocommerce")
    created = deliver(client, webhook, sample_bytes("woocommerce_order_created.json"), headers=woo_headers())
    log = deliver(
        client, webhook, woo_payload(status="on-hold"), headers=woo_headers(topic="order.updated", delivery="u")
    )
    assert log.processing_state == ProcessingState.IGNORED
    assert "only cancellations are applied" in log.error_message
    assert Order.objects.get(pk=created.order_created_id).status == OrderStatus.NEW


def test_an_update_of_an_order_never_received_takes_it_in(client):
    webhook = make_webhook("shopify")
    log = deliver(client, webhook, shopify_payload(), headers=shopify_headers(topic="orders/updated"))
    assert log.processing_state == ProcessingState.PROCESSED
    assert Order.objects.count() == 1


def test_a_cancellation_the_status_machine_refuses_is_logged_as_ignored(client):
    webhook = make_webhook("shopify")
    created = deliver(client, webhook, shopify_payload(), headers=shopify_headers())
    order = Order.objects.get(pk=created.order_created_id)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.OUT_FOR_DELIVERY)  # on the road: no cancel

    log = deliver(client, webhook, shopify_payload(cancelled_at="2026-11-21T10:00:00Z"),
                  headers=shopify_headers(topic="orders/cancelled", delivery="late-cancel"))  # fmt: skip

    assert log.processing_state == ProcessingState.IGNORED
    assert log.error_message.startswith("Not cancelled:")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.OUT_FOR_DELIVERY


def test_cancelling_an_order_already_cancelled_is_ignored(client):
    webhook = make_webhook("shopify")
    created = deliver(client, webhook, shopify_payload(), headers=shopify_headers())
    order_transition(order_id=created.order_created_id, to_status=OrderStatus.CANCELLED, actor=None, reason="Test")
    log = deliver(client, webhook, shopify_payload(), headers=shopify_headers(topic="orders/cancelled", delivery="x"))
    assert log.processing_state == ProcessingState.IGNORED
    assert "already cancelled" in log.error_message


def test_a_cancellation_of_an_unknown_order_and_unhandled_topics_are_ignored(client):
    webhook = make_webhook("shopify")
    cancel = deliver(client, webhook, shopify_payload(), headers=shopify_headers(topic="orders/cancelled"))
    other = deliver(client, webhook, {"id": 1}, headers=shopify_headers(topic="customers/create", delivery="o"))
    assert cancel.processing_state == other.processing_state == ProcessingState.IGNORED
    assert "never taken in" in cancel.error_message
    assert "customers/create" in other.error_message
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"line_items": [{"title": "Mystery", "sku": "NOPE-1", "quantity": 1, "price": "10.00"}]}, "items.0.sku"),
        ({"line_items": [{"title": "No SKU", "sku": None, "quantity": 1, "price": "10.00"}]}, "has no SKU"),
        ({"customer": {"first_name": "No", "last_name": "Phone"}, "shipping_address": {"address1": "x"}}, "phone"),
        ({"id": None}, "order.external_id"),
    ],
)
def test_a_payload_that_cannot_become_an_order_fails_clearly_and_writes_nothing(client, change, error):
    webhook = make_webhook("shopify")
    payload = shopify_payload(**change)
    if "customer" in change:
        payload["billing_address"] = {}
    customers, activity = Customer.objects.count(), ActivityLog.objects.count()

    log = deliver(client, webhook, payload, headers=shopify_headers())

    assert log.processing_state == ProcessingState.FAILED
    assert error in log.error_message
    assert log.order_created_id is None
    assert Order.objects.count() == 0
    assert (Customer.objects.count(), ActivityLog.objects.count()) == (customers, activity)


def test_a_failed_delivery_is_replayed_after_the_mapping_is_fixed(client):
    """The store puts the phone where the default mapping does not look; staff fix the mapping."""
    webhook = make_webhook("custom")
    payload = {"id": "LP-77", "contact": {"name": "Nadia Ait", "mobile": "0677889900"},
               "shipping_address": {"address1": "5 Bd Zerktouni", "city": "Casablanca"},
               "line_items": [{"sku": "SAVON-NOIR", "quantity": 2, "price": "80.00"}]}  # fmt: skip
    log = deliver(client, webhook, payload)
    assert log.processing_state == ProcessingState.FAILED and "customer.phone" in log.error_message

    webhook_update(webhook_id=webhook.pk, name=webhook.name, source="custom", is_active=True, actor=None,
                   field_mapping={"customer": {"phone": "contact.mobile", "name": "contact.name"}})  # fmt: skip
    log = ingest.replay_log(log_id=log.pk, actor=None)

    assert log.processing_state == ProcessingState.PROCESSED
    order = Order.objects.get(pk=log.order_created_id)
    assert (order.customer.phone, order.customer.full_name) == ("+212677889900", "Nadia Ait")
    assert ActivityLog.objects.filter(action="webhook_log_replayed", entity_id=log.pk).exists()
    # Replaying again is refused (it is processed), and the intake's reference would stop a double anyway.
    with pytest.raises(Exception, match="can be replayed"):
        ingest.replay_log(log_id=log.pk, actor=None)
    assert Order.objects.count() == 1


def test_the_sweep_processes_deliveries_whose_task_was_lost():
    """A broker outage: the log was accepted but no task ever ran."""
    webhook = make_webhook("shopify")
    old = WebhookLog.objects.create(
        webhook=webhook, request_payload=shopify_payload(), response_status=202, topic="orders/create",
        request_headers={"X-Shopify-Shop-Domain": SHOP}, processing_state=ProcessingState.RECEIVED,
    )  # fmt: skip
    WebhookLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    fresh = WebhookLog.objects.create(webhook=webhook, request_payload={}, response_status=202)  # its task is coming

    with mock.patch.object(ingest, "enqueue", side_effect=lambda log_id: ingest.process_log(log_id=log_id)) as sent:
        assert ingest.sweep_received() == 1
    sent.assert_called_once_with(old.pk)
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.processing_state == ProcessingState.PROCESSED and old.order_created_id
    assert fresh.processing_state == ProcessingState.RECEIVED


def test_beat_runs_the_sweep_every_minute(settings):
    from integrations.tasks import sweep_received_webhook_logs_task

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == sweep_received_webhook_logs_task.name]
    assert entry["schedule"] == timedelta(minutes=1)


def test_the_sweep_leaves_fresh_refused_and_finished_logs_alone():
    webhook = make_webhook("shopify")
    old = timezone.now() - timedelta(hours=1)
    for values in (
        {"response_status": 401, "processing_state": ProcessingState.REJECTED},
        {"response_status": 202, "processing_state": ProcessingState.FAILED},
        {"response_status": 201, "processing_state": ProcessingState.RECEIVED},  # not accepted by the endpoint
        {"response_status": 202, "processing_state": ProcessingState.RECEIVED, "processed_at": timezone.now()},
    ):
        log = WebhookLog.objects.create(webhook=webhook, request_payload={}, **values)
        WebhookLog.objects.filter(pk=log.pk).update(created_at=old)
    with mock.patch.object(ingest, "enqueue") as sent:
        assert ingest.sweep_received() == 0
    sent.assert_not_called()


def test_transient_errors_count_attempts_and_give_up_after_the_limit(client, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    webhook = make_webhook("shopify")
    response = post(client, webhook, shopify_payload(), headers=shopify_headers())
    log_id = response.json()["log_id"]
    blink = OperationalError("server closed the connection unexpectedly")
    with mock.patch("integrations.webhooks.ingest.process_payload", side_effect=blink):
        for _ in range(2):
            with pytest.raises(OperationalError):
                ingest.process_log(log_id=log_id)
    log = WebhookLog.objects.get(pk=log_id)
    assert (log.processing_state, log.attempts) == (ProcessingState.RECEIVED, 2)
    assert "OperationalError" in log.error_message

    assert ingest.process_log(log_id=log_id) == ProcessingState.FAILED  # the limit: recorded, not retried
    assert "Gave up after 2 attempts" in WebhookLog.objects.get(pk=log_id).error_message


def test_an_unexpected_error_fails_the_log_instead_of_looping(client):
    webhook = make_webhook("shopify")
    log_id = post(client, webhook, shopify_payload(), headers=shopify_headers()).json()["log_id"]
    with mock.patch("integrations.webhooks.ingest.process_payload", side_effect=KeyError("bug")):
        assert ingest.process_log(log_id=log_id) == ProcessingState.FAILED
    assert "KeyError" in WebhookLog.objects.get(pk=log_id).error_message
