"""Products over the API: search, filters and keyset pages as on the web catalogue; who may see them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AccountantFactory, AgentFactory, RepFactory
from catalog.tests.factories import ProductFactory
from common.tests.apiclient import api_client, relaxed_throttles  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttles")]

LIST = reverse("api:product_list")


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_search_by_name_words_or_sku_prefix():
    ProductFactory(name="Argan oil 100ml", sku="ARG-100")
    ProductFactory(name="Black soap", sku="SOAP-1")
    client = api_client(RepFactory())
    assert names(client.get(LIST, {"q": "arg oil"})) == ["Argan oil 100ml"]
    assert names(client.get(LIST, {"q": "soap-"})) == ["Black soap"]
    assert names(client.get(LIST, {"low_stock": "true"})) == []
    assert "category" in client.get(LIST, {"category": "Nope"}).json()["errors"]


def test_prices_are_strings_with_two_decimals_variants_included():
    variant = {"id": "v1", "name": "Red", "sku": "TEE-RED", "price": 79.9, "stock": 3, "attributes": {"color": "red"}}
    product = ProductFactory(price=Decimal("80"), cost_price=Decimal("31.5"), variants=[variant])
    [row] = api_client(AccountantFactory()).get(LIST).json()["results"]
    assert row["price"] == "80.00" and row["variants"][0]["price"] == "79.90"
    body = api_client(AccountantFactory()).get(reverse("api:product_detail", args=[product.pk])).json()
    assert body["cost_price"] == "31.50" and body["variants"][0]["sku"] == "TEE-RED"


def test_delivery_agents_do_not_see_the_catalogue():
    product = ProductFactory()
    client = api_client(AgentFactory())
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("api:product_detail", args=[product.pk])).status_code == 403


def test_pages_walk_every_product_once_by_name_and_price():
    products = [ProductFactory(name=f"P {i % 3}", price=Decimal(i % 2)) for i in range(7)]
    client = api_client(RepFactory())
    for sort in ("name", "price_high", "newest"):
        seen, url = [], f"{LIST}?sort={sort}&page_size=3"
        while url:
            body = client.get(url).json()
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert sorted(seen) == sorted(str(p.pk) for p in products) and len(seen) == 7, sort


def test_the_list_costs_the_same_queries_for_few_or_many_products():
    client = api_client(RepFactory())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"page_size": 100}).status_code == 200
        return len(captured)

    ProductFactory.create_batch(2)
    few = queries()
    ProductFactory.create_batch(20)
    assert queries() == few <= 3
