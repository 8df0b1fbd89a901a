"""The delivery agent's pages over HTTP: what the agent sees, who may do what, proofs, double submissions."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Availability
from accounts.tests.factories import AccountantFactory, AdminFactory, AgentFactory, ManagerFactory, RepFactory
from core.tests.test_security_headers import inline_code
from customers.tests.factories import CustomerFactory
from logistics.models import Delivery, DeliveryOutcome
from logistics.services.delivery import deliver
from orders.models import OrderStatus, Priority

from .delivery_data import deliver_kwargs, out_order, photo, ready_order, rgba_png, token

pytestmark = pytest.mark.django_db

S = OrderStatus
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def agent():
    return AgentFactory(full_name="Hamza Agent")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def url(name: str, order=None) -> str:
    return reverse(f"logistics:{name}", kwargs={"order_id": order.pk} if order is not None else None)


def deliver_form(order, **overrides) -> dict:
    data = {
        "client_token": token(),
        "photo": photo(),
        "signature": "data:image/png;base64," + base64.b64encode(rgba_png()).decode(),
        "recipient_name": "Salma Benali",
        "recipient_relation": "Self",
        "cash_collected": str(order.total_amount),
        "latitude": "33.589886",
        "longitude": "-7.603869",
        "note": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- The run page -------------------------------------------------------------------------------------


def test_the_run_shows_the_agents_orders_with_what_to_collect_and_where(agent_client, agent):
    customer = CustomerFactory(full_name="Salma Benali", phone="+212612345678", address="12 Rue des Fleurs")
    ready = ready_order(agent, customer=customer, delivery_area="Maarif", customer_notes="Ring twice, 3rd floor")
    out = out_order(agent, priority=Priority.HIGH)
    someone_elses = ready_order(AgentFactory())
    page = agent_client.get(url("agent_run"))
    html = page.content.decode()
    assert page.status_code == 200
    for text in (ready.order_number, out.order_number, f"{ready.total_amount} MAD", "12 Rue des Fleurs", "Maarif",
                 "Ring twice, 3rd floor", 'href="tel:+212612345678"', "Pick up", "Deliver", "Failed"):  # fmt: skip
        assert text in html, text
    assert "https://www.google.com/maps/search/?api=1&amp;query=12%20Rue%20des%20Fleurs%2C%20Maarif" in html
    assert someone_elses.order_number not in html
    # High priority first (the schema's query 2 order).
    assert html.index(out.order_number) < html.index(ready.order_number)
    totals = page.context["totals"]
    assert totals["left"] == 2 and totals["to_collect"] == ready.total_amount + out.total_amount
    assert inline_code(page) == []


def test_hostile_customer_text_is_escaped(agent_client, agent):
    customer = CustomerFactory(full_name=HOSTILE, address=HOSTILE)
    order = out_order(agent, customer=customer, customer_notes=HOSTILE, delivery_address=HOSTILE, delivery_area=HOSTILE)
    for page in (agent_client.get(url("agent_run")), agent_client.get(url("deliver", order))):
        html = page.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html
        assert inline_code(page) == []


def test_the_run_page_costs_the_same_queries_for_3_or_15_orders(agent_client, agent):
    for _ in range(3):
        out_order(agent)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url("agent_run"))
    for _ in range(12):
        ready_order(agent)
    with CaptureQueriesContext(connection) as many:
        page = agent_client.get(url("agent_run"))
    assert len(page.context["orders"]) == 15
    assert len(many) == len(few) <= 10


def test_the_totals_count_cash_collected_today(agent_client, agent):
    order = out_order(agent)
    deliver(**deliver_kwargs(order, agent, cash_collected=Decimal("100.00"), note="Partial payment"))
    page = agent_client.get(url("agent_run"))
    assert page.context["totals"]["collected_today"] == Decimal("100.00")
    assert "Done today" in page.content.decode() and order.order_number in page.content.decode()


def test_the_availability_switch(agent_client, agent):
    response = agent_client.post(url("agent_availability"), {"availability_status": "busy"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true">Busy' in response.content.decode()
    agent.refresh_from_db()
    assert agent.availability_status == Availability.BUSY
    agent_client.post(url("agent_availability"), {"availability_status": "asleep"})
    agent.refresh_from_db()
    assert agent.availability_status == Availability.BUSY


# --- Who may use the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [AccountantFactory, ManagerFactory, RepFactory, AdminFactory])
def test_only_delivery_agents_use_these_pages(client, factory, agent):
    client.force_login(factory())
    order = out_order(agent)
    assert client.get(url("agent_run")).status_code == 403
    assert client.get(url("deliver", order)).status_code == 403
    assert client.post(url("pickup", order), {"client_token": token()}).status_code == 403
    assert client.post(url("position"), {"latitude": "1", "longitude": "1"}).status_code == 403


def test_an_agent_without_deliveries_edit_is_refused(client):
    agent = AgentFactory(permissions={"deliveries": {"edit": False}})
    client.force_login(agent)
    assert client.get(url("agent_run")).status_code == 403


def test_another_agents_order_is_a_404_on_every_action(client, agent):
    ready, out = ready_order(agent), out_order(agent)
    client.force_login(AgentFactory())
    assert client.post(url("pickup", ready), {"client_token": token()}).status_code == 404
    assert client.get(url("deliver", out)).status_code == 404
    assert client.post(url("deliver", out), deliver_form(out)).status_code == 404
    assert client.get(url("fail", out)).status_code == 404
    assert client.post(url("fail", out), {"client_token": token(), "reason": "refused"}).status_code == 404
    ready.refresh_from_db()
    out.refresh_from_db()
    assert (ready.status, out.status) == (S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY)


# --- Pick up ----------------------------------------------------------------------------------------------


def test_pickup_with_htmx_swaps_the_card_and_a_double_tap_is_recorded_once(agent_client, agent):
    order = ready_order(agent)
    data = {"client_token": token()}
    first = agent_client.post(url("pickup", order), data, HTTP_HX_REQUEST="true")
    html = first.content.decode()
    assert first.status_code == 200
    assert "picked up" in html and url("deliver", order) in html and "Pick up" not in html
    second = agent_client.post(url("pickup", order), data, HTTP_HX_REQUEST="true")
    assert "already recorded" in second.content.decode()
    assert Delivery.objects.filter(order=order).count() == 1


def test_pickup_without_javascript_redirects_to_the_run(agent_client, agent):
    order = ready_order(agent)
    response = agent_client.post(url("pickup", order), {"client_token": token()}, follow=True)
    assert response.redirect_chain[-1][0] == url("agent_run")
    assert f"{order.order_number} picked up" in response.content.decode()


# --- Deliver ------------------------------------------------------------------------------------------------


def test_the_deliver_form_is_prefilled_and_runs_under_the_csp(agent_client, agent):
    order = out_order(agent)
    page = agent_client.get(url("deliver", order))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert "data-signature-pad" in html and "js/signature.js" in html and "js/agent.js" in html
    assert f'value="{order.total_amount}"' in html
    assert f'data-draft="deliver:{order.pk}"' in html
    assert page.context["form"].initial["client_token"]
    assert inline_code(page) == []


def test_delivering_through_the_form_records_the_proof_once(agent_client, agent):
    order = out_order(agent)
    data = deliver_form(order)
    response = agent_client.post(url("deliver", order), data, HTTP_USER_AGENT=UA)
    assert response.status_code == 302 and response["Location"] == f"{url('agent_run')}?done={order.pk}"
    order.refresh_from_db()
    attempt = Delivery.objects.get(order=order)
    assert order.status == S.DELIVERED and attempt.outcome == DeliveryOutcome.DELIVERED
    assert attempt.proof_of_delivery["device_id"].startswith("ua-")
    assert UA not in str(attempt.proof_of_delivery)

    again = agent_client.post(url("deliver", order), {**data, "photo": photo()}, follow=True)
    assert "Already recorded" in again.content.decode()
    assert Delivery.objects.filter(order=order, outcome=DeliveryOutcome.DELIVERED).count() == 1
    # The run page clears the order's saved draft (static/js/agent.js).
    assert f'data-clear-draft="{order.pk}"' in again.content.decode()


def test_delivering_with_htmx_answers_with_a_client_redirect(agent_client, agent):
    order = out_order(agent)
    response = agent_client.post(url("deliver", order), deliver_form(order), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == f"{url('agent_run')}?done={order.pk}"


def test_a_refused_proof_comes_back_with_the_errors_and_writes_nothing(agent_client, agent, media_root):
    order = out_order(agent)
    data = deliver_form(order, photo=None, signature=None, cash_collected="50", recipient_name="Salma")
    response = agent_client.post(url("deliver", order), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="deliver-form"' in html and "<html" not in html
    for message in ("Take a photo", "Ask the recipient to sign", "say why in the note"):
        assert message in html
    assert 'value="Salma"' in html and 'value="50"' in html  # what was typed is kept
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY
    assert not (media_root / "private").exists() or not any((media_root / "private").rglob("*.*"))


def test_a_signature_that_is_not_a_png_data_url_is_refused(agent_client, agent):
    order = out_order(agent)
    response = agent_client.post(url("deliver", order), deliver_form(order, signature="javascript:alert(1)"))
    assert "The signature could not be read" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY


def test_the_deliver_form_of_an_order_not_out_sends_back_to_the_run(agent_client, agent):
    order = ready_order(agent)
    response = agent_client.get(url("deliver", order), follow=True)
    assert response.redirect_chain[-1][0] == url("agent_run")
    assert "nothing to deliver" in response.content.decode()


# --- Failed attempt -------------------------------------------------------------------------------------------


def test_recording_a_failed_attempt_through_the_form(agent_client, agent):
    order = out_order(agent)
    page = agent_client.get(url("fail", order))
    assert page.status_code == 200 and inline_code(page) == []
    data = {"client_token": token(), "reason": "customer_unavailable", "note": "Gate closed"}
    response = agent_client.post(url("fail", order), data, follow=True)
    assert "back in your pickups" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.READY_FOR_PICKUP
    again = agent_client.post(url("fail", order), data, follow=True)
    assert "Already recorded" in again.content.decode()
    assert Delivery.objects.filter(order=order, outcome=DeliveryOutcome.FAILED).count() == 1


def test_a_failed_attempt_form_shows_the_services_errors(agent_client, agent):
    order = out_order(agent)
    response = agent_client.post(url("fail", order), {"client_token": token(), "reason": "other"})
    assert "Say what happened." in response.content.decode()
    response = agent_client.post(url("fail", order), {"client_token": token(), "reason": "postponed"})
    assert "after today" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY


# --- Positions ------------------------------------------------------------------------------------------------


def test_positions_in_json(agent_client, agent):
    order = out_order(agent)
    response = agent_client.post(
        url("position"), {"latitude": 33.59, "longitude": -7.6}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json() == {"updated": 1}
    assert len(Delivery.objects.get(order=order).route_data["waypoints"]) == 1
    bad = agent_client.post(url("position"), {"latitude": 333, "longitude": 0}, content_type="application/json")
    assert bad.status_code == 400 and "latitude" in bad.json()["errors"]


# --- Proof files ----------------------------------------------------------------------------------------------


@pytest.fixture
def proof(agent):
    rep = RepFactory()
    order = out_order(agent, assigned_rep=rep)
    deliver(**deliver_kwargs(order, agent))
    return {"delivery": Delivery.objects.get(order=order), "rep": rep}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("the agent", 200),
        ("another agent", 404),
        ("a manager", 200),
        ("the order's rep", 200),
        ("another rep", 404),
        ("an accountant", 200),
    ],
)
def test_who_may_open_a_proof(client, proof, agent, who, status):
    users = {
        "the agent": lambda: agent,
        "another agent": AgentFactory,
        "a manager": ManagerFactory,
        "the order's rep": lambda: proof["rep"],
        "another rep": RepFactory,
        "an accountant": AccountantFactory,
    }
    client.force_login(users[who]())
    for proof_url in (proof["delivery"].photo_url, proof["delivery"].signature_url):
        response = client.get(proof_url)
        assert response.status_code == status, (who, proof_url)
    if status == 200:
        assert response["Content-Type"] == "image/png" and response["Cache-Control"] == "private, no-store"


def test_a_file_in_a_deliverys_folder_but_not_on_its_row_is_not_served(client, proof, agent, media_root):
    from common.uploads import save_private_upload

    delivery = proof["delivery"]
    stray = save_private_upload(photo(), folder=f"proofs/{delivery.pk.hex}")
    client.force_login(agent)
    assert client.get(stray.url).status_code == 404
    assert client.get(reverse("private_file", args=["proofs/not-a-uuid/2026/01/x.png"])).status_code == 404


def test_a_rep_without_deliveries_view_cannot_open_a_proof(client, proof):
    client.force_login(proof["rep"])
    proof["rep"].permissions = {"deliveries": {"view": False}}
    proof["rep"].save(update_fields=["permissions"])
    assert client.get(proof["delivery"].photo_url).status_code == 404


def test_a_form_without_its_token_says_it_expired(agent_client, agent):
    order = out_order(agent)
    response = agent_client.post(url("fail", order), {"reason": "phone_off"})
    assert "This form has expired" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY
