"""Every main staff page opens in Chromium at desktop and phone widths without errors and without
sideways scrolling; screenshots of each are kept in artifacts/screenshots/ to look at."""

from decimal import Decimal

import pytest

from accounts.models import Notification
from accounts.tests.factories import ManagerFactory, RepFactory
from catalog.tests.factories import ProductFactory
from customers.tests.factories import CustomerFactory
from orders.tests.factories import OrderFactory, item_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OVERFLOW_JS = (
    "() => [...document.querySelectorAll('body *')]"
    ".filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1)"
    ".map(e => e.tagName + '.' + e.className)"
)


@pytest.fixture
def shop():
    product = ProductFactory(name="Argan Oil Serum", sku="ARG-50", price=Decimal("149.00"), stock_quantity=8)
    customer = CustomerFactory(full_name="Salma Benali", phone="+212612345678", tags=[{"id": "vip", "label": "VIP"}])
    order = OrderFactory(customer=customer, items=[item_for(product, quantity=2)])
    manager = ManagerFactory()
    Notification.objects.create(user=manager, title="Low stock: Argan Oil Serum", data={"link": "/products/"})
    return {"product": product, "customer": customer, "order": order, "manager": manager}


def pages(shop) -> dict[str, str]:
    return {
        "dashboard": "/",
        "orders": "/orders/",
        "order-detail": f"/orders/{shop['order'].pk}/",
        "new-order": "/orders/new/",
        "queue": "/orders/queue/",
        "customers": "/customers/",
        "customer-detail": f"/customers/{shop['customer'].pk}/",
        "products": "/products/",
        "product-detail": f"/products/{shop['product'].pk}/",
        "notifications": "/accounts/notifications/",
        "activity": "/accounts/activity/",
    }


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_main_pages_render_cleanly(request, live_server, login, screenshot, shop, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    login(page, shop["manager"])
    for name, path in pages(shop).items():
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, name
        screenshot(page, f"{name}-{width}")
        if width == "phone":
            assert page.evaluate(OVERFLOW_JS) == [], f"{name} scrolls sideways on a phone"
    assert page.console_errors == []


def test_the_dashboard_updates_when_an_order_arrives(page, live_server, login, shop):
    rep = RepFactory()
    login(page, shop["manager"])
    page.goto(f"{live_server.url}/")
    before = page.inner_text("#dashboard-figures")

    rep_context = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    other = rep_context.new_page()
    login(other, rep)
    other.goto(f"{live_server.url}/orders/new/")
    other.fill("input[name=phone]", "0677889900")
    other.fill("input[name=full_name]", "Youssef Amrani")
    other.fill("[name=delivery_address]", "3 Rue Atlas")
    other.locator("input[name=item_sku]").first.fill("ARG-50")
    other.locator("input[name=item_qty]").first.fill("1")
    other.get_by_role("button", name="Create order").click()
    other.wait_for_load_state("networkidle")

    # The figures fragment refreshes itself every minute; trigger the refresh now.
    page.evaluate("() => htmx.trigger('#dashboard-figures', 'refresh')")
    page.wait_for_function("before => document.querySelector('#dashboard-figures').innerText !== before", arg=before)
    assert page.inner_text("#dashboard-figures") != before
    rep_context.close()
