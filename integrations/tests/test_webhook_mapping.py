"""The field mapping engine: paths, fallbacks, joins, coercion, the platforms' defaults, and the edge
cases real payloads bring (phones only in billing, unicode names, discounts, variants, string amounts)."""

import unicodedata
from decimal import Decimal

import pytest

from integrations.models import ProcessingState
from integrations.webhooks.defaults import DEFAULT_MAPPINGS
from integrations.webhooks.mapping import (
    MISSING,
    amount,
    best_phone,
    effective_mapping,
    first,
    map_payload,
    quantity,
    resolve,
    validate_mapping,
)
from orders.models import Order

from .webhook_helpers import (  # noqa: F401 (fixtures)
    _quiet_intake,
    catalog,
    deliver,
    make_webhook,
    sample,
    shopify_headers,
    shopify_payload,
    woo_headers,
    woo_payload,
)

SHOPIFY = effective_mapping("shopify", {})
WOO = effective_mapping("woocommerce", {})


# --- Paths and sources --------------------------------------------------------------------------


def test_paths_reach_nested_values_list_elements_and_every_element():
    data = {"a": {"b": [{"c": "1.50"}, {"c": "2"}, {"d": 3}]}}
    assert resolve(data, "a.b.0.c") == "1.50"
    assert resolve(data, "a.b.*.c") == ["1.50", "2"]
    assert resolve(data, "a.x") is MISSING
    assert resolve(data, "a.b.9.c") is MISSING
    assert resolve(data, "a.b.c") is MISSING
    assert resolve({"a": None}, "a.b") is MISSING


def test_the_first_usable_source_wins_and_joins_skip_empty_parts():
    data = {"customer": {"phone": "", "first_name": "Salma", "last_name": None}, "shipping": {"phone": "0612"}}
    assert first(data, ["customer.phone", "shipping.phone"]) == "0612"
    assert first(data, {"join": ["customer.first_name", "customer.last_name"]}) == "Salma"
    assert first(data, {"value": "Casablanca"}) == "Casablanca"
    assert first(data, ["nowhere", "also.nowhere"]) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("149.00", Decimal("149.00")),
        (149, Decimal("149")),
        (149.5, Decimal("149.5")),
        ("1,234.50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("149,00", Decimal("149.00")),
        ("1 234,5", Decimal("1234.5")),
        ("MAD 35.00", Decimal("35.00")),
        (["10.00", "2.50"], Decimal("12.50")),
        ("", None),
        (None, None),
    ],
)
def test_amounts_arrive_as_strings_or_numbers_and_become_decimals(raw, expected):
    assert amount(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.2.3", {"amount": 1}, True, float("nan"), "9" * 30])
def test_what_is_not_an_amount_is_refused(raw):
    with pytest.raises(ValueError):
        amount(raw)


def test_quantities_are_whole_numbers_when_they_can_be():
    assert [quantity(v) for v in (2, " 2 ", 2.0, "3.0")] == [2, 2, 2, 3]
    assert [quantity(v) for v in (2.5, "two", "²")] == ["2.5", "two", "²"]  # the intake refuses these


def test_the_phone_is_the_first_valid_one_in_any_format():
    assert best_phone(["not a phone", "+212 6 12 34 56 78", "0612345678"]) == "+212 6 12 34 56 78"
    assert best_phone(["", None, "06 61 23 45 67"]) == "06 61 23 45 67"
    assert best_phone(["12", ""]) == "12"  # nothing valid: the intake says why
    assert best_phone([]) == ""


# --- The mapping as configured ------------------------------------------------------------------


def test_an_empty_mapping_is_the_platform_default_and_a_partial_one_is_laid_over_it():
    assert effective_mapping("shopify", {}) == DEFAULT_MAPPINGS["shopify"]
    custom = effective_mapping("shopify", {"customer": {"phone": "note_attributes.0.value", "email": None}})
    assert custom["customer"]["phone"] == "note_attributes.0.value"
    assert "email" not in custom["customer"]
    assert custom["order"] == DEFAULT_MAPPINGS["shopify"]["order"]
    assert effective_mapping("other", None) == DEFAULT_MAPPINGS["custom"]


def test_the_schema_example_mapping_is_valid():
    schema_example = {
        "customer": {"name": "customer.full_name", "email": "customer.email", "phone": "customer.phone",
                     "address": "shipping_address.address1", "city": "shipping_address.city",
                     "postal_code": "shipping_address.zip"},
        "order": {"order_number": "order_number", "total": "total_price", "subtotal": "subtotal_price",
                  "items": "line_items"},
        "items": {"name": "title", "sku": "sku", "quantity": "quantity", "price": "price"},
    }  # fmt: skip
    assert validate_mapping(schema_example) == {}
    assert all(validate_mapping(mapping) == {} for mapping in DEFAULT_MAPPINGS.values())


@pytest.mark.parametrize(
    ("mapping", "key"),
    [
        ([], "field_mapping"),
        ({"client": {}}, "client"),
        ({"customer": "phone"}, "customer"),
        ({"customer": {"telephone": "phone"}}, "customer.telephone"),
        ({"customer": {"phone": "a..b"}}, "customer.phone"),
        ({"customer": {"phone": []}}, "customer.phone"),
        ({"customer": {"name": {"join": "first_name"}}}, "customer.name"),
        ({"customer": {"name": {"concat": ["a"]}}}, "customer.name"),
        ({"customer": {"phone": 12}}, "customer.phone"),
    ],
)
def test_a_malformed_mapping_is_refused_with_the_target_named(mapping, key):
    assert key in validate_mapping(mapping)


# --- Payloads through the defaults --------------------------------------------------------------


def test_shopify_phone_only_in_the_billing_address_is_found():
    payload = shopify_payload(phone=None)
    payload["customer"]["phone"] = None
    payload["shipping_address"]["phone"] = ""
    payload["billing_address"] = {"phone": "06 12 34 56 78", "first_name": "Salma", "last_name": "Benali"}
    assert map_payload(payload, SHOPIFY).customer.phone == "06 12 34 56 78"


def test_names_are_joined_and_unicode_is_kept_and_normalised():
    decomposed = unicodedata.normalize("NFD", "Hänane")
    payload = shopify_payload(shipping_address={"address1": "Derb  Sidi   Bouloukat", "city": "Marrakech"})
    payload["customer"].update(first_name=f"  {decomposed} ", last_name="بنعلي")
    mapped = map_payload(payload, SHOPIFY)
    assert mapped.customer.full_name == "Hänane بنعلي"
    assert mapped.customer.full_name == unicodedata.normalize("NFC", mapped.customer.full_name)
    assert mapped.customer.address == "Derb Sidi Bouloukat"


def test_shopify_discounts_lower_the_unit_price_and_shipping_uses_the_discounted_line():
    payload = shopify_payload(shipping_lines=[{"title": "Home", "price": "35.00", "discounted_price": "0.00"}])
    payload["line_items"][0]["discount_allocations"] = [{"amount": "20.00"}, {"amount": "8.00"}]
    mapped = map_payload(payload, SHOPIFY)
    assert [item.unit_price for item in mapped.items] == [Decimal("135.00"), Decimal("100.00")]
    assert mapped.delivery_fee == Decimal("0.00")


def test_a_discount_that_does_not_split_into_cents_is_noted():
    payload = shopify_payload(line_items=[{"sku": "SAVON-NOIR", "quantity": 3, "price": "10.00",
                                           "discount_allocations": [{"amount": "1.00"}]}])  # fmt: skip
    mapped = map_payload(payload, SHOPIFY)
    assert mapped.items[0].unit_price == Decimal("9.67")
    assert any("29.00 is priced 9.67 x 3" in warning for warning in mapped.warnings)


def test_woocommerce_line_totals_after_coupons_give_the_unit_price():
    payload = woo_payload(line_items=[{"name": "Sandals", "sku": "SAND-42", "quantity": 2, "subtotal": "498.00",
                                       "total": "448.20", "price": 224.1}])  # fmt: skip
    mapped = map_payload(payload, WOO)
    assert mapped.items[0].unit_price == Decimal("224.10")
    assert mapped.delivery_fee == Decimal("30.00")


def test_amounts_and_quantities_as_strings_of_any_shape():
    payload = shopify_payload(line_items=[{"sku": "SAVON-NOIR", "quantity": "2", "price": "1.234,50"}],
                              shipping_lines=[{"price": 35}])  # fmt: skip
    mapped = map_payload(payload, SHOPIFY)
    assert (mapped.items[0].quantity, mapped.items[0].unit_price) == (2, Decimal("1234.50"))
    assert mapped.delivery_fee == Decimal("35.00")


def test_an_amount_that_is_not_one_is_an_error_of_that_field():
    payload = shopify_payload(shipping_lines=[{"price": "free"}], total_shipping_price_set=None)
    assert "order.delivery_fee" in map_payload(payload, SHOPIFY).errors


def test_an_email_that_is_not_one_is_dropped_with_a_note_rather_than_losing_the_order():
    payload = shopify_payload(email="not-an-email")
    payload["customer"]["email"] = None
    mapped = map_payload(payload, SHOPIFY)
    assert mapped.customer.email is None
    assert any("not-an-email" in warning for warning in mapped.warnings)


def test_the_store_total_is_compared_with_what_the_order_will_say():
    assert map_payload(shopify_payload(), SHOPIFY).warnings == []
    mapped = map_payload(shopify_payload(total_price="450.00"), SHOPIFY)
    assert any("store's total is 450.00" in warning for warning in mapped.warnings)


def test_payloads_that_are_not_orders_give_errors_not_exceptions():
    assert map_payload([], SHOPIFY).errors == {"payload": ["Not a JSON object."]}
    assert "items" in map_payload({}, SHOPIFY).errors
    assert "items.0" in map_payload({"line_items": ["sku"]}, SHOPIFY).errors


@pytest.mark.django_db
@pytest.mark.usefixtures("catalog")
def test_a_variant_sku_the_catalog_lacks_falls_back_to_the_product_sku():
    mapping = effective_mapping("custom", {})
    payload = {"id": 1, "line_items": [
        {"variant_sku": "SAVON-NOIR-XL", "product_sku": "SAVON-NOIR", "quantity": 1},  # unknown variant
        {"variant_sku": "ARG-50", "product_sku": "ARG", "quantity": 1},  # the catalog has the variant
        {"variant_sku": "NOPE-1", "product_sku": "NOPE", "quantity": 1},  # neither: the first, named
    ]}  # fmt: skip
    assert [item.sku for item in map_payload(payload, mapping).items] == ["SAVON-NOIR", "ARG-50", "NOPE-1"]


# --- Through the intake -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("catalog")
def test_edge_cases_all_at_once_make_the_order_the_store_meant(client):
    payload = sample("shopify_orders_create.json")
    payload["customer"].update(phone=None, first_name="Ḥasna", last_name="Aït Lḥaj")
    payload["shipping_address"].update(phone=None, name=None)
    payload["billing_address"] = {"phone": "+212 6 61 23 45 67"}
    payload["line_items"][0].update(quantity="2", price="149,00", discount_allocations=[{"amount": "18.00"}])
    payload["total_price"] = "415.00"
    webhook = make_webhook("shopify")

    log = deliver(client, webhook, payload, headers=shopify_headers())

    assert log.processing_state == ProcessingState.PROCESSED, log.error_message
    order = Order.objects.get(pk=log.order_created_id)
    assert order.customer.phone == "+212661234567"
    assert order.customer.full_name == "Ḥasna Aït Lḥaj"
    assert [(i["sku"], i["quantity"], i["unit_price"]) for i in order.items] == [
        ("ARG-50", 2, "140.00"),
        ("SAVON-NOIR", 1, "100.00"),
    ]
    assert order.total_amount == Decimal("415.00")
