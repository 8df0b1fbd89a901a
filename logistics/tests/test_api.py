"""The delivery agent's run over the API: their orders only, pick up, deliver with proof, failed attempt."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import AgentFactory, ManagerFactory, RepFactory
from common.tests.apiclient import api_client, relaxed_throttles  # noqa: F401 - a fixture
from logistics.models import Delivery, DeliveryOutcome
from logistics.tests.delivery_data import out_order, photo, ready_order, rgba_png, token
from orders.models import OrderStatus, PaymentStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttles")]

RUN = reverse("api:delivery_list")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def url(name: str, order) -> str:
    return reverse(f"api:delivery_{name}", args=[order.pk])


def deliver_body(order, **overrides) -> dict:
    body = {
        "client_token": token(),
        "photo": photo(),
        "signature": SimpleUploadedFile("signature.png", rgba_png(), content_type="image/png"),
        "recipient_name": "Salma Benali",
        "recipient_relation": "Self",
        "cash_collected": str(order.total_amount),
        "latitude": "33.589886",
        "longitude": "-7.603869",
    }
    return body | overrides


def test_the_run_lists_the_agents_own_orders_to_deliver():
    agent, other_agent = AgentFactory(), AgentFactory()
    ready, out = ready_order(agent), out_order(agent)
    ready_order(other_agent)
    ready_order(agent, status=OrderStatus.DELIVERED)
    rows = api_client(agent).get(RUN).json()
    assert {row["id"] for row in rows} == {str(ready.pk), str(out.pk)}
    row = next(row for row in rows if row["id"] == str(ready.pk))
    assert row["amount_to_collect"] == row["total_amount"] == "229.00"
    assert row["customer"]["phone"] == ready.customer.phone and row["failed_attempts"] == 0


@pytest.mark.parametrize("factory", [ManagerFactory, RepFactory])
def test_the_run_is_for_delivery_agents_only(factory):
    assert api_client(factory()).get(RUN).status_code == 403


def test_pickup_once_per_token_and_only_the_agents_own_orders():
    agent, other_agent = AgentFactory(), AgentFactory()
    order = ready_order(agent)
    client = api_client(agent)
    body = {"client_token": token()}
    first = client.post(url("pickup", order), body, format="json")
    assert first.status_code == 200
    assert first.json()["order_status"] == "out_for_delivery" and first.json()["already_recorded"] is False
    again = client.post(url("pickup", order), body, format="json")
    assert again.status_code == 200 and again.json()["already_recorded"] is True
    assert Delivery.objects.filter(order=order).count() == 1
    theirs = ready_order(other_agent)
    assert client.post(url("pickup", theirs), {"client_token": token()}, format="json").status_code == 404
    assert client.post(url("pickup", order), {"client_token": "x"}, format="json").json()["errors"]["client_token"]


def test_deliver_with_photo_and_signature_as_multipart():
    agent = AgentFactory()
    order = out_order(agent)
    response = api_client(agent).post(url("deliver", order), deliver_body(order), format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["order_status"] == "delivered" and body["delivery"]["outcome"] == "delivered"
    assert body["delivery"]["cash_collected"] == "229.00" and body["delivery"]["photo_url"].startswith("/files/")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.payment_status == PaymentStatus.COLLECTED


def test_deliver_errors_name_the_requests_fields():
    agent = AgentFactory()
    order = out_order(agent)
    client = api_client(agent)
    blank = SimpleUploadedFile("signature.png", rgba_png(blank=True), content_type="image/png")
    response = client.post(url("deliver", order), deliver_body(order, signature=blank, cash_collected="1.00"),
                           format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"signature", "cash_collected"}
    as_json = client.post(url("deliver", order), {"client_token": token()}, format="json")
    assert as_json.status_code == 415
    order.refresh_from_db()
    assert order.status == OrderStatus.OUT_FOR_DELIVERY


def test_a_failed_attempt_through_the_service():
    agent = AgentFactory()
    order = out_order(agent)
    client = api_client(agent)
    postponed = client.post(url("fail", order), {"client_token": token(), "reason": "postponed"}, format="json")
    assert postponed.status_code == 400 and list(postponed.json()["errors"]) == ["postponed_to"]
    refused = client.post(url("fail", order), {"client_token": token(), "reason": "refused"}, format="json")
    assert refused.status_code == 200
    assert refused.json()["order_status"] == "returned" and refused.json()["delivery"]["outcome"] == "failed"
    assert Delivery.objects.get(order=order).outcome == DeliveryOutcome.FAILED


def test_acting_on_an_order_that_is_not_out_is_a_400_with_the_reason():
    agent = AgentFactory()
    order = ready_order(agent)
    response = api_client(agent).post(url("fail", order), {"client_token": token(), "reason": "refused"}, format="json")
    assert response.status_code == 400 and "not on its way" in response.json()["detail"]
