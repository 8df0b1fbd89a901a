"""Dispatch, run sheet and label pages: access, results per order, query counts, totals, escaping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Availability, Role
from accounts.tests.factories import ManagerFactory, UserFactory
from core.tests.test_security_headers import inline_code
from customers.tests.factories import CustomerFactory
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus, Priority

from .dispatch_data import make_agent, ready_order

pytestmark = pytest.mark.django_db

# Session, user, area counts, orders, agents (their loads and areas are subqueries).
MAX_PAGE_QUERIES = 6
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def manager_client(client):
    client.force_login(ManagerFactory())
    return client


def htmx(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


# --- Access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CUSTOMER_REP, Role.ACCOUNTANT, Role.DELIVERY_AGENT])
def test_people_who_may_not_assign_cannot_dispatch_or_print_labels(client, role):
    order = ready_order("Maarif")
    agent = make_agent("Maarif")
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("logistics:dispatch")).status_code == 403
    assert client.get(reverse("logistics:labels"), {"ids": order.pk}).status_code == 403
    response = client.post(reverse("logistics:dispatch_assign"), {"ids": [order.pk], "agent": agent.pk})
    assert response.status_code == 403
    assert client.post(reverse("logistics:dispatch_auto"), {"ids": [order.pk]}).status_code == 403
    assert Order.objects.get(pk=order.pk).assigned_agent_id is None


def test_an_agent_opens_their_own_run_sheet_but_not_a_colleagues(client):
    me, colleague = make_agent("Maarif"), make_agent("Maarif")
    mine, theirs = ready_order("Maarif", agent=me), ready_order("Maarif", agent=colleague)
    client.force_login(me)
    page = client.get(reverse("logistics:run_sheet", kwargs={"agent_id": me.pk}))
    assert page.status_code == 200
    assert mine.order_number in page.content.decode() and theirs.order_number not in page.content.decode()
    assert client.get(reverse("logistics:run_sheet", kwargs={"agent_id": colleague.pk})).status_code == 403


def test_a_run_sheet_of_someone_who_is_not_an_agent_is_not_found(manager_client):
    rep = UserFactory(role=Role.CUSTOMER_REP)
    assert manager_client.get(reverse("logistics:run_sheet", kwargs={"agent_id": rep.pk})).status_code == 404


# --- The dispatch page -----------------------------------------------------------------------------------


def test_area_tabs_count_waiting_orders_and_list_them_high_priority_then_oldest(manager_client):
    old = ready_order("Maarif")
    high = ready_order("Maarif", priority=Priority.HIGH)
    new = ready_order("Maarif")
    ready_order("Anfa")
    ready_order("Maarif", agent=make_agent())  # assigned: not waiting
    ready_order("Maarif", status=OrderStatus.BEING_PREPARED)  # not ready yet
    page = manager_client.get(reverse("logistics:dispatch"), {"area": "Maarif"})
    assert page.status_code == 200
    assert [t["count"] for t in page.context["tabs"]] == [1, 3]  # Anfa, Maarif
    assert [o.pk for o in page.context["orders"]] == [high.pk, old.pk, new.pk]
    assert inline_code(page) == []


def test_agents_show_their_areas_availability_and_load(manager_client):
    agent = make_agent("Maarif", "Anfa", name="Amal Agent", availability=Availability.BUSY)
    ready_order("Maarif", agent=agent)
    ready_order("Maarif", agent=agent, status=OrderStatus.OUT_FOR_DELIVERY)
    ready_order("Maarif", agent=agent, status=OrderStatus.DELIVERED)
    page = manager_client.get(reverse("logistics:dispatch"))
    (row,) = page.context["agents"]
    assert (row.areas, row.availability, row.load) == (["Anfa", "Maarif"], Availability.BUSY, 2)
    assert "2/25" in page.content.decode()


def test_assigning_selected_orders_reports_each_order_in_the_fragment(manager_client):
    agent = make_agent("Maarif", name="Amal Agent")
    waiting = ready_order("Maarif")
    gone = ready_order("Maarif", agent=make_agent(), status=OrderStatus.OUT_FOR_DELIVERY)
    response = htmx(manager_client, reverse("logistics:dispatch_assign"),
                    {"ids": [waiting.pk, gone.pk], "agent": agent.pk, "area": "Maarif"})  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200 and 'id="dispatch-board"' in html
    assert f"{waiting.order_number} → Amal Agent" in html
    assert f"{gone.order_number}: not assigned" in html
    assert Order.objects.get(pk=waiting.pk).assigned_agent_id == agent.pk
    assert inline_code(response) == []


def test_without_javascript_the_results_come_back_as_messages(manager_client):
    agent = make_agent("Maarif")
    waiting = ready_order("Maarif")
    response = manager_client.post(reverse("logistics:dispatch_assign"),
                                   {"ids": [waiting.pk], "agent": agent.pk, "area": "Maarif"}, follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == reverse("logistics:dispatch") + "?area=Maarif"
    assert "Assigned 1 of 1 order." in [str(m) for m in response.context["messages"]]


def test_auto_assign_of_a_whole_area_and_of_nothing(manager_client):
    agent = make_agent("Maarif")
    orders = [ready_order("Maarif") for _ in range(3)]
    response = htmx(manager_client, reverse("logistics:dispatch_auto"), {"scope": "area", "area": "Maarif"})
    assert "<strong>3</strong> of 3 orders assigned" in response.content.decode()
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("assigned_agent_id", flat=True)) == {
        agent.pk
    }
    response = htmx(manager_client, reverse("logistics:dispatch_auto"), {"area": "Maarif"})
    assert "Select at least one order first." in response.content.decode()


def test_reassign_lists_assigned_orders_filtered_by_agent_and_moves_them(manager_client):
    first, second = make_agent("Maarif", name="First Agent"), make_agent("Anfa", name="Second Agent")
    moved, stays = ready_order("Maarif", agent=first), ready_order("Anfa", agent=second)
    page = manager_client.get(reverse("logistics:dispatch"), {"view": "assigned", "held_by": first.pk})
    assert [o.pk for o in page.context["orders"]] == [moved.pk]
    response = htmx(manager_client, reverse("logistics:dispatch_assign"),
                    {"ids": [moved.pk], "agent": second.pk, "view": "assigned", "held_by": first.pk})  # fmt: skip
    assert response.status_code == 200
    assert Order.objects.get(pk=moved.pk).assigned_agent_id == second.pk
    assert Order.objects.get(pk=stays.pk).assigned_agent_id == second.pk
    assert response.context["orders"] == []  # the first agent holds nothing any more


def _many(orders: int, agents: int):
    for index in range(agents):
        agent = make_agent("Maarif", "Anfa", name=f"Agent {index:02d}")
        ready_order("Maarif", agent=agent)
    for index in range(orders):
        ready_order("Maarif" if index % 3 else "Anfa", priority=Priority.HIGH if index % 5 == 0 else Priority.MEDIUM)


def test_the_dispatch_page_costs_the_same_queries_for_5_or_60_orders(manager_client, django_assert_max_num_queries):
    _many(orders=5, agents=2)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES) as few:
        manager_client.get(reverse("logistics:dispatch"), {"area": "Maarif"})
    _many(orders=60, agents=10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = manager_client.get(reverse("logistics:dispatch"), {"area": "Maarif"})
    assert len(page.context["orders"]) == 43 and len(page.context["agents"]) == 12
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(reverse("logistics:dispatch"), {"view": "assigned"})


# --- Run sheet -----------------------------------------------------------------------------------------------


def test_a_run_sheet_lists_what_to_carry_and_adds_up_the_cash_to_the_cent(manager_client):
    agent = make_agent("Maarif", name="Amal Agent")
    amounts = ["199.99", "0.01", "1234.56", "45.50"]
    for amount in amounts:
        ready_order("Maarif", agent=agent, total_amount=Decimal(amount))
    ready_order("Maarif", agent=agent, status=OrderStatus.OUT_FOR_DELIVERY, total_amount=Decimal("10.10"))
    ready_order("Maarif", agent=agent, payment_method=PaymentMethod.BANK_TRANSFER, total_amount=Decimal("999.00"))
    ready_order("Maarif", agent=agent, payment_status=PaymentStatus.COLLECTED, total_amount=Decimal("77.00"))
    ready_order("Maarif", agent=agent, status=OrderStatus.DELIVERED, total_amount=Decimal("500.00"))
    page = manager_client.get(reverse("logistics:run_sheet", kwargs={"agent_id": agent.pk}))
    expected = sum(Decimal(a) for a in [*amounts, "10.10"])
    assert expected == Decimal("1490.16")
    assert page.context["total_to_collect"] == expected
    assert len(page.context["orders"]) == 7
    html = page.content.decode()
    assert "<strong>1490.16</strong>" in html and "999.00" not in html.split("Total cash")[0].split("paid")[-1]
    assert html.count(">paid<") == 2
    assert inline_code(page) == []
    assert "css/print.css" in html


def test_a_run_sheet_shows_customer_address_area_and_items(manager_client):
    agent = make_agent("Maarif")
    customer = CustomerFactory(full_name="Salma Bennani", phone="+212600000042", area="Maarif")
    order = ready_order("Maarif", agent=agent, customer=customer, delivery_address="12 Rue des Fleurs")
    html = manager_client.get(reverse("logistics:run_sheet", kwargs={"agent_id": agent.pk})).content.decode()
    item = order.items[0]
    for text in ("Salma Bennani", "+212600000042", "12 Rue des Fleurs", "Maarif", f"1 \u00d7 {item['name']}"):
        assert text in html


# --- Labels --------------------------------------------------------------------------------------------------


def test_labels_carry_the_qr_code_barcode_and_amount_of_each_order(manager_client):
    first = ready_order("Maarif", total_amount=Decimal("229.00"))
    second = ready_order("Maarif", total_amount=Decimal("75.25"), payment_method=PaymentMethod.BANK_TRANSFER)
    page = manager_client.get(reverse("logistics:labels"), {"ids": f"{first.pk},{second.pk}"})
    html = page.content.decode()
    assert html.count('<svg class="qr"') == 2 and html.count('<svg class="barcode"') == 2
    assert f'aria-label="QR code of {first.order_number}"' in html
    assert "229.00 MAD" in html and "75.25" not in html  # a paid order has nothing to collect
    assert "PAID" in html
    assert inline_code(page) == []


def test_labels_of_an_area_cover_its_orders_ready_for_pickup(manager_client):
    waiting, assigned = ready_order("Anfa"), ready_order("Anfa", agent=make_agent())
    other_area, not_ready = ready_order("Maarif"), ready_order("Anfa", status=OrderStatus.CONFIRMED)
    page = manager_client.get(reverse("logistics:labels"), {"area": "Anfa"})
    assert {o.pk for o in page.context["orders"]} == {waiting.pk, assigned.pk}
    assert other_area.order_number not in page.content.decode()
    assert not_ready.order_number not in page.content.decode()


def test_labels_ignore_ids_that_are_not_uuids(manager_client):
    page = manager_client.get(reverse("logistics:labels"), {"ids": ["nope", "1;DROP"]})
    assert page.status_code == 200 and page.context["orders"] == []


# --- Hostile names -------------------------------------------------------------------------------------------


def test_hostile_names_are_escaped_on_every_dispatch_page(manager_client):
    agent = make_agent(HOSTILE, name=HOSTILE)
    customer = CustomerFactory(full_name=HOSTILE, address=HOSTILE, area=HOSTILE)
    waiting = ready_order(HOSTILE, customer=customer, delivery_address=HOSTILE, customer_notes=HOSTILE)
    item = {"name": HOSTILE, "quantity": 1, "sku": HOSTILE, "unit_price": "1.00", "total": "1.00"}
    ready_order(HOSTILE, customer=customer, agent=agent, delivery_address=HOSTILE, customer_notes=HOSTILE, items=[item])
    pages = [
        manager_client.get(reverse("logistics:dispatch"), {"area": HOSTILE}),
        manager_client.get(reverse("logistics:dispatch"), {"view": "assigned"}),
        manager_client.get(reverse("logistics:run_sheet", kwargs={"agent_id": agent.pk})),
        manager_client.get(reverse("logistics:labels"), {"area": HOSTILE}),
        htmx(manager_client, reverse("logistics:dispatch_assign"), {"ids": [waiting.pk], "agent": agent.pk,
                                                                    "area": HOSTILE}),
    ]  # fmt: skip
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html
