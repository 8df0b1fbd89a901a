"""The orders list and detail pages through HTTP: filters, search, paging, bulk, export, moves."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory, RepFactory
from catalog.tests.factories import ProductFactory
from customers.tests.factories import CustomerFactory
from orders.models import Order
from orders.tests.factories import OrderFactory, item_for

pytestmark = pytest.mark.django_db

LIST = reverse("orders:list")


def numbers(response) -> list[str]:
    return re.findall(r">(ORD-\d+)</a>", response.content.decode())


@pytest.fixture
def manager(client):
    user = ManagerFactory()
    client.force_login(user)
    return user


def test_the_list_shows_orders_newest_first_with_status_tabs(client, manager):
    older, newer = OrderFactory(), OrderFactory()
    response = client.get(LIST)
    assert response.status_code == 200
    assert numbers(response)[:2] == [newer.order_number, older.order_number]
    assert re.search(r"New<span class=\"n\">2</span>", response.content.decode())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": ["confirmed", "cancelled"]}, {"b", "c"}),
        ({"priority": "high"}, {"a"}),
        ({"delivery_area": "ain diab"}, {"b"}),
        ({"source": "webhook"}, {"c"}),
        ({"risk": "high"}, {"c"}),
        ({"duplicate": "true"}, {"a"}),
        ({"payment_status": "collected"}, {"b"}),
    ],
)
def test_filters(client, manager, raw_sql, params, expected):
    orders = {
        "a": OrderFactory(priority="high", is_possible_duplicate=True),
        "b": OrderFactory(delivery_area="Ain Diab", payment_status="collected"),
        "c": OrderFactory(source="webhook", risk_band="high"),
    }
    raw_sql("UPDATE orders SET status = 'confirmed' WHERE id = %s", [orders["b"].pk])
    raw_sql("UPDATE orders SET status = 'cancelled' WHERE id = %s", [orders["c"].pk])
    found = set(numbers(client.get(LIST, params)))
    assert found == {orders[key].order_number for key in expected}


def test_agent_and_rep_filters(client, manager):
    agent, rep = AgentFactory(), RepFactory()
    mine = OrderFactory(assigned_agent=agent, assigned_rep=rep)
    OrderFactory()
    assert numbers(client.get(LIST, {"agent": agent.pk})) == [mine.order_number]
    assert numbers(client.get(LIST, {"rep": rep.pk})) == [mine.order_number]


def test_date_range(client, manager, raw_sql):
    old = OrderFactory()
    raw_sql("UPDATE orders SET created_at = '2026-01-15T10:00:00Z' WHERE id = %s", [old.pk])
    OrderFactory()
    found = numbers(client.get(LIST, {"created_from": "2026-01-15", "created_to": "2026-01-15"}))
    assert found == [old.order_number]


@pytest.mark.parametrize("query", ["0612345678", "+212 6 12 34 56 78", "00212612345678", "612345"])
def test_search_by_phone_in_any_format(client, manager, query):
    wanted = OrderFactory(customer=CustomerFactory(phone="+212612345678"))
    OrderFactory()
    assert numbers(client.get(LIST, {"q": query})) == [wanted.order_number]


def test_search_by_order_number_and_name(client, manager):
    wanted = OrderFactory(customer=CustomerFactory(full_name="Zineb Alaoui"))
    OrderFactory(customer=CustomerFactory(full_name="Omar Tazi"))
    assert numbers(client.get(LIST, {"q": wanted.order_number})) == [wanted.order_number]
    assert numbers(client.get(LIST, {"q": wanted.order_number.removeprefix("ORD-").lstrip("0")})) == [
        wanted.order_number
    ]
    assert numbers(client.get(LIST, {"q": "zin"})) == [wanted.order_number]


def test_sorting_by_amount(client, manager):
    small = OrderFactory(total_amount=Decimal("10.00"))
    large = OrderFactory(total_amount=Decimal("900.00"))
    assert numbers(client.get(LIST, {"sort": "total_desc"}))[:2] == [large.order_number, small.order_number]
    assert numbers(client.get(LIST, {"sort": "total_asc"}))[:2] == [small.order_number, large.order_number]


def test_keyset_pages_cover_every_order_once(client, manager):
    created = {OrderFactory().order_number for _ in range(120)}
    seen: list[str] = []
    response = client.get(LIST)
    for _ in range(5):
        seen += numbers(response)
        match = re.search(r'hx-get="\?([^"]*cursor=[^"]+)"', response.content.decode())
        if not match:
            break
        response = client.get(LIST + "?" + match.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    assert len(seen) == 120 and set(seen) == created


def test_a_tampered_cursor_starts_from_the_first_page(client, manager):
    OrderFactory()
    assert client.get(LIST, {"cursor": "not-base64!!"}).status_code == 200
    assert client.get(LIST, {"cursor": "WyJ4IiwgIjEiXQ"}).status_code == 200


def test_the_list_page_runs_a_fixed_number_of_queries(client, manager, django_assert_max_num_queries):
    for _ in range(60):
        OrderFactory(assigned_agent=AgentFactory(), assigned_rep=RepFactory())
    with django_assert_max_num_queries(25):
        response = client.get(LIST)
    assert len(numbers(response)) == 50


def test_a_rep_sees_only_their_orders_and_unassigned_ones(client):
    rep = RepFactory()
    mine, unassigned, other = OrderFactory(assigned_rep=rep), OrderFactory(), OrderFactory(assigned_rep=RepFactory())
    client.force_login(rep)
    assert set(numbers(client.get(LIST))) == {mine.order_number, unassigned.order_number}
    assert client.get(reverse("orders:detail", args=[other.pk])).status_code == 404


def test_an_agent_sees_only_orders_assigned_to_them(client):
    agent = AgentFactory()
    mine, theirs = OrderFactory(assigned_agent=agent), OrderFactory(assigned_agent=AgentFactory())
    client.force_login(agent)
    assert numbers(client.get(LIST)) == [mine.order_number]
    assert client.get(reverse("orders:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("orders:move", args=[theirs.pk]), {"to_status": "delivered"}).status_code == 404
    assert client.get(reverse("orders:detail", args=[mine.pk])).status_code == 200


def test_bulk_status_change_reports_each_order(client, manager, raw_sql):
    product = ProductFactory(stock_quantity=1)
    first, second = OrderFactory(items=[item_for(product)]), OrderFactory(items=[item_for(product)])
    done_already = OrderFactory()
    raw_sql("UPDATE orders SET status = 'delivered' WHERE id = %s", [done_already.pk])
    response = client.post(
        reverse("orders:bulk"),
        {"action": "move", "to_status": "confirmed", "id": [first.pk, second.pk, done_already.pk]},
    )
    body = response.content.decode()
    assert "<strong>1</strong> order done" in body
    assert f"{second.order_number}: Only 0 of" in body  # stock ran out for the second
    assert f"{done_already.order_number}: Order {done_already.order_number} is delivered" in body
    assert Order.objects.get(pk=first.pk).status == "confirmed"


def test_bulk_assignment_and_limits(client, manager):
    agent = AgentFactory()
    orders = [OrderFactory() for _ in range(3)]
    client.post(reverse("orders:bulk"), {"action": "assign_agent", "agent": agent.pk, "id": [o.pk for o in orders]})
    assert Order.objects.filter(assigned_agent=agent).count() == 3
    assert Notification.objects.filter(user=agent).count() == 3
    body = client.post(reverse("orders:bulk"), {"action": "move", "to_status": "confirmed"}).content.decode()
    assert "Select at least one order" in body


def test_bulk_never_touches_orders_the_user_cannot_see(client, raw_sql):
    rep = RepFactory()
    hidden = OrderFactory(assigned_rep=RepFactory())
    client.force_login(rep)
    body = client.post(
        reverse("orders:bulk"), {"action": "move", "to_status": "cancelled", "reason": "x", "id": [hidden.pk]}
    ).content.decode()
    assert "not found" in body
    assert Order.objects.get(pk=hidden.pk).status == "new"


def test_csv_export_has_one_row_per_line_item_of_exactly_the_filtered_orders(client, manager):
    a, b = ProductFactory(sku="A-1"), ProductFactory(sku="B-2")
    wanted = OrderFactory(priority="high", items=[item_for(a, quantity=2), item_for(b)])
    OrderFactory(priority="low")
    response = client.get(reverse("orders:export"), {"priority": "high", "format": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["order_number"], r["sku"], r["quantity"]) for r in rows] == [
        (wanted.order_number, "A-1", "2"),
        (wanted.order_number, "B-2", "1"),
    ]


def test_exports_neutralise_spreadsheet_formulas(client, manager):
    OrderFactory(customer=CustomerFactory(full_name='=HYPERLINK("http://evil")'))
    content = b"".join(client.get(reverse("orders:export")).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in content


def test_xlsx_export_matches_the_list(client, manager):
    from openpyxl import load_workbook

    for _ in range(3):
        OrderFactory()
    response = client.get(reverse("orders:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 4  # header + one line item per order


def test_reps_and_agents_cannot_export(client):
    for user in (RepFactory(), AgentFactory()):
        client.force_login(user)
        assert client.get(reverse("orders:export")).status_code == 403


def test_detail_shows_the_moves_this_user_may_make(client):
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    client.force_login(rep)
    body = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    options = re.findall(r'<option value="(\w+)">', body.split('name="to_status"')[1].split("</select>")[0])
    assert options == ["confirmation_pending", "confirmed", "cancelled"]


def test_an_accountant_sees_an_order_but_may_not_move_it(client):
    order = OrderFactory()
    client.force_login(AccountantFactory())
    body = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "No move is open to you" in body
    client.post(reverse("orders:move", args=[order.pk]), {"to_status": "confirmed"})
    assert Order.objects.get(pk=order.pk).status == "new"


def test_moving_from_the_detail_page_and_the_timeline(client, manager):
    order = OrderFactory()
    response = client.post(reverse("orders:move", args=[order.pk]), {"to_status": "confirmed"}, follow=True)
    body = response.content.decode()
    assert "is now confirmed" in body
    assert "New → Confirmed" in body
    response = client.post(reverse("orders:move", args=[order.pk]), {"to_status": "cancelled"}, follow=True)
    assert "Say why the order is cancelled" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_notes_are_appended_and_shown(client, manager):
    order = OrderFactory()
    client.post(reverse("orders:note", args=[order.pk]), {"note": "Call before 5pm"})
    client.post(reverse("orders:note", args=[order.pk]), {"note": "   "})
    order.refresh_from_db()
    assert order.internal_notes.endswith("Call before 5pm")
    assert order.internal_notes.count("\n") == 0


def test_assigning_an_agent_from_the_detail_page(client, manager):
    agent = AgentFactory()
    order = OrderFactory()
    client.post(reverse("orders:assign", args=[order.pk]), {"agent": agent.pk})
    assert Order.objects.get(pk=order.pk).assigned_agent == agent
    client.post(reverse("orders:assign", args=[order.pk]), {"agent": "none"})
    assert Order.objects.get(pk=order.pk).assigned_agent is None


def test_hostile_values_are_escaped_on_list_and_detail(client, manager):
    order = OrderFactory(customer=CustomerFactory(full_name="<script>alert(1)</script>"), customer_notes="<b>hi</b>")
    for url in (LIST, reverse("orders:detail", args=[order.pk])):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>hi</b>" not in client.get(reverse("orders:detail", args=[order.pk])).content.decode()


def test_the_detail_page_runs_a_bounded_number_of_queries(client, manager, django_assert_max_num_queries):
    order = OrderFactory(assigned_agent=AgentFactory(), assigned_rep=RepFactory())
    client.post(reverse("orders:note", args=[order.pk]), {"note": "first"})
    with django_assert_max_num_queries(30):
        assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 200
