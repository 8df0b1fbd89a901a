"""The API's interactive docs (Swagger UI, served from our static files) in Chromium, under the
site's Content-Security-Policy: it renders every operation and the browser reports no violation."""

import pytest

from accounts.tests.factories import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_under_the_csp(page, login, live_server, screenshot):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text
            else None)  # fmt: skip
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    login(page, ManagerFactory())
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/orders/{order_id}/transition/" in path for path in paths), paths
    screenshot(page, "api-docs")
    assert violations == []
    assert page.console_errors == []
    assert all(url.startswith(live_server.url) for url in requests), [u for u in requests if live_server.url not in u]
