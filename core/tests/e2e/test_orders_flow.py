"""A manager's day in the browser: find an order by phone, confirm it, assign an agent, change
statuses in bulk, export. Real Chromium against the live server."""

import csv
from decimal import Decimal

import pytest

from accounts.tests.factories import AgentFactory, ManagerFactory
from catalog.tests.factories import ProductFactory
from customers.tests.factories import CustomerFactory
from orders.models import Order
from orders.tests.factories import OrderFactory, item_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def business():
    product = ProductFactory(name="Argan Oil Serum", sku="ARG-50", price=Decimal("149.00"), stock_quantity=50)
    salma = CustomerFactory(full_name="Salma Benali", phone="+212612345678")
    wanted = OrderFactory(customer=salma, items=[item_for(product, quantity=2)])
    others = [OrderFactory(items=[item_for(product)]) for _ in range(4)]
    return {"order": wanted, "others": others, "agent": AgentFactory(full_name="Hamza Agent")}


def test_find_by_phone_confirm_and_assign(page, live_server, login, screenshot, business):
    login(page, ManagerFactory())
    page.goto(f"{live_server.url}/orders/")
    screenshot(page, "orders-list-desktop")
    page.fill("input[name=q]", "06 12 34 56 78")
    page.click("#order-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#order-rows tr")
    assert rows.count() == 1
    page.get_by_role("link", name=business["order"].order_number).click()
    page.wait_for_load_state("networkidle")

    page.select_option("#to_status", "confirmed")
    page.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "is now confirmed" in page.inner_text("#messages")

    page.select_option("#assign-agent", str(business["agent"].pk))
    page.get_by_role("button", name="Save assignment").click()
    page.wait_for_load_state("networkidle")
    assert "Assignment saved" in page.inner_text("#messages")
    screenshot(page, "order-detail-desktop")

    order = Order.objects.get(pk=business["order"].pk)
    assert (order.status, order.assigned_agent_id) == ("confirmed", business["agent"].pk)
    assert "New → Confirmed" in page.inner_text(".timeline")
    assert page.console_errors == []


def test_bulk_status_change_shows_a_result_per_order(page, live_server, login, business):
    login(page, ManagerFactory())
    page.goto(f"{live_server.url}/orders/?status=new")
    page.check("input[data-select-all]")
    page.select_option("select[name=action]", "move")
    page.select_option("select[name=to_status]", "cancelled")
    page.get_by_role("button", name="Apply to selected").click()  # no reason given: every order must refuse
    page.wait_for_selector("#bulk-results .results")
    assert "0 orders done" in page.inner_text("#bulk-results").replace("\n", " ")
    assert Order.objects.filter(status="cancelled").count() == 0

    page.fill("input[name=reason]", "Stock recall")
    page.get_by_role("button", name="Apply to selected").click()
    page.wait_for_selector("text=5 orders done")
    assert Order.objects.filter(status="cancelled").count() == 5


def test_export_downloads_what_the_list_shows(page, live_server, login, business, tmp_path):
    login(page, ManagerFactory())
    page.goto(f"{live_server.url}/orders/?q=0612345678")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    path = tmp_path / "orders.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [row["order_number"] for row in rows] == [business["order"].order_number]


def test_the_orders_pages_fit_a_phone(phone_page, live_server, login, screenshot, business):
    login(phone_page, ManagerFactory())
    phone_page.goto(f"{live_server.url}/orders/")
    screenshot(phone_page, "orders-list-phone")
    phone_page.goto(f"{live_server.url}/orders/{business['order'].pk}/")
    screenshot(phone_page, "order-detail-phone")
    # Nothing wider than the screen but the scrollable tables.
    overflow = phone_page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => !e.closest('.table-wrap')"
        " && e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className)"
    )
    assert overflow == []
