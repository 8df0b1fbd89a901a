"""Customer pages through HTTP: access, search and filters, keyset pages, the customer's file and edits."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import ActivityLog
from accounts.tests.factories import AccountantFactory, AdminFactory, AgentFactory, ManagerFactory, RepFactory
from core.tests.test_security_headers import inline_code
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from orders.selectors import AREA_RATES_CACHE_KEY, customer_risk
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

LIST = reverse("customers:list")


@pytest.fixture(autouse=True)
def fresh_caches():
    """Area rates and pick lists are cached in Redis, which outlives each test's transaction."""
    keys = (AREA_RATES_CACHE_KEY, "customers:known-tags", "customers:known-places")
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def manager(client):
    client.force_login(ManagerFactory())
    return client


def names_in(response) -> list[str]:
    return re.findall(r'<a href="/customers/[0-9a-f-]+/">([^<]*)</a>', response.content.decode())


def detail(customer) -> str:
    return reverse("customers:detail", args=[customer.pk])


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "view_status", "edit_status"),
    [
        (AdminFactory, 200, 302),
        (ManagerFactory, 200, 302),
        (RepFactory, 200, 302),
        (AccountantFactory, 200, 403),
        (AgentFactory, 404, 403),  # not a customer of their orders: as if it did not exist
    ],
)
def test_who_may_see_and_edit_a_customer(client, factory, view_status, edit_status):
    customer = CustomerFactory(notes="old")
    client.force_login(factory())
    assert client.get(LIST).status_code == 200
    assert client.get(detail(customer)).status_code == view_status
    for name, data in (("notes", {"notes": "new"}), ("tags", {"op": "add", "tag_id": "vip"})):
        response = client.post(reverse(f"customers:{name}", args=[customer.pk]), data)
        assert response.status_code == edit_status, name
    response = client.post(reverse("customers:blacklist", args=[customer.pk]), {"blacklisted": "1", "reason": "x"})
    assert response.status_code == edit_status
    customer.refresh_from_db()
    assert customer.is_blacklisted == (edit_status == 302)
    assert (customer.notes == "new") == (edit_status == 302)


def test_a_viewer_without_edit_rights_gets_no_edit_forms(client):
    customer = CustomerFactory(notes="Calls after 6pm")
    client.force_login(AccountantFactory())
    body = client.get(detail(customer)).content.decode()
    assert "Calls after 6pm" in body
    assert reverse("customers:notes", args=[customer.pk]) not in body
    assert reverse("customers:blacklist", args=[customer.pk]) not in body


def test_an_agent_sees_only_the_customers_of_their_orders_and_only_their_orders(client):
    agent = AgentFactory()
    mine = CustomerFactory(full_name="Mine Customer")
    their_order = OrderFactory(customer=mine, assigned_agent=agent)
    other_order_of_mine = OrderFactory(customer=mine, assigned_agent=AgentFactory())
    stranger = CustomerFactory(full_name="Stranger Customer")
    OrderFactory(customer=stranger, assigned_agent=AgentFactory())
    client.force_login(agent)

    assert names_in(client.get(LIST)) == ["Mine Customer"]
    assert client.get(LIST, {"q": "Stranger"}).content.decode().count("Stranger Customer") == 0
    page = client.get(detail(mine)).content.decode()
    assert their_order.order_number in page
    assert other_order_of_mine.order_number not in page
    assert client.get(detail(stranger)).status_code == 404


def test_a_rep_sees_their_own_and_unassigned_orders_of_a_customer(client):
    rep = RepFactory()
    customer = CustomerFactory()
    own = OrderFactory(customer=customer, assigned_rep=rep)
    unassigned = OrderFactory(customer=customer, assigned_rep=None)
    someone_elses = OrderFactory(customer=customer, assigned_rep=RepFactory())
    client.force_login(rep)
    page = client.get(detail(customer)).content.decode()
    assert own.order_number in page and unassigned.order_number in page
    assert someone_elses.order_number not in page


def test_anonymous_visitors_are_sent_to_log_in(client):
    customer = CustomerFactory()
    for url in (LIST, detail(customer)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# --- Search and filters -----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0612345678", "+212 6 12 34 56 78", "00212612345678", "6 12 34 56", "1234567"])
def test_a_phone_in_any_format_finds_the_customer(manager, typed):
    CustomerFactory(full_name="Salma Phone", phone="+212612345678")
    CustomerFactory(full_name="Other Phone", phone="+212698765432")
    assert names_in(manager.get(LIST, {"q": typed})) == ["Salma Phone"]


def test_a_name_is_found_by_any_part_in_any_case(manager):
    CustomerFactory(full_name="Khadija Benali")
    CustomerFactory(full_name="Youssef Amrani")
    assert names_in(manager.get(LIST, {"q": "khad"})) == ["Khadija Benali"]
    assert names_in(manager.get(LIST, {"q": "BENALI"})) == ["Khadija Benali"]
    assert names_in(manager.get(LIST, {"q": "nobody"})) == []


def test_the_tag_filter_matches_tag_ids_in_the_schema_shape(manager):
    vip = {"id": "vip", "label": "VIP Customer", "color": "#FFD700"}
    CustomerFactory(full_name="Vip One", tags=[vip])
    CustomerFactory(full_name="Vip Two", tags=[{"id": "frequent_returner", "label": "Returns"}, vip])
    CustomerFactory(full_name="Plain", tags=[{"id": "new", "label": "vip"}])  # "vip" as a label only
    assert sorted(names_in(manager.get(LIST, {"tag": "VIP"}))) == ["Vip One", "Vip Two"]
    assert names_in(manager.get(LIST, {"tag": "frequent_returner"})) == ["Vip Two"]


def test_an_invalid_tag_id_in_the_filter_is_an_escaped_field_error(manager):
    CustomerFactory(full_name="Anyone")
    body = manager.get(LIST, {"tag": '<b>"x"</b>'}).content.decode()
    assert "Tag: A tag id is 1 to 40 lower-case letters" in body
    assert "<b>" not in body.split('id="customer-results"')[1]


def test_area_city_and_blacklist_filters(manager):
    CustomerFactory(full_name="Maarif Casa", area="Maarif", city="Casablanca")
    CustomerFactory(full_name="Agdal Rabat", area="Agdal", city="Rabat", is_blacklisted=True, blacklist_reason="x")
    assert names_in(manager.get(LIST, {"area": "Agdal"})) == ["Agdal Rabat"]
    assert names_in(manager.get(LIST, {"city": "Casablanca"})) == ["Maarif Casa"]
    assert names_in(manager.get(LIST, {"blacklisted": "yes"})) == ["Agdal Rabat"]
    assert names_in(manager.get(LIST, {"blacklisted": "no"})) == ["Maarif Casa"]


def test_the_risk_filter_agrees_with_the_risk_rule(manager):
    cache.set(AREA_RATES_CACHE_KEY, {"sidi moumen": Decimal("40.00"), "maarif": Decimal("5.00")}, 60)
    cases = {
        "blacklisted": {"is_blacklisted": True, "blacklist_reason": "Fraud"},
        "returns a lot": {"total_orders": 4, "return_rate": Decimal("75.00")},
        "refused twice": {"refused_orders": 2},
        "refused once": {"refused_orders": 1},
        "returns some": {"total_orders": 4, "return_rate": Decimal("25.00")},
        "risky area": {"area": " Sidi Moumen "},
        "one return only": {"total_orders": 1, "return_rate": Decimal("100.00")},
        "no area": {"area": None},
        "fine": {},
    }
    customers = {name: CustomerFactory(full_name=name, **fields) for name, fields in cases.items()}
    for band in ("low", "medium", "high"):
        expected = sorted(name for name, c in customers.items() if customer_risk(c).band == band)
        assert sorted(names_in(manager.get(LIST, {"risk": band}))) == expected, band
    assert customer_risk(customers["risky area"]).band == "medium"
    assert customer_risk(customers["refused twice"]).band == "high"


def test_each_row_shows_its_risk_band(manager):
    CustomerFactory(full_name="Risky", refused_orders=2)
    body = manager.get(LIST).content.decode()
    assert '<span class="risk-high" title="Refused 2 orders">High</span>' in body


@pytest.mark.parametrize(
    ("sort", "field"),
    [("total_spent", "total_spent"), ("total_orders", "total_orders"), ("return_rate", "return_rate")],
)
def test_sorting_puts_the_largest_first(manager, sort, field):
    values = [Decimal("10"), Decimal("90"), Decimal("50")]
    for index, value in enumerate(values):
        CustomerFactory(full_name=f"C{index}", **{field: int(value) if field == "total_orders" else value})
    assert names_in(manager.get(LIST, {"sort": sort})) == ["C1", "C2", "C0"]


def test_an_unknown_sort_falls_back_to_the_newest_first(manager):
    CustomerFactory(full_name="Only")
    response = manager.get(LIST, {"sort": "drop table"})
    assert response.status_code == 200 and names_in(response) == ["Only"]


# --- Pages ------------------------------------------------------------------------------------


def follow(client, response, rel: str):
    link = re.search(rf'rel="{rel}" href="\?([^"]+)"', response.content.decode())
    return client.get(LIST + "?" + link.group(1).replace("&amp;", "&")) if link else None


@pytest.mark.parametrize("sort", ["newest", "total_spent"])
def test_keyset_pages_walk_every_customer_once_both_ways(manager, sort):
    # Few distinct totals: the id must break the ties, or rows would repeat or vanish between pages.
    for index in range(120):
        CustomerFactory(full_name=f"Person {index:03d}", total_spent=Decimal(index % 3))
    first = manager.get(LIST, {"sort": sort})
    assert 'rel="prev"' not in first.content.decode()
    pages = [first]
    while (nxt := follow(manager, pages[-1], "next")) is not None:
        pages.append(nxt)
    seen = [names_in(page) for page in pages]
    assert [len(rows) for rows in seen] == [50, 50, 20]
    assert sorted(name for rows in seen for name in rows) == sorted(f"Person {index:03d}" for index in range(120))
    back = follow(manager, pages[2], "prev")
    assert names_in(back) == seen[1]
    assert names_in(follow(manager, back, "prev")) == seen[0]
    assert "Page " not in first.content.decode()  # no page count: nothing counts the whole table


def test_a_mangled_cursor_restarts_at_the_first_page(manager):
    CustomerFactory(full_name="First")
    for cursor in ("garbage", "W10", "WyJub3QgYSBkYXRlIiwieCJd"):
        response = manager.get(LIST, {"after": cursor})
        assert response.status_code == 200 and names_in(response) == ["First"]


@pytest.mark.parametrize("factory", [ManagerFactory, AgentFactory])
def test_the_list_runs_a_bounded_number_of_queries_and_never_counts(client, django_assert_max_num_queries, factory):
    user = factory()
    for index in range(60):
        customer = CustomerFactory(
            full_name=f"Customer {index}",
            tags=[{"id": "vip", "label": "VIP", "color": "#FFD700"}],
            area=f"Area {index}",
        )
        OrderFactory(customer=customer, assigned_agent=user if factory is AgentFactory else None)
    client.force_login(user)
    client.get(LIST)  # warm the caches (area rates, pick lists) and the session
    with django_assert_max_num_queries(5) as captured:  # session, user, the page of customers
        response = client.get(LIST, {"sort": "total_spent", "risk": "low"})
    assert len(names_in(response)) == 50
    assert not [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_an_htmx_request_gets_only_the_results(manager):
    CustomerFactory(full_name="Fragment")
    fragment = manager.get(LIST, {"q": "Frag"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Fragment" in fragment and "<html" not in fragment
    restore = manager.get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


# --- The customer's file ----------------------------------------------------------------------


def test_the_page_shows_totals_risk_with_reasons_orders_and_history(manager):
    customer = CustomerFactory(refused_orders=1)
    orders = [OrderFactory(customer=customer) for _ in range(3)]
    ActivityLog.objects.create(action="customer_tags_changed", entity_type="customer", entity_id=customer.pk)
    customer.refresh_from_db()
    body = manager.get(detail(customer)).content.decode()
    assert f'<div class="value">{customer.total_orders}</div>' in body and customer.total_orders == 3
    assert "Refused an order before" in body and 'class="risk-medium"' in body
    for order in orders:
        assert f'href="/orders/{order.pk}/"' in body
    assert "customer_tags_changed" in body


def test_the_order_history_is_the_latest_hundred(manager):
    customer = CustomerFactory()
    for _ in range(103):
        OrderFactory(customer=customer)
    body = manager.get(detail(customer)).content.decode()
    assert len(re.findall(r'href="/orders/[0-9a-f-]{36}/"', body)) == 100
    assert "The latest 100 orders." in body


def test_tags_are_added_in_the_schema_shape_and_removed(manager):
    customer = CustomerFactory(tags=[])
    url = reverse("customers:tags", args=[customer.pk])
    response = manager.post(url, {"op": "add", "tag_id": "VIP", "label": "VIP Customer", "color": "#FFD700"})
    assert response.status_code == 302
    manager.post(url, {"op": "add", "tag_id": "wholesale", "label": "", "color": "#123456"})
    customer.refresh_from_db()
    assert customer.tags == [
        {"id": "vip", "label": "VIP Customer", "color": "#FFD700"},
        {"id": "wholesale", "label": "Wholesale", "color": "#123456"},
    ]
    manager.post(url, {"op": "add", "tag_id": "vip", "label": "Gold", "color": "#FFD700"})  # relabel
    manager.post(url, {"op": "remove", "tag_id": "wholesale"})
    customer.refresh_from_db()
    assert customer.tags == [{"id": "vip", "label": "Gold", "color": "#FFD700"}]
    assert ActivityLog.objects.filter(entity_id=customer.pk, action="customer_tags_changed").count() == 4


def test_a_known_tag_added_without_a_label_keeps_its_label_and_colour(manager):
    CustomerFactory(tags=[{"id": "vip", "label": "VIP Customer", "color": "#FFD700"}])
    customer = CustomerFactory(tags=[])
    manager.post(reverse("customers:tags", args=[customer.pk]), {"op": "add", "tag_id": "vip", "color": "#000000"})
    customer.refresh_from_db()
    assert customer.tags == [{"id": "vip", "label": "VIP Customer", "color": "#FFD700"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"op": "add", "tag_id": "not a slug!"}, "A tag id is 1 to 40"),
        ({"op": "add", "tag_id": "<script>"}, "A tag id is 1 to 40"),
        ({"op": "add", "tag_id": ""}, "This field is required"),
        ({"op": "add", "tag_id": "ok", "color": "red"}, "Pick a colour like #FFD700"),
        ({"op": "remove", "tag_id": "absent"}, "This customer has no such tag"),
        ({"op": "explode", "tag_id": "vip"}, "Select a valid choice"),
    ],
)
def test_a_bad_tag_is_a_field_error_and_writes_nothing(manager, data, message):
    customer = CustomerFactory(tags=[{"id": "keep", "label": "Keep", "color": "#000000"}])
    response = manager.post(reverse("customers:tags", args=[customer.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "<script>" not in body.split("<body")[1]
    customer.refresh_from_db()
    assert customer.tags == [{"id": "keep", "label": "Keep", "color": "#000000"}]
    assert not ActivityLog.objects.filter(entity_id=customer.pk).exists()


def test_notes_are_saved_with_an_activity_row_and_shown_escaped(client):
    rep = RepFactory()
    client.force_login(rep)
    customer = CustomerFactory(notes=None)
    hostile = 'Calls after 6pm <img src=x onerror="alert(1)"><script>alert(1)</script>'
    client.post(reverse("customers:notes", args=[customer.pk]), {"notes": hostile})
    customer.refresh_from_db()
    assert customer.notes == hostile
    entry = ActivityLog.objects.get(entity_id=customer.pk, action="customer_notes_updated")
    assert entry.user == rep and entry.details["changes"]["notes"] == {"old": None, "new": hostile}
    body = client.get(detail(customer)).content.decode()
    assert "<script>alert(1)</script>" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    # Saving the same text again writes nothing.
    client.post(reverse("customers:notes", args=[customer.pk]), {"notes": hostile})
    assert ActivityLog.objects.filter(entity_id=customer.pk).count() == 1


def test_notes_that_are_too_long_are_refused(manager):
    customer = CustomerFactory(notes="keep")
    response = manager.post(reverse("customers:notes", args=[customer.pk]), {"notes": "x" * 5001})
    assert response.status_code == 200 and "at most 5000 characters" in response.content.decode()
    customer.refresh_from_db()
    assert customer.notes == "keep"


def test_blacklisting_needs_a_reason_and_is_recorded(client):
    manager = ManagerFactory()
    client.force_login(manager)
    customer = CustomerFactory()
    url = reverse("customers:blacklist", args=[customer.pk])
    response = client.post(url, {"blacklisted": "1", "reason": "   "})
    assert response.status_code == 200 and "Say why this customer is blacklisted." in response.content.decode()
    customer.refresh_from_db()
    assert not customer.is_blacklisted and not ActivityLog.objects.filter(entity_id=customer.pk).exists()

    client.post(url, {"blacklisted": "1", "reason": "Refused 3 deliveries"})
    customer.refresh_from_db()
    assert (customer.is_blacklisted, customer.blacklist_reason, customer.blacklisted_by) == (
        True,
        "Refused 3 deliveries",
        manager,
    )
    body = client.get(detail(customer)).content.decode()
    assert "Blacklisted: Refused 3 deliveries" in body and 'class="risk-high"' in body

    client.post(url, {"blacklisted": "0", "reason": "Paid back"})
    customer.refresh_from_db()
    assert not customer.is_blacklisted
    lifted = ActivityLog.objects.get(entity_id=customer.pk, action="customer_unblacklisted")
    assert lifted.details["reason"] == "Paid back"


def test_a_blacklist_post_without_a_choice_writes_nothing(manager):
    customer = CustomerFactory()
    response = manager.post(reverse("customers:blacklist", args=[customer.pk]), {})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert not customer.is_blacklisted


def test_hostile_customer_values_are_escaped_on_every_page(manager):
    hostile = "<script>alert(1)</script>"
    customer = CustomerFactory(
        full_name=hostile, area=hostile, city=hostile, tags=[{"id": "x", "label": hostile, "color": '"><script>'}]
    )
    for url in (LIST, detail(customer), LIST + "?q=%3Cscript%3E"):
        body = manager.get(url).content.decode()
        assert hostile not in body and '"><script>' not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


def test_customer_pages_have_no_inline_code_for_the_csp_to_block(manager):
    customer = CustomerFactory(tags=[{"id": "vip", "label": "VIP", "color": "#FFD700"}], notes="n")
    OrderFactory(customer=customer)
    for url in (LIST, detail(customer)):
        assert inline_code(manager.get(url)) == [], url


def test_a_missing_customer_is_a_404(manager):
    assert manager.get(reverse("customers:detail", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


def test_the_list_is_scoped_before_it_is_filtered(client):
    """A search cannot widen what an agent sees."""
    agent = AgentFactory()
    OrderFactory(customer=CustomerFactory(full_name="Hidden Vip", tags=[{"id": "vip"}]))
    client.force_login(agent)
    assert names_in(client.get(LIST, {"tag": "vip", "q": "Hidden"})) == []
    assert Customer.objects.filter(full_name="Hidden Vip").exists()
