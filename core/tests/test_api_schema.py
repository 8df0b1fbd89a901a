"""The OpenAPI schema: valid, served to signed-in users, its docs page under the CSP, and the API
fuzzed against it (schemathesis) without a single server error."""

import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from accounts.jwt import issue_tokens
from accounts.models import Notification
from accounts.tests.factories import AgentFactory, ManagerFactory
from catalog.tests.factories import ProductFactory
from common.tests.apiclient import NO_LIMIT, api_client, relaxed_throttles, set_rates  # noqa: F401 - a fixture
from conftest import ROOT, subprocess_env
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

SCHEMA = reverse("api:schema")
DOCS = reverse("api:docs")
# Generated calls per operation and kind of input (valid, invalid): 17 operations x 2 x 12, about
# 400 calls, well under a minute.
MAX_EXAMPLES = 12


@pytest.mark.slow
def test_the_schema_validates_without_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml"],
        cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "/api/v1/orders/{order_id}/transition/" in (tmp_path / "s.yaml").read_text()


@pytest.mark.usefixtures("relaxed_throttles")
def test_the_schema_is_for_signed_in_users():
    assert api_client().get(SCHEMA).status_code == 401
    response = api_client(ManagerFactory()).get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert "password" not in str(schema["components"]["schemas"].get("OrderDetailOut", {}))


class _InlineCode(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if not attrs.get("src"):
                self.problems.append("inline <script>")
            else:
                self.scripts.append(attrs["src"])
        if tag == "style":
            self.problems.append("inline <style>")
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])
        self.problems += [f"{tag} {name}=" for name in attrs if name == "style" or name.startswith("on")]


def test_the_docs_page_runs_under_the_csp_from_local_files(client):
    assert client.get(DOCS).status_code == 302  # anonymous: to the login page
    client.force_login(ManagerFactory())
    response = client.get(DOCS)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    page = _InlineCode()
    page.feed(response.content.decode())
    assert page.problems == []
    assert all(src.startswith("/static/") or src.startswith(DOCS) for src in page.scripts), page.scripts
    assert all(href.startswith("/static/") for href in page.styles), page.styles  # no CDN
    for src in page.scripts + page.styles:  # every file is really served
        file = client.get(src)
        assert file.status_code == 200, src
        b"".join(getattr(file, "streaming_content", [file.content if not file.streaming else b""]))
    start_up = client.get(DOCS, {"script": ""})
    assert start_up["Content-Type"].startswith("application/javascript")
    assert SCHEMA in start_up.content.decode()


# --- Fuzzing (schemathesis) ---------------------------------------------------------------------


@dataclass
class FuzzWorld:
    """Who calls (a manager, and for the agent-only endpoints an agent) and rows to aim at: generated
    ids would almost always be 404s, so half of the calls use real ones."""

    tokens: dict[str, str]
    ids: dict[str, list[str]]
    agent_ids: dict[str, list[str]]  # for the agent's endpoints: their own orders
    skus: list[str]

    def token_for(self, operation) -> str:
        return self.tokens["agent" if operation.path.startswith("/api/v1/deliveries/") else "manager"]


@pytest.fixture
def world(settings) -> FuzzWorld:
    set_rates(settings, user=NO_LIMIT, anon=NO_LIMIT, auth=NO_LIMIT)
    manager, agent = ManagerFactory(), AgentFactory()
    variant = {"id": "v1", "name": "Red", "sku": "FUZZ-RED", "price": 10.5, "stock": 50, "attributes": {}}
    products = [ProductFactory(sku="FUZZ-1"), ProductFactory(sku="FUZZ-2", variants=[variant])]
    run = OrderFactory.create_batch(3, assigned_agent=agent, status=OrderStatus.READY_FOR_PICKUP, stock_reserved=True)
    orders = [*OrderFactory.create_batch(2), OrderFactory(status=OrderStatus.CONFIRMED, stock_reserved=True), *run]
    notifications = [Notification.objects.create(user=manager, title="Hello", data={"link": "/orders/"})]
    return FuzzWorld(
        tokens={"manager": issue_tokens(manager).access, "agent": issue_tokens(agent).access},
        ids={
            "order_id": [str(order.pk) for order in orders],
            "customer_id": [str(order.customer_id) for order in orders],
            "product_id": [str(product.pk) for product in products],
            "notification_id": [str(notification.pk) for notification in notifications],
        },
        agent_ids={"order_id": [str(order.pk) for order in run]},
        skus=["FUZZ-1", "FUZZ-RED"],
    )


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, run in this thread on the test's own connection and transaction.
    As Django's test client does, requests must not close the connection when they end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def aim(case, world: FuzzWorld, pick: int | None) -> None:
    """Point a generated call at real rows (path ids, and for a new order a real SKU and phone)."""
    if pick is None:
        return
    ids = world.agent_ids if case.operation.path.startswith("/api/v1/deliveries/") else world.ids
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name][pick % len(ids[name])]
    if case.operation.path == "/api/v1/orders/" and case.method == "POST" and isinstance(case.body, dict):
        if isinstance(case.body.get("customer"), dict):
            case.body["customer"]["phone"] = "06 12 34 56 78"
        case.body["delivery_address"] = case.body.get("delivery_address") or "12 Rue Ibn Batouta"
        for item in case.body.get("items") or []:
            if isinstance(item, dict):
                item.pop("product_id", None)
                item.pop("variant_id", None)
                item["sku"] = world.skus[pick % len(world.skus)]


def test_the_api_never_answers_with_a_server_error(world, wsgi_app):
    """Every operation, with valid and with invalid input generated from the schema, answers 2xx or
    4xx, never 5xx. Each operation runs as its own Hypothesis test (schemathesis' pytest plugin does
    not run under this pytest version); all failures are reported together."""
    schema = schemathesis.openapi.from_wsgi(
        f"{SCHEMA}?format=json", wsgi_app, headers={"Authorization": f"Bearer {world.tokens['manager']}"}
    )
    failures: list[str] = []
    statuses: Counter = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode), pick=st.none() | st.integers(0, 20))
            @hypothesis_settings(
                max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
            )  # fmt: skip
            def run(case, pick):
                aim(case, world, pick)
                response = case.call(headers={"Authorization": f"Bearer {world.token_for(case.operation)}"})
                statuses[response.status_code // 100] += 1
                case.validate_response(response, checks=[not_a_server_error])

            try:
                run()
            except Exception as exc:  # every operation's failure is collected and reported
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    assert sum(statuses.values()) >= 17 * 2 * 5 and statuses[2] >= 50, statuses  # it really ran, and got in
