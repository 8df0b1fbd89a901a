"""Customers over the API: the web list's search and filters, scope per role, keyset pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory, RepFactory
from common.tests.apiclient import api_client, relaxed_throttles  # noqa: F401 - a fixture
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from orders.tests.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttles")]

LIST = reverse("api:customer_list")


def detail_url(customer) -> str:
    return reverse("api:customer_detail", args=[customer.pk])


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_agent_sees_only_the_customers_of_their_orders():
    agent, other_agent = AgentFactory(), AgentFactory()
    mine = OrderFactory(assigned_agent=agent).customer
    OrderFactory(assigned_agent=agent, customer=mine)  # two orders: still one row
    theirs = OrderFactory(assigned_agent=other_agent).customer
    stranger = CustomerFactory()
    assert ids(api_client(agent).get(LIST)) == {str(mine.pk)}
    assert api_client(agent).get(detail_url(theirs)).status_code == 404
    assert api_client(agent).get(detail_url(stranger)).status_code == 404
    assert ids(api_client(RepFactory()).get(LIST)) == {str(mine.pk), str(theirs.pk), str(stranger.pk)}
    assert ids(api_client(AccountantFactory()).get(LIST)) == {str(mine.pk), str(theirs.pk), str(stranger.pk)}


def test_a_customers_orders_are_limited_to_those_the_user_may_see():
    agent, other_agent = AgentFactory(), AgentFactory()
    customer = CustomerFactory()
    mine = OrderFactory(customer=customer, assigned_agent=agent)
    OrderFactory(customer=customer, assigned_agent=other_agent)
    body = api_client(agent).get(detail_url(customer)).json()
    assert [order["id"] for order in body["orders"]] == [str(mine.pk)]
    assert len(api_client(ManagerFactory()).get(detail_url(customer)).json()["orders"]) == 2


def test_search_by_phone_in_any_format_and_filters():
    salma = CustomerFactory(full_name="Salma Idrissi", phone="+212612345678", city="Rabat")
    CustomerFactory(full_name="Omar Tazi", is_blacklisted=True)
    client = api_client(RepFactory())
    assert ids(client.get(LIST, {"q": "06 12 34 56 78"})) == {str(salma.pk)}
    assert ids(client.get(LIST, {"q": "salma"})) == {str(salma.pk)}
    assert ids(client.get(LIST, {"city": "Rabat"})) == {str(salma.pk)}
    assert ids(client.get(LIST, {"blacklisted": "no"})) == {str(salma.pk)}
    high = client.get(LIST, {"risk": "high"}).json()["results"]
    assert [row["full_name"] for row in high] == ["Omar Tazi"] and high[0]["risk"]["band"] == "high"
    assert "risk" in client.get(LIST, {"risk": "extreme"}).json()["errors"]


def test_money_and_rates_are_strings_with_two_decimals():
    customer = CustomerFactory()
    Customer.objects.filter(pk=customer.pk).update(total_spent=Decimal("1500.5"), return_rate=Decimal("12.5"))
    [row] = api_client(RepFactory()).get(LIST).json()["results"]
    assert (row["total_spent"], row["return_rate"]) == ("1500.50", "12.50")


def test_pages_walk_every_customer_once_for_each_sort():
    customers = CustomerFactory.create_batch(7)
    for index, customer in enumerate(customers):
        Customer.objects.filter(pk=customer.pk).update(total_spent=Decimal(index % 3))
    client = api_client(ManagerFactory())
    for sort in ("newest", "total_spent"):
        seen, url = [], f"{LIST}?sort={sort}&page_size=2"
        while url:
            body = client.get(url).json()
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert sorted(seen) == sorted(str(c.pk) for c in customers) and len(seen) == 7, sort


def test_the_list_costs_the_same_queries_for_few_or_many_customers():
    client = api_client(RepFactory())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"page_size": 100}).status_code == 200
        return len(captured)

    CustomerFactory.create_batch(2)
    queries()  # warms the cached area rates
    few = queries()
    CustomerFactory.create_batch(20)
    assert queries() == few <= 3
