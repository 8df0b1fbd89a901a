"""Product pages through HTTP: access, search and filters, keyset pages, low stock, create and edit,
variants, stock adjustments and the ledger."""

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import ActivityLog
from accounts.tests.factories import AccountantFactory, AdminFactory, AgentFactory, ManagerFactory, RepFactory
from catalog.filters import ProductFilter
from catalog.models import Product, StockMovement
from catalog.services import StockLine, product_update, put_back_stock, take_stock
from catalog.tests.factories import ProductFactory
from core.tests.test_security_headers import inline_code
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

LIST = reverse("catalog:list")
CREATE = reverse("catalog:create")


@pytest.fixture
def manager_user():
    return ManagerFactory()


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


def names_in(response) -> list[str]:
    return re.findall(r'<a href="/products/[0-9a-f-]{36}/">([^<]*)</a>', response.content.decode())


def url(name: str, product, *args) -> str:
    return reverse(f"catalog:{name}", args=[product.pk, *args])


def with_variants(**kwargs) -> Product:
    return ProductFactory(
        stock_quantity=8,
        variants=[
            {"id": "var-1", "name": "Red", "sku": "TS-RED", "price": "99.00", "stock": 3, "attributes": {"c": "red"}},
            {"id": "var-2", "name": "Blue", "sku": "TS-BLUE", "price": None, "stock": 5, "attributes": {}},
        ],
        **kwargs,
    )


def product_data(**overrides) -> dict:
    return {
        "name": "Argan Oil 100ml",
        "sku": "ARG-100",
        "category": "Beauty",
        "description": "Cold pressed",
        "price": "149.00",
        "cost_price": "45.00",
        "low_stock_threshold": "5",
        "is_active": "on",
        **overrides,
    }


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "view", "edit", "create"),
    [
        (AdminFactory, 200, 200, 200),
        (ManagerFactory, 200, 200, 200),
        (RepFactory, 200, 403, 403),
        (AccountantFactory, 200, 403, 403),
        (AgentFactory, 403, 403, 403),
    ],
)
def test_who_may_see_edit_and_create_products(client, factory, view, edit, create):
    product = with_variants()
    client.force_login(factory())
    for page in (LIST, reverse("catalog:low_stock"), url("detail", product)):
        assert client.get(page).status_code == view, page
    assert client.get(url("edit", product)).status_code == edit
    assert client.get(url("variant_edit", product, "var-1")).status_code == edit
    assert client.get(CREATE).status_code == create
    posts = {
        "edit": {**product_data(), "price": "1.00"},
        "adjust_stock": {"variant_id": "var-1", "quantity": "4", "note": "Count"},
        "variant_add": {"name": "Green", "sku": "TS-GREEN"},
    }
    for name, data in posts.items():
        response = client.post(url(name, product), data)
        assert response.status_code == (302 if edit == 200 else 403), name
    product.refresh_from_db()
    assert (product.price == Decimal("1.00")) == (edit == 200)
    assert (product.stock_quantity == 12) == (edit == 200)


def test_a_viewer_without_edit_rights_sees_no_edit_forms(client):
    product = ProductFactory()
    client.force_login(RepFactory())
    body = client.get(url("detail", product)).content.decode()
    assert url("adjust_stock", product) not in body and url("edit", product) not in body
    assert CREATE not in client.get(LIST).content.decode()


def test_an_unknown_product_or_variant_is_a_404(manager):
    missing = "00000000-0000-0000-0000-000000000000"
    assert manager.get(reverse("catalog:detail", args=[missing])).status_code == 404
    assert manager.get(url("variant_edit", ProductFactory(), "var-9")).status_code == 404


# --- Search, filters, sorting, pages ----------------------------------------------------------


@pytest.mark.parametrize("typed", ["arg", "ARG", "argan", "oil arg", "Argan Oil"])
def test_name_words_are_found_by_their_start(manager, typed):
    ProductFactory(name="Argan Oil")
    ProductFactory(name="Black Soap")
    assert names_in(manager.get(LIST, {"q": typed})) == ["Argan Oil"]


def test_sku_exact_or_by_its_start(manager):
    ProductFactory(name="One", sku="PROD-001")
    ProductFactory(name="Two", sku="PROD-002")
    ProductFactory(name="Other", sku="XYZ-1")
    assert names_in(manager.get(LIST, {"q": "PROD-001"})) == ["One"]
    assert names_in(manager.get(LIST, {"q": "prod-0"})) == ["One", "Two"]


@pytest.mark.parametrize("typed", ["arg & | ! ( :*", "'", "\\", "<script>", "::", "o'neil"])
def test_search_text_never_breaks_the_query(manager, typed):
    ProductFactory(name="Argan Oil")
    assert manager.get(LIST, {"q": typed}).status_code == 200


def test_the_search_is_answered_by_the_name_and_sku_indexes():
    ProductFactory(name="Argan Oil")
    search = ProductFilter({"q": "arg"}, queryset=Product.objects.all())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would be scanned anyway
        plan = search.qs.explain()
    assert "idx_products_name" in plan and "idx_products_sku" in plan and "Seq Scan" not in plan


def test_filters_by_category_sale_and_low_stock(manager):
    ProductFactory(name="Soap", category="Beauty", stock_quantity=50)
    ProductFactory(name="Lamp", category="Home", stock_quantity=3, low_stock_threshold=5)
    ProductFactory(name="Old Lamp", category="Home", is_active=False, stock_quantity=100)
    assert names_in(manager.get(LIST, {"category": "Home"})) == ["Lamp", "Old Lamp"]
    assert names_in(manager.get(LIST, {"active": "no"})) == ["Old Lamp"]
    assert names_in(manager.get(LIST, {"low_stock": "true"})) == ["Lamp"]
    body = manager.get(LIST, {"category": "<script>"}).content.decode()
    assert "Select a valid choice" in body and "<script>" not in body.split("<body")[1]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["A", "B", "C"]),
        ("price_low", ["B", "C", "A"]),
        ("price_high", ["A", "C", "B"]),
        ("stock_low", ["C", "A", "B"]),
    ],
)
def test_sorting(manager, sort, expected):
    ProductFactory(name="A", price=Decimal("30"), stock_quantity=5)
    ProductFactory(name="B", price=Decimal("10"), stock_quantity=9)
    ProductFactory(name="C", price=Decimal("20"), stock_quantity=1)
    assert names_in(manager.get(LIST, {"sort": sort})) == expected


def test_keyset_pages_walk_every_product_once(manager):
    for index in range(60):
        ProductFactory(name=f"Item {index:02d}", price=Decimal(index % 2))
    first = manager.get(LIST, {"sort": "price_low"})
    link = re.search(r'rel="next" href="\?([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    second = manager.get(LIST + "?" + link)
    rows = names_in(first) + names_in(second)
    assert (len(names_in(first)), len(names_in(second))) == (50, 10)
    assert sorted(rows) == [f"Item {index:02d}" for index in range(60)]
    assert 'rel="next"' not in second.content.decode() and 'rel="prev"' in second.content.decode()


def test_the_list_runs_a_bounded_number_of_queries_and_never_counts(manager, django_assert_max_num_queries):
    for index in range(60):
        ProductFactory(name=f"Product {index}", category=f"Cat {index % 4}")
    manager.get(LIST)
    with django_assert_max_num_queries(5) as captured:  # session, user, categories, the page of products
        response = manager.get(LIST, {"q": "product", "sort": "price_high", "active": "yes"})
    assert len(names_in(response)) == 50
    assert not [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_an_htmx_request_gets_only_the_results(manager):
    ProductFactory(name="Fragment")
    body = manager.get(LIST, {"q": "frag"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Fragment" in body and "<html" not in body


def test_low_stock_lists_active_products_at_or_under_their_threshold_emptiest_first(manager):
    ProductFactory(name="Empty", stock_quantity=0, low_stock_threshold=5)
    ProductFactory(name="At threshold", stock_quantity=5, low_stock_threshold=5)
    ProductFactory(name="Fine", stock_quantity=6, low_stock_threshold=5)
    ProductFactory(name="Retired", stock_quantity=0, is_active=False)
    assert names_in(manager.get(reverse("catalog:low_stock"))) == ["Empty", "At threshold"]


# --- Create and edit --------------------------------------------------------------------------


def test_a_manager_creates_a_product_with_no_stock(client):
    manager = ManagerFactory()
    client.force_login(manager)
    response = client.post(CREATE, product_data(stock_quantity="500"))
    product = Product.objects.get(sku="ARG-100")
    assert response.status_code == 302 and response["Location"] == url("detail", product)
    assert (product.name, product.price, product.cost_price, product.stock_quantity) == (
        "Argan Oil 100ml",
        Decimal("149.00"),
        Decimal("45.00"),
        0,
    )
    entry = ActivityLog.objects.get(action="product_created", entity_id=product.pk)
    assert entry.user == manager and entry.details["changes"]["sku"] == {"old": None, "new": "ARG-100"}


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"price": "-1"}, "greater than or equal to 0"),
        ({"cost_price": "-0.01"}, "greater than or equal to 0"),
        ({"price": "abc"}, "Enter a number"),
        ({"price": "1.234"}, "no more than 2 decimal places"),
        ({"low_stock_threshold": "-3"}, "greater than or equal to 0"),
        ({"name": ""}, "This field is required"),
        ({"sku": "  "}, "This field is required"),
        ({"sku": "arg-100"}, "already used"),  # another product's SKU, in another case
        ({"sku": "TS-RED"}, "already used"),  # a variant's SKU
    ],
)
def test_bad_product_input_is_a_field_error_and_writes_nothing(manager, overrides, field_error):
    ProductFactory(sku="ARG-100", name="Existing")
    with_variants(sku="TS")
    before = Product.objects.count()
    response = manager.post(CREATE, product_data(**{"sku": "NEW-1", **overrides}))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert Product.objects.count() == before
    assert not ActivityLog.objects.exists()


def test_editing_records_the_changes_and_never_touches_stock(client):
    manager = ManagerFactory()
    client.force_login(manager)
    product = ProductFactory(name="Old", price=Decimal("10.00"), stock_quantity=7)
    data = product_data(name="New", price="12.50", stock_quantity="999", sku="HACK")
    assert client.post(url("edit", product), data).status_code == 302
    product.refresh_from_db()
    assert (product.name, product.price, product.stock_quantity) == ("New", Decimal("12.50"), 7)
    assert product.sku != "HACK"
    entry = ActivityLog.objects.get(action="product_updated", entity_id=product.pk)
    assert entry.user == manager
    assert entry.details["changes"]["name"] == {"old": "Old", "new": "New"}
    assert entry.details["changes"]["price"] == {"old": "10.00", "new": "12.50"}
    assert "stock_quantity" not in entry.details["changes"]


def test_a_bad_edit_is_a_field_error_and_writes_nothing(manager):
    product = ProductFactory(price=Decimal("10.00"))
    response = manager.post(url("edit", product), product_data(price="-5"))
    assert response.status_code == 200 and "greater than or equal to 0" in response.content.decode()
    product.refresh_from_db()
    assert product.price == Decimal("10.00") and not ActivityLog.objects.exists()


def test_the_update_service_refuses_stock_and_sku(manager_user):
    product = ProductFactory(stock_quantity=7)
    for data in ({"stock_quantity": 0}, {"variants": []}, {"sku": "X"}):
        with pytest.raises(ValueError):
            product_update(product_id=product.pk, data=data, actor=manager_user)
    product.refresh_from_db()
    assert product.stock_quantity == 7


# --- Variants ---------------------------------------------------------------------------------


def test_a_new_variant_starts_with_no_stock(client):
    manager = ManagerFactory()
    client.force_login(manager)
    product = with_variants()
    data = {"name": "Size: Large", "sku": "TS-L", "price": "109.00", "attributes": "size = Large\ncolor: Red"}
    assert client.post(url("variant_add", product), data).status_code == 302
    product.refresh_from_db()
    assert product.variants[-1] == {
        "id": "var-3",
        "name": "Size: Large",
        "sku": "TS-L",
        "price": "109.00",
        "attributes": {"size": "Large", "color": "Red"},
        "stock": 0,
    }
    assert product.stock_quantity == 8
    entry = ActivityLog.objects.get(action="product_variant_added", entity_id=product.pk)
    assert entry.details["variant_id"] == "var-3" and entry.user == manager


def test_editing_a_variant_keeps_its_stock(manager):
    product = with_variants()
    data = {"name": "Deep Red", "sku": "TS-RED", "price": "", "attributes": "c = deep red", "stock": "100"}
    assert manager.post(url("variant_edit", product, "var-1"), data).status_code == 302
    product.refresh_from_db()
    assert product.variants[0] == {
        "id": "var-1",
        "name": "Deep Red",
        "sku": "TS-RED",
        "price": None,
        "stock": 3,
        "attributes": {"c": "deep red"},
    }
    changes = ActivityLog.objects.get(action="product_variant_updated").details["changes"]
    assert set(changes) == {"name", "price", "attributes"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Green", "sku": "TS-BLUE"}, "already used"),
        ({"name": "Green", "sku": "ts-blue"}, "already used"),
        ({"name": "Green", "sku": "OTHER-1"}, "already used"),  # another product's SKU
        ({"name": "Green", "sku": "TS-G", "price": "-2"}, "greater than or equal to 0"),
        ({"name": "Green", "sku": "TS-G", "attributes": "no equals sign"}, "as name = value"),
        ({"name": "", "sku": "TS-G"}, "This field is required"),
    ],
)
def test_a_bad_variant_is_a_field_error_and_writes_nothing(manager, data, message):
    ProductFactory(sku="OTHER-1")
    product = with_variants()
    response = manager.post(url("variant_add", product), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert len(Product.objects.get(pk=product.pk).variants) == 2
    assert not ActivityLog.objects.exists()


def test_a_first_variant_cannot_strand_stock_that_belongs_to_no_variant(manager):
    product = ProductFactory(stock_quantity=5, variants=[])
    response = manager.post(url("variant_add", product), {"name": "Red", "sku": "NEW-RED"})
    assert "belongs to no variant" in response.content.decode()
    product.refresh_from_db()
    assert product.variants == []


# --- Stock adjustments and the ledger ---------------------------------------------------------


def test_an_adjustment_moves_stock_with_a_ledger_row_and_an_activity_row(client):
    manager = ManagerFactory()
    client.force_login(manager)
    product = ProductFactory(stock_quantity=10)
    response = client.post(url("adjust_stock", product), {"quantity": "15", "note": "Supplier delivery #42"})
    assert response.status_code == 302
    client.post(url("adjust_stock", product), {"quantity": "-3", "note": "3 broken in the warehouse"})
    product.refresh_from_db()
    assert product.stock_quantity == 22
    movements = list(StockMovement.objects.filter(product=product).order_by("created_at"))
    assert [(m.quantity_delta, m.stock_after, m.reason, m.actor) for m in movements] == [
        (15, 25, "restock", manager),
        (-3, 22, "adjustment", manager),
    ]
    assert ActivityLog.objects.filter(action="stock_adjusted", entity_id=product.pk).count() == 2
    body = client.get(url("detail", product)).content.decode()
    assert "Supplier delivery #42" in body and "3 broken in the warehouse" in body and manager.full_name in body


def test_a_variant_adjustment_moves_the_variant_and_the_total(manager):
    product = with_variants()
    manager.post(url("adjust_stock", product), {"variant_id": "var-2", "quantity": "-5", "note": "Count"})
    product.refresh_from_db()
    assert (product.stock_quantity, [v["stock"] for v in product.variants]) == (3, [3, 0])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "5", "note": "   "}, "Say why the stock changes."),
        ({"quantity": "5"}, "Say why the stock changes."),
        ({"quantity": "-11", "note": "Count"}, "Only 10 of"),
        ({"quantity": "0", "note": "Count"}, "Give a quantity to add or remove."),
        ({"quantity": "2.5", "note": "Count"}, "Enter a whole number."),
        ({"quantity": "1000000", "note": "Count"}, "less than or equal to 100000"),
    ],
)
def test_a_bad_adjustment_is_a_field_error_and_writes_nothing(manager, data, message):
    product = ProductFactory(stock_quantity=10)
    response = manager.post(url("adjust_stock", product), data)
    assert response.status_code == 200 and message in response.content.decode()
    product.refresh_from_db()
    assert product.stock_quantity == 10
    assert not StockMovement.objects.exists() and not ActivityLog.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "5", "note": "Count"}, "This field is required"),  # which variant?
        ({"variant_id": "var-9", "quantity": "5", "note": "Count"}, "Select a valid choice"),
        ({"variant_id": "var-1", "quantity": "-4", "note": "Count"}, "Only 3 of"),
    ],
)
def test_a_product_with_variants_is_adjusted_one_variant_at_a_time(manager, data, message):
    product = with_variants()
    response = manager.post(url("adjust_stock", product), data)
    assert response.status_code == 200 and message in response.content.decode()
    product.refresh_from_db()
    assert product.stock_quantity == 8 and not StockMovement.objects.exists()


def test_the_ledger_links_the_order_of_a_movement(manager):
    product = ProductFactory(stock_quantity=10)
    order = OrderFactory()
    take_stock(lines=[StockLine(product_id=product.pk, quantity=2)], reason="reserve", actor=None, order_id=order.pk)
    body = manager.get(url("detail", product)).content.decode()
    assert f'<a href="/orders/{order.pk}/">{order.order_number}</a>' in body
    assert "the system" in body


def test_the_ledger_shows_the_latest_fifty_movements(manager, manager_user):
    product = ProductFactory(stock_quantity=0)
    for index in range(55):
        line = StockLine(product_id=product.pk, quantity=1)
        put_back_stock(lines=[line], reason="restock", actor=manager_user, note=f"movement {index}")
    body = manager.get(url("detail", product)).content.decode()
    shown = [int(n) for n in re.findall(r">movement (\d+)<", body)]
    assert shown == list(range(54, 4, -1))  # newest first, the oldest five left out


# --- Hostile values and the CSP ---------------------------------------------------------------


def test_hostile_product_values_are_escaped(manager):
    hostile = "<script>alert(1)</script>"
    product = ProductFactory(
        name=hostile,
        description=hostile,
        category=hostile,
        stock_quantity=10,
        variants=[],
        images=[{"url": "javascript:alert(1)", "alt": hostile}],
    )
    manager.post(url("adjust_stock", product), {"quantity": "-1", "note": hostile})
    for page in (LIST, url("detail", product), reverse("catalog:low_stock"), url("edit", product)):
        body = manager.get(page).content.decode()
        assert hostile not in body, page
    body = manager.get(url("detail", product)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert inline_code(manager.get(url("detail", product))) == []  # no javascript: link either


def test_product_pages_have_no_inline_code_for_the_csp_to_block(manager):
    product = with_variants()
    for page in (LIST, reverse("catalog:low_stock"), CREATE, url("detail", product), url("edit", product)):
        assert inline_code(manager.get(page)) == [], page
    assert inline_code(manager.get(url("variant_edit", product, "var-1"))) == []
