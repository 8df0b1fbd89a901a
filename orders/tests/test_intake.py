"""The one intake path: every source, validation, pricing to the cent, customers by phone, flags."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import RepFactory
from catalog.tests.factories import ProductFactory
from common.errors import ValidationFailed
from customers.models import Customer
from customers.services import customer_set_blacklist
from customers.tests.factories import CustomerFactory
from orders.models import DeliveryArea, Order, OrderSource
from orders.services.intake import CustomerInput, ItemInput, OrderInput, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_assign(settings):
    settings.AUTO_ASSIGN_REPS = False
    settings.DEFAULT_DELIVERY_FEE = "30.00"


def order_input(**overrides) -> OrderInput:
    values = {
        "source": OrderSource.MANUAL,
        "customer": CustomerInput(
            phone="0612345678", full_name="Salma Benali", address="12 Rue Ibn Sina", area="Maarif"
        ),
        "items": [ItemInput(sku="ARG-50", quantity=2)],
    }
    values.update(overrides)
    return OrderInput(**values)


@pytest.fixture
def argan():
    return ProductFactory(sku="ARG-50", name="Argan Oil Serum", price=Decimal("149.00"))


@pytest.mark.parametrize("source", list(OrderSource))
def test_each_source_creates_an_order_through_the_same_path(argan, source):
    result = order_create(data=order_input(source=source), actor=None)
    order = result.order
    assert result.created
    assert order.source == source
    assert order.order_number.startswith("ORD-")
    assert (order.subtotal, order.delivery_fee, order.total_amount) == (
        Decimal("298.00"),
        Decimal("30.00"),
        Decimal("328.00"),
    )
    assert order.items == [
        {
            "product_id": str(argan.pk),
            "variant_id": None,
            "sku": "ARG-50",
            "name": "Argan Oil Serum",
            "quantity": 2,
            "unit_price": "149.00",
            "total": "298.00",
            "notes": None,
        }
    ]
    assert order.history.get().new_status == "new"


def test_totals_add_up_to_the_cent():
    a = ProductFactory(price=Decimal("19.99"))
    b = ProductFactory(price=Decimal("0.01"))
    DeliveryArea.objects.create(name="Ain Diab", delivery_fee=Decimal("35.50"))
    data = order_input(
        items=[ItemInput(product_id=str(a.pk), quantity=3), ItemInput(product_id=str(b.pk), quantity=7)],
        delivery_area="ain diab",
    )
    order = order_create(data=data, actor=None).order
    assert order.subtotal == Decimal("60.04")
    assert order.delivery_fee == Decimal("35.50")
    assert order.total_amount == Decimal("95.54")
    assert sum(Decimal(i["total"]) for i in order.items) == order.subtotal


def test_an_unknown_area_pays_the_default_fee(argan, settings):
    settings.DEFAULT_DELIVERY_FEE = "25.00"
    order = order_create(data=order_input(delivery_area="Nowhere"), actor=None).order
    assert order.delivery_fee == Decimal("25.00")


def test_imported_orders_keep_their_source_prices_and_fee(argan):
    data = order_input(
        source=OrderSource.CSV,
        items=[ItemInput(sku="ARG-50", quantity=1, unit_price="139.90")],
        prices_from_source=True,
        delivery_fee="35",
    )
    order = order_create(data=data, actor=None).order
    assert order.items[0]["unit_price"] == "139.90"
    assert (order.subtotal, order.delivery_fee, order.total_amount) == (
        Decimal("139.90"),
        Decimal("35.00"),
        Decimal("174.90"),
    )
    assert order.prices_from_source


def test_catalog_prices_are_used_unless_the_order_is_imported(argan):
    data = order_input(items=[ItemInput(sku="ARG-50", quantity=1, unit_price="1.00")])
    assert order_create(data=data, actor=None).order.items[0]["unit_price"] == "149.00"


def test_a_variant_is_found_by_its_sku_and_priced_by_it():
    ProductFactory(
        sku="TSHIRT",
        name="T-shirt",
        price=Decimal("99.00"),
        variants=[{"id": "var-1", "name": "L / Red", "sku": "TSHIRT-L-RED", "price": 109.0, "stock": 4}],
    )
    order = order_create(data=order_input(items=[ItemInput(sku="TSHIRT-L-RED", quantity=1)]), actor=None).order
    assert order.items[0] | {} == order.items[0]
    assert (order.items[0]["variant_id"], order.items[0]["sku"], order.items[0]["unit_price"]) == (
        "var-1",
        "TSHIRT-L-RED",
        "109.00",
    )
    assert order.items[0]["name"] == "T-shirt - L / Red"


@pytest.mark.parametrize("raw_phone", ["0612345678", "+212 6 12 34 56 78", "00212612345678", "06 12 34 56 78"])
def test_every_phone_format_finds_the_same_customer(argan, raw_phone):
    existing = CustomerFactory(phone="+212612345678", full_name="Salma B", address="Old address")
    order = order_create(data=order_input(customer=CustomerInput(phone=raw_phone, full_name="S.")), actor=None).order
    assert order.customer_id == existing.pk
    assert Customer.objects.count() == 1
    # Staff-edited contact fields are not overwritten by an incoming order.
    existing.refresh_from_db()
    assert (existing.full_name, existing.address) == ("Salma B", "Old address")


def test_a_new_customer_is_created_with_the_normalised_phone(argan):
    order = order_create(data=order_input(), actor=None).order
    assert order.customer.phone == "+212612345678"
    assert Customer.objects.get(pk=order.customer_id).total_orders == 1  # kept by the trigger
    assert order.delivery_address == "12 Rue Ibn Sina"
    assert order.delivery_area == "Maarif"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [ItemInput(sku="NOPE", quantity=1)]}, "items.0.sku"),
        ({"items": [ItemInput(sku="ARG-50", quantity=0)]}, "items.0.quantity"),
        ({"items": [ItemInput(sku="ARG-50", quantity=-2)]}, "items.0.quantity"),
        ({"items": [ItemInput(sku="ARG-50", quantity="two")]}, "items.0.quantity"),
        ({"items": [ItemInput(sku="ARG-50", quantity="1.5")]}, "items.0.quantity"),
        ({"items": [ItemInput(product_id="not-a-uuid", quantity=1)]}, "items.0.product_id"),
        ({"customer": CustomerInput(phone="12345", full_name="X", address="A")}, "customer.phone"),
        ({"customer": CustomerInput(phone="", full_name="X", address="A")}, "customer.phone"),
        ({"customer": CustomerInput(phone="0612345678", full_name="X")}, "delivery_address"),
        ({"source": "fax"}, "source"),
        ({"priority": "urgent"}, "priority"),
        ({"delivery_fee": "-5"}, "delivery_fee"),
        ({"delivery_fee": "abc"}, "delivery_fee"),
        ({"external_id": "123"}, "external_source"),
        (
            {"prices_from_source": True, "items": [ItemInput(sku="ARG-50", quantity=1, unit_price="12,5.0")]},
            "items.0.unit_price",
        ),
    ],
)
def test_bad_input_gets_a_field_error_and_writes_nothing(argan, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        order_create(data=order_input(**overrides), actor=None)
    assert field in error.value.errors, error.value.errors
    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0


def test_all_line_errors_are_reported_at_once(argan):
    data = order_input(items=[ItemInput(sku="ARG-50", quantity=0), ItemInput(sku="GONE", quantity=1)])
    with pytest.raises(ValidationFailed) as error:
        order_create(data=data, actor=None)
    assert set(error.value.errors) == {"items.0.quantity", "items.1.sku"}


def test_an_inactive_product_cannot_be_ordered():
    ProductFactory(sku="OLD", is_active=False)
    with pytest.raises(ValidationFailed) as error:
        order_create(data=order_input(items=[ItemInput(sku="OLD", quantity=1)]), actor=None)
    assert "no longer sold" in error.value.errors["items.0.sku"][0]


def test_the_same_source_order_twice_is_one_order(argan):
    data = order_input(source=OrderSource.WEBHOOK, external_source="shopify:demo.myshopify.com", external_id="5820")
    first = order_create(data=data, actor=None)
    second = order_create(data=data, actor=None)
    assert first.created and not second.created
    assert first.order.pk == second.order.pk
    assert Order.objects.count() == 1


def test_two_stores_with_the_same_number_do_not_collide(argan):
    for store in ("shopify:a.myshopify.com", "shopify:b.myshopify.com"):
        order_create(data=order_input(external_source=store, external_id="1001"), actor=None)
    assert Order.objects.count() == 2


def test_an_order_from_the_same_phone_with_a_shared_item_is_flagged_as_duplicate(argan):
    first = order_create(data=order_input(), actor=None).order
    other = ProductFactory(sku="SOAP")
    second = order_create(
        data=order_input(items=[ItemInput(sku="SOAP", quantity=1), ItemInput(sku="ARG-50", quantity=1)]), actor=None
    ).order
    third = order_create(data=order_input(items=[ItemInput(sku="SOAP", quantity=1)]), actor=None).order
    assert not first.is_possible_duplicate
    assert second.is_possible_duplicate and second.duplicate_of_id == first.pk
    assert third.duplicate_of_id == second.pk  # the latest earlier order sharing an item
    assert other.sku == "SOAP"


def test_an_old_order_is_not_a_duplicate(argan, raw_sql, settings):
    settings.DUPLICATE_WINDOW_HOURS = 24
    first = order_create(data=order_input(), actor=None).order
    raw_sql("UPDATE orders SET created_at = now() - interval '25 hours' WHERE id = %s", [first.pk])
    assert not order_create(data=order_input(), actor=None).order.is_possible_duplicate


def test_a_blacklisted_customer_still_gets_orders_flagged_high_risk(argan):
    customer = CustomerFactory(phone="+212612345678")
    customer_set_blacklist(customer_id=customer.pk, blacklisted=True, reason="Fake orders", actor=RepFactory())
    order = order_create(data=order_input(), actor=None).order
    assert order.risk_band == "high"
    assert order.risk_reasons == ["Blacklisted: Fake orders"]


def test_a_customer_who_returns_half_their_orders_is_high_risk(argan):
    customer = CustomerFactory(phone="+212612345678")
    Customer.objects.filter(pk=customer.pk).update(total_orders=4, returned_orders=2, return_rate=Decimal("50"))
    assert order_create(data=order_input(), actor=None).order.risk_band == "high"


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_from_a_new_phone_create_one_customer(argan):
    barrier = threading.Barrier(8)
    errors = []

    def place():
        try:
            barrier.wait()
            order_create(data=order_input(), actor=None)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=place) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Customer.objects.count() == 1
    assert Order.objects.count() == 8
    assert Customer.objects.get().total_orders == 8


@pytest.mark.django_db(transaction=True)
def test_a_webhook_burst_of_one_source_order_creates_it_once(argan):
    barrier = threading.Barrier(6)
    results = []
    data = order_input(source=OrderSource.WEBHOOK, external_source="woocommerce:shop.ma", external_id="727")

    def deliver():
        try:
            barrier.wait()
            results.append(order_create(data=data, actor=None).created)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]
    assert Order.objects.count() == 1


def test_new_orders_are_spread_over_available_reps_when_auto_assignment_is_on(argan, settings):
    settings.AUTO_ASSIGN_REPS = True
    reps = {RepFactory().pk, RepFactory().pk}
    assigned = [order_create(data=order_input(), actor=None).order.assigned_rep_id for _ in range(4)]
    assert set(assigned) == reps
    assert sorted(assigned.count(rep) for rep in reps) == [2, 2]


def test_a_product_with_variants_needs_the_variant_chosen():
    ProductFactory(
        sku="SHOE",
        name="Sneaker",
        variants=[
            {"id": "v40", "name": "40", "sku": "SHOE-40", "stock": 2},
            {"id": "v41", "sku": "SHOE-41", "stock": 1},
        ],
    )
    with pytest.raises(ValidationFailed) as error:
        order_create(data=order_input(items=[ItemInput(sku="SHOE", quantity=1)]), actor=None)
    assert error.value.errors["items.0.sku"] == ["Choose a variant of Sneaker: SHOE-40, SHOE-41."]
