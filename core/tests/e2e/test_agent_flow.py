"""A delivery agent's day on a phone (390x844): pick up, deliver with a photo and a signature drawn
on the screen, record a failed attempt, survive a dropped connection. Real Chromium, live server."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import AgentFactory
from catalog.tests.factories import ProductFactory
from common.tests.test_uploads import jpeg_bytes
from customers.tests.factories import CustomerFactory
from logistics.models import Delivery, DeliveryOutcome
from logistics.tests.delivery_data import ready_order
from orders.models import Order, OrderStatus, Priority

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CASABLANCA = {"latitude": 33.589886, "longitude": -7.603869}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def run():
    agent = AgentFactory(full_name="Hamza Agent")
    serum = ProductFactory(name="Argan Oil Serum", price=Decimal("149.00"))
    salma = CustomerFactory(full_name="Salma Benali", phone="+212612345678", address="12 Rue des Fleurs")
    youssef = CustomerFactory(full_name="Youssef Alami", phone="+212698765432", address="7 Avenue Hassan II")
    first = ready_order(agent, product=serum, customer=salma, delivery_area="Maarif", priority=Priority.HIGH,
                        customer_notes="Ring twice, 3rd floor, door on the left")  # fmt: skip
    second = ready_order(agent, product=serum, customer=youssef, delivery_area="Gauthier")
    return {"agent": agent, "first": first, "second": second}


def card(page, order):
    return page.locator(f"#order-{order.pk}")


def pick_up(page, order):
    card(page, order).get_by_role("button", name="Pick up").click()
    card(page, order).get_by_role("link", name="Deliver").wait_for()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def sign(page):
    canvas = page.locator("canvas.signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()  # in viewport coordinates, as the mouse is
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 30, y)
    page.mouse.down()
    for step, (dx, dy) in enumerate([(60, -30), (100, 25), (150, -20), (210, 30), (260, -10)]):
        page.mouse.move(x + dx, y + dy, steps=4 + step)
    page.mouse.up()


def test_pick_up_and_deliver_with_photo_and_signature(phone_page, live_server, login, screenshot, run):
    page, first = phone_page, run["first"]
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(CASABLANCA)
    login(page, run["agent"])
    page.goto(f"{live_server.url}/delivery/run/")
    assert "Today\u2019s run" in page.inner_text("h1")
    assert "Ring twice, 3rd floor" in card(page, first).inner_text()
    screenshot(page, "agent-run-phone")
    assert no_horizontal_scroll(page)
    for target in (card(page, first).get_by_role("button", name="Pick up"), card(page, first).locator(".agent-call"),
                   card(page, first).locator(".agent-map"), page.locator(".segmented button").first):  # fmt: skip
        assert target.bounding_box()["height"] >= 48

    pick_up(page, first)
    assert "picked up" in card(page, first).inner_text()
    assert Order.objects.get(pk=first.pk).status == OrderStatus.OUT_FOR_DELIVERY

    card(page, first).get_by_role("link", name="Deliver").click()
    page.wait_for_selector("#deliver-form")
    page.set_input_files(
        "input[name=photo]", files=[{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    sign(page)
    assert page.input_value("input[name=signature]").startswith("data:image/png;base64,")
    page.wait_for_function("document.querySelector('input[name=latitude]').value !== ''")
    assert page.input_value("input[name=cash_collected]") == str(first.total_amount)
    screenshot(page, "agent-deliver-phone")
    assert no_horizontal_scroll(page)

    page.get_by_role("button", name="Confirm delivery").click()
    page.wait_for_url(f"**/delivery/run/?done={first.pk}")
    page.wait_for_load_state("networkidle")
    assert f"{first.order_number} delivered" in page.inner_text("#messages")
    assert first.order_number in page.inner_text(".agent-done")
    screenshot(page, "agent-delivered-phone")

    first.refresh_from_db()
    attempt = Delivery.objects.get(order=first)
    assert first.status == OrderStatus.DELIVERED and first.payment_status == "collected"
    assert attempt.outcome == DeliveryOutcome.DELIVERED and attempt.cash_collected == first.total_amount
    assert attempt.proof_of_delivery["gps_location"] == CASABLANCA
    assert attempt.proof_of_delivery["device_id"].startswith("ua-")
    # The proof opens for the agent who took it.
    response = page.request.get(f"{live_server.url}{attempt.signature_url}")
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert page.console_errors == []


def test_a_failed_attempt_puts_the_order_back_in_the_pickups(phone_page, live_server, login, screenshot, run):
    page, second = phone_page, run["second"]
    login(page, run["agent"])
    page.goto(f"{live_server.url}/delivery/run/")
    pick_up(page, second)
    card(page, second).get_by_role("link", name="Failed").click()
    page.wait_for_selector("#fail-form")
    assert page.locator(".postponed-field").is_visible()  # until a reason is chosen
    page.get_by_text("Customer not available").click()
    assert not page.locator(".postponed-field").is_visible()  # only for "postponed"
    page.fill("textarea[name=note]", "Nobody answered the door or the phone")
    screenshot(page, "agent-fail-phone")
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Record failed attempt").click()
    page.wait_for_url(f"**/delivery/run/?done={second.pk}")
    page.wait_for_load_state("networkidle")
    assert "back in your pickups" in page.inner_text("#messages")
    assert "Attempt 2" in card(page, second).inner_text()
    assert card(page, second).get_by_role("button", name="Pick up").is_visible()
    screenshot(page, "agent-after-failure-phone")

    second.refresh_from_db()
    assert second.status == OrderStatus.READY_FOR_PICKUP and second.assigned_agent_id == run["agent"].pk
    attempt = Delivery.objects.get(order=second)
    assert (attempt.outcome, attempt.failure_reason) == (DeliveryOutcome.FAILED, "customer_unavailable")
    assert page.console_errors == []


def test_a_dropped_connection_loses_nothing(phone_page, live_server, login, screenshot, run):
    page, second = phone_page, run["second"]
    login(page, run["agent"])
    page.goto(f"{live_server.url}/delivery/run/")
    pick_up(page, second)
    page.goto(f"{live_server.url}/delivery/run/{second.pk}/fail/")
    page.get_by_text("Wrong address").click()
    page.fill("textarea[name=note]", "Building 14 does not exist")

    assert page.console_errors == []
    page.context.set_offline(True)
    page.get_by_role("button", name="Record failed attempt").click()
    # "offline" shows the banner at once; the failed request then says what became of the action.
    page.locator("#connection-banner", has_text="did not reach the server").wait_for()
    page.evaluate("window.scrollTo(0, 0)")  # the banner sticks to the top of the screen
    screenshot(page, "agent-offline-phone")
    assert page.input_value("textarea[name=note]") == "Building 14 does not exist"  # still on the form
    assert Order.objects.get(pk=second.pk).status == OrderStatus.OUT_FOR_DELIVERY

    # Back online, the page reopened (a new token is rendered): what was typed comes back, token included.
    page.context.set_offline(False)
    page.reload()
    page.wait_for_selector("#fail-form")
    assert "restored" in page.inner_text("#fail-form")
    assert page.input_value("textarea[name=note]") == "Building 14 does not exist"
    assert page.is_checked("input[value=wrong_address]")
    page.get_by_role("button", name="Record failed attempt").click()
    page.wait_for_url(f"**/delivery/run/?done={second.pk}")
    page.wait_for_load_state("networkidle")
    assert Delivery.objects.get(order=second).failure_note == "Building 14 does not exist"
    draft = page.evaluate(f"localStorage.getItem('cod-agent-draft:fail:{second.pk}')")
    assert draft is None  # cleared once recorded
    # The browser and htmx log the request that failed while offline; nothing else may be logged.
    assert [error for error in page.console_errors if not offline_noise(error)] == []


def offline_noise(error: str) -> bool:
    return "ERR_INTERNET_DISCONNECTED" in error or error.startswith(("htmx:sendError", "htmx:afterRequest"))


def test_the_run_fits_a_360_pixel_screen(phone_page, live_server, login, screenshot, run):
    page = phone_page
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, run["agent"])
    page.goto(f"{live_server.url}/delivery/run/")
    pick_up(page, run["first"])
    assert no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/delivery/run/{run['first'].pk}/deliver/")
    assert no_horizontal_scroll(page)
    screenshot(page, "agent-deliver-360")
    assert page.console_errors == []
