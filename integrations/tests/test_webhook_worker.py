"""The whole path through a real Celery worker: POST -> 202 -> the worker creates the order; and the
sweep recovering a delivery whose task was lost while the broker was down."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import ProcessingState, WebhookLog
from integrations.tasks import sweep_received_webhook_logs_task
from orders.models import Order

from .webhook_helpers import (  # noqa: F401 (fixtures)
    SHOP,
    _quiet_intake,
    catalog,
    make_webhook,
    post,
    sample_bytes,
    shopify_headers,
    shopify_payload,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalog")]


def wait_for(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def test_a_delivery_is_answered_at_once_and_the_worker_creates_the_order(client, celery_worker):
    webhook = make_webhook("shopify")
    response = post(client, webhook, sample_bytes("shopify_orders_create.json"), headers=shopify_headers())

    assert response.status_code == 202 and response.json()["status"] == "accepted"
    log_id = response.json()["log_id"]
    assert wait_for(lambda: WebhookLog.objects.get(pk=log_id).processing_state != ProcessingState.RECEIVED)
    log = WebhookLog.objects.get(pk=log_id)
    assert log.processing_state == ProcessingState.PROCESSED, log.error_message
    order = Order.objects.get(pk=log.order_created_id)
    assert (order.external_source, order.external_id) == (f"shopify:{SHOP}", "5820417425592")

    retry = post(client, webhook, sample_bytes("shopify_orders_create.json"), headers=shopify_headers())
    assert retry.status_code == 200 and retry.json()["status"] == "duplicate"
    time.sleep(1)  # nothing was enqueued for the duplicate; give a stray task the chance to show itself
    assert Order.objects.count() == 1


def test_the_sweep_recovers_a_delivery_accepted_while_the_broker_was_down(celery_worker):
    webhook = make_webhook("shopify")
    stranded = WebhookLog.objects.create(
        webhook=webhook, request_payload=shopify_payload(), response_status=202, topic="orders/create",
        request_headers={"X-Shopify-Shop-Domain": SHOP}, processing_state=ProcessingState.RECEIVED,
    )  # fmt: skip
    WebhookLog.objects.filter(pk=stranded.pk).update(created_at=timezone.now() - timedelta(minutes=15))

    sweep_received_webhook_logs_task.delay()  # what beat sends every minute

    assert wait_for(lambda: WebhookLog.objects.get(pk=stranded.pk).processing_state == ProcessingState.PROCESSED)
    assert Order.objects.filter(external_id="5820417425592").count() == 1
