"""Orders over the API: scope and filters as on the web list, keyset pages, intake, status moves."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory, RepFactory
from catalog.tests.factories import ProductFactory
from common.tests.apiclient import api_client, relaxed_throttles  # noqa: F401 - a fixture
from orders.models import Order, OrderHistory, OrderSource, OrderStatus
from orders.tests.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttles")]

LIST = reverse("api:order_list")


def detail_url(order) -> str:
    return reverse("api:order_detail", args=[order.pk])


def move_url(order) -> str:
    return reverse("api:order_transition", args=[order.pk])


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- Scope ----------------------------------------------------------------------------------------


def test_each_role_lists_exactly_the_orders_it_may_see():
    agent, other_agent, rep, other_rep = AgentFactory(), AgentFactory(), RepFactory(), RepFactory()
    mine = OrderFactory(assigned_agent=agent, assigned_rep=rep)
    theirs = OrderFactory(assigned_agent=other_agent, assigned_rep=other_rep)
    queue = OrderFactory(assigned_rep=None)
    assert ids(api_client(agent).get(LIST)) == {str(mine.pk)}
    assert ids(api_client(other_agent).get(LIST)) == {str(theirs.pk)}
    assert ids(api_client(rep).get(LIST)) == {str(mine.pk), str(queue.pk)}
    assert ids(api_client(ManagerFactory()).get(LIST)) == {str(mine.pk), str(theirs.pk), str(queue.pk)}
    assert ids(api_client(AccountantFactory()).get(LIST)) == {str(mine.pk), str(theirs.pk), str(queue.pk)}


def test_an_agent_cannot_open_another_agents_order():
    agent, other_agent = AgentFactory(), AgentFactory()
    theirs = OrderFactory(assigned_agent=other_agent)
    response = api_client(agent).get(detail_url(theirs))
    assert response.status_code == 404 and response.json() == {
        "detail": "Not found.",
        "code": "not_found",
        "errors": {},
    }
    assert api_client(other_agent).get(detail_url(theirs)).status_code == 200


def test_a_rep_cannot_open_another_reps_order_but_sees_the_queue():
    rep, other_rep = RepFactory(), RepFactory()
    assert api_client(rep).get(detail_url(OrderFactory(assigned_rep=other_rep))).status_code == 404
    assert api_client(rep).get(detail_url(OrderFactory(assigned_rep=None))).status_code == 200


def test_a_user_without_orders_view_is_refused():
    rep = RepFactory(permissions={"orders": {"view": False}})
    response = api_client(rep).get(LIST)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


# --- The list -------------------------------------------------------------------------------------


def test_the_web_lists_filters_apply():
    manager = ManagerFactory()
    new = OrderFactory(priority="high")
    confirmed = OrderFactory(status=OrderStatus.CONFIRMED)
    OrderFactory(status=OrderStatus.CANCELLED)
    client = api_client(manager)
    assert ids(client.get(LIST, {"status": ["new", "confirmed"]})) == {str(new.pk), str(confirmed.pk)}
    assert ids(client.get(LIST, {"priority": "high"})) == {str(new.pk)}
    assert ids(client.get(LIST, {"q": confirmed.order_number})) == {str(confirmed.pk)}
    assert ids(client.get(LIST, {"q": new.customer.phone})) == {str(new.pk)}


def test_invalid_filters_and_sorts_are_a_400_with_field_errors():
    client = api_client(ManagerFactory())
    response = client.get(LIST, {"status": "shipped"})
    assert response.status_code == 400 and "status" in response.json()["errors"]
    assert "sort" in client.get(LIST, {"sort": "random"}).json()["errors"]
    assert "created_from" in client.get(LIST, {"created_from": "yesterday"}).json()["errors"]


def test_money_goes_out_as_strings_with_two_decimals():
    OrderFactory(items=[], subtotal=Decimal("1234.5"), delivery_fee=Decimal("30"), total_amount=Decimal("1264.5"))
    [row] = api_client(ManagerFactory()).get(LIST).json()["results"]
    assert row["total_amount"] == "1264.50"
    order = Order.objects.get()
    body = api_client(ManagerFactory()).get(detail_url(order)).json()
    assert (body["subtotal"], body["delivery_fee"]) == ("1234.50", "30.00")


def test_cursor_pages_walk_every_order_once_in_order():
    orders = [OrderFactory(total_amount=Decimal(amount)) for amount in (5, 9, 1, 9, 3, 7, 9)]
    client = api_client(ManagerFactory())
    for sort, expected in [
        ("newest", sorted(orders, key=lambda o: (o.created_at, o.pk), reverse=True)),
        ("total_desc", sorted(orders, key=lambda o: (o.total_amount, o.pk), reverse=True)),
        ("oldest", sorted(orders, key=lambda o: (o.created_at, o.pk))),
    ]:
        seen, url = [], f"{LIST}?sort={sort}&page_size=3"
        while url:
            body = client.get(url).json()
            assert len(body["results"]) <= 3
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert seen == [str(order.pk) for order in expected], sort


def test_the_list_costs_the_same_queries_for_few_or_many_orders():
    manager = ManagerFactory()
    client = api_client(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"page_size": 100}).status_code == 200
        return len(captured)

    agent, rep = AgentFactory(), RepFactory()
    OrderFactory.create_batch(2, assigned_agent=agent, assigned_rep=rep)
    few = queries()
    OrderFactory.create_batch(20, assigned_agent=agent, assigned_rep=rep)
    assert queries() == few <= 3


# --- Intake -------------------------------------------------------------------------------------


def order_body(product, **overrides) -> dict:
    body = {
        "customer": {"phone": "06 12 34 56 78", "full_name": "Salma Idrissi"},
        "items": [{"sku": product.sku, "quantity": 2}],
        "delivery_address": "12 Rue Ibn Batouta",
        "delivery_area": "Maarif",
    }
    return body | overrides


def test_a_rep_creates_an_order_through_the_intake_path():
    rep = RepFactory()
    product = ProductFactory(price=Decimal("149.50"))
    response = api_client(rep).post(LIST, order_body(product), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get(pk=body["id"])
    assert order.source == OrderSource.API and body["source"] == "api"
    assert order.customer.phone == "+212612345678"  # normalised by the intake
    assert body["subtotal"] == "299.00" and body["items"][0]["unit_price"] == "149.50"
    assert body["assigned_rep"]["id"] == str(rep.pk)  # a rep who takes an order keeps it
    assert OrderHistory.objects.filter(order=order, new_status=OrderStatus.NEW).count() == 1
    assert {move["to"] for move in body["allowed_moves"]} == {"confirmation_pending", "confirmed", "cancelled"}


def test_intake_errors_name_the_requests_fields_and_nothing_is_written():
    product = ProductFactory()
    variant = {"id": "v1", "name": "Red", "sku": "TEE-RED", "price": None, "stock": 5, "attributes": {}}
    tee = ProductFactory(name="Tee", variants=[variant])
    items = [
        {"sku": product.sku, "quantity": 2},
        {"sku": "NO-SUCH-SKU", "quantity": 1},
        {"sku": tee.sku, "quantity": 1},
    ]
    body = order_body(product, customer={"phone": "12", "full_name": "X"}, items=items)
    response = api_client(ManagerFactory()).post(LIST, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"customer.phone", "items.1.sku", "items.2.sku"}  # the service's rules, our names
    assert "NO-SUCH-SKU" in errors["items.1.sku"][0] and "TEE-RED" in errors["items.2.sku"][0]
    assert Order.objects.count() == 0


def test_malformed_bodies_are_refused_before_the_service():
    client = api_client(ManagerFactory())
    response = client.post(LIST, {"customer": {}, "items": [{"quantity": "two"}, {"sku": "A", "quantity": 0}]},
                           format="json")  # fmt: skip
    assert response.status_code == 400
    assert {"customer.phone", "items.0.quantity", "items.1.quantity"} == set(response.json()["errors"])
    no_product = client.post(LIST, {"customer": {"phone": "0612345678"}, "items": [{"quantity": 1}]}, format="json")
    assert list(no_product.json()["errors"]) == ["items.0.sku"]
    assert client.post(LIST, "{not json", content_type="application/json").status_code == 400
    assert client.post(LIST, {"items": []}, format="json").json()["errors"]["items"]


def test_the_same_external_id_returns_the_order_already_created():
    product = ProductFactory()
    client = api_client(ManagerFactory())
    first = client.post(LIST, order_body(product, external_id="shop-1001"), format="json")
    again = client.post(LIST, order_body(product, external_id="shop-1001"), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    # Another API user's reference of the same name is theirs.
    other = api_client(ManagerFactory()).post(LIST, order_body(product, external_id="shop-1001"), format="json")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


@pytest.mark.parametrize("factory", [AgentFactory, AccountantFactory])
def test_roles_without_orders_create_cannot_create(factory):
    response = api_client(factory()).post(LIST, order_body(ProductFactory()), format="json")
    assert response.status_code == 403
    assert Order.objects.count() == 0


# --- Status moves -------------------------------------------------------------------------------


def test_a_rep_confirms_through_the_status_machine():
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    response = api_client(rep).post(move_url(order), {"to_status": "confirmed", "note": "Called"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.confirmed_at is not None and order.stock_reserved
    last = response.json()["history"][-1]
    assert (last["old_status"], last["new_status"], last["changed_by"]["id"]) == ("new", "confirmed", str(rep.pk))


def test_an_invalid_move_is_a_400_with_the_reason():
    order = OrderFactory()
    response = api_client(ManagerFactory()).post(move_url(order), {"to_status": "delivered"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_transition" and "cannot become delivered" in body["detail"]
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW


def test_a_move_the_user_may_not_make_is_a_403():
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep, status=OrderStatus.CONFIRMED)
    response = api_client(rep).post(move_url(order), {"to_status": "being_prepared"}, format="json")
    assert response.status_code == 403 and "may not move" in response.json()["detail"]
    accountant = AccountantFactory()
    response = api_client(accountant).post(move_url(OrderFactory()), {"to_status": "confirmed"}, format="json")
    assert response.status_code == 403


def test_a_cancellation_needs_a_reason_and_unknown_statuses_are_refused():
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    client = api_client(rep)
    response = client.post(move_url(order), {"to_status": "cancelled"}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["reason"]
    assert list(client.post(move_url(order), {"to_status": "lost"}, format="json").json()["errors"]) == ["to_status"]
    done = client.post(move_url(order), {"to_status": "cancelled", "reason": "Customer changed mind"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


def test_agents_move_only_their_own_orders():
    agent, other_agent = AgentFactory(), AgentFactory()
    mine = OrderFactory(assigned_agent=agent, status=OrderStatus.READY_FOR_PICKUP, stock_reserved=True)
    theirs = OrderFactory(assigned_agent=other_agent, status=OrderStatus.READY_FOR_PICKUP, stock_reserved=True)
    client = api_client(agent)
    assert client.post(move_url(theirs), {"to_status": "out_for_delivery"}, format="json").status_code == 404
    response = client.post(move_url(mine), {"to_status": "out_for_delivery"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "out_for_delivery"
