"""The access matrix: every URL of the project, tried as every role (and anonymously).

Every named URL must have a row in ACCESS; a new page without one fails
test_every_url_is_in_the_matrix, so nothing ships unchecked. Each row says which roles may use
it; everybody else must get 403 (or 404 where the object is not theirs to know about), and an
anonymous visitor is sent to the login page.

API routes (`api=True`, under /api/v1/) are called as the API is: with a JWT bearer token instead
of a browser session, JSON bodies, and an anonymous caller gets 401 instead of the redirect. A URL
answering a second method has a second row keyed "name#METHOD" (e.g. "api:order_list#POST"), and
`data` may be a function of the target user when a valid body needs fresh rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Notification, Role
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL = frozenset(Role.values)
STAFF_ADMIN = frozenset({Role.ADMIN, Role.MANAGER})
ADMINS = frozenset({Role.ADMIN})
# Who may open an unassigned order: everybody but delivery agents (they see only their own).
ORDER_VIEWERS = frozenset({Role.ADMIN, Role.MANAGER, Role.CUSTOMER_REP, Role.ACCOUNTANT})
# Customers: everyone views (agents only the customers of their orders); reps and up edit.
CUSTOMER_VIEWERS = frozenset({Role.ADMIN, Role.MANAGER, Role.CUSTOMER_REP, Role.ACCOUNTANT})
CUSTOMER_EDITORS = frozenset({Role.ADMIN, Role.MANAGER, Role.CUSTOMER_REP})
# Products: everyone but delivery agents views; admins and managers create and edit (STAFF_ADMIN).
PRODUCT_VIEWERS = frozenset({Role.ADMIN, Role.MANAGER, Role.CUSTOMER_REP, Role.ACCOUNTANT})
# Who takes and confirms orders (orders.create, orders.edit): admins, managers and reps.
ORDER_TAKERS = frozenset({Role.ADMIN, Role.MANAGER, Role.CUSTOMER_REP})
# The delivery agent's own pages (their run, pick up, deliver, failed attempt).
AGENTS = frozenset({Role.DELIVERY_AGENT})
AGENT_404 = {Role.DELIVERY_AGENT: 404}


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    method: str = "GET"
    data: dict | Callable[[Any], dict] = field(default_factory=dict)
    public: bool = False  # reachable without logging in
    api: bool = False  # a REST API route: bearer token, JSON, 401 for anonymous callers
    denied_status: int = 403
    # Roles refused with another status than denied_status (e.g. an agent's 404 for an order not theirs).
    denied_status_by_role: dict = field(default_factory=dict)


# url name -> rule. Django admin is checked separately (its own login redirects).
ACCESS: dict[str, Rule] = {
    "healthz": Rule(ALL, public=True),
    "core:home": Rule(ALL),
    "core:dashboard_figures": Rule(ALL),  # needs orders.view, which every role has by default
    # Orders. The sample order is unassigned: reps see it (the queue), agents do not (404).
    "orders:list": Rule(ALL),
    "orders:export": Rule(frozenset({Role.ADMIN, Role.MANAGER, Role.ACCOUNTANT})),
    "orders:bulk": Rule(ALL, method="POST"),
    "orders:detail": Rule(ORDER_VIEWERS, denied_status=404),
    "orders:move": Rule(ORDER_VIEWERS, method="POST", denied_status=404),
    "orders:assign": Rule(ORDER_VIEWERS, method="POST", denied_status=404),
    "orders:note": Rule(ORDER_VIEWERS, method="POST", denied_status=404),
    "orders:duplicate": Rule(ORDER_VIEWERS, method="POST", denied_status=404),
    # New order, the confirmation queue, calls and item edits (orders/urls_intake.py). Agents and
    # accountants lack orders.create / orders.edit: 403 before the order is even looked up.
    "orders:create": Rule(ORDER_TAKERS),
    "orders:customer_lookup": Rule(ORDER_TAKERS),
    "orders:product_search": Rule(ORDER_TAKERS),
    "orders:quote": Rule(ORDER_TAKERS, method="POST"),
    "orders:queue": Rule(ORDER_TAKERS),
    "orders:record_call": Rule(ORDER_TAKERS, method="POST", data={"outcome": "no_answer"}),
    "orders:edit_items": Rule(ORDER_TAKERS),
    "orders:edit_quote": Rule(ORDER_TAKERS, method="POST", data={"item_sku": "NONE", "item_qty": "1"}),
    # Customers. The sample customer has no orders: a delivery agent may not know it exists (404).
    # Agents and accountants lack customers.edit, so the edits are refused before any lookup (403).
    "customers:list": Rule(ALL),
    "customers:detail": Rule(CUSTOMER_VIEWERS, denied_status=404),
    "customers:tags": Rule(CUSTOMER_EDITORS, method="POST"),
    "customers:notes": Rule(CUSTOMER_EDITORS, method="POST"),
    "customers:blacklist": Rule(CUSTOMER_EDITORS, method="POST"),
    # Products (no object rules): products.view / edit / create by role.
    "catalog:list": Rule(PRODUCT_VIEWERS),
    "catalog:low_stock": Rule(PRODUCT_VIEWERS),
    "catalog:detail": Rule(PRODUCT_VIEWERS),
    "catalog:create": Rule(STAFF_ADMIN),
    "catalog:edit": Rule(STAFF_ADMIN),
    "catalog:adjust_stock": Rule(STAFF_ADMIN, method="POST"),
    "catalog:variant_add": Rule(STAFF_ADMIN, method="POST"),
    "catalog:variant_edit": Rule(STAFF_ADMIN),
    # Dispatch, labels and run sheets need orders.assign (admins, managers); the sample run sheet is
    # another agent's, so agents are refused too. Performance needs deliveries.view: everyone, an
    # agent only their own figures (another agent's detail is a 404). Feedback: deliveries.edit, and
    # never the agents themselves (logistics/tests/test_performance.py).
    "logistics:dispatch": Rule(STAFF_ADMIN),
    "logistics:dispatch_assign": Rule(STAFF_ADMIN, method="POST"),
    "logistics:dispatch_auto": Rule(STAFF_ADMIN, method="POST"),
    "logistics:labels": Rule(STAFF_ADMIN),
    "logistics:run_sheet": Rule(STAFF_ADMIN),
    "logistics:performance": Rule(ALL),
    "logistics:performance_agent": Rule(ALL - {Role.DELIVERY_AGENT}, denied_status=404),
    "logistics:delivery_feedback": Rule(STAFF_ADMIN, method="POST", data={"rating": "4", "feedback": "Polite"}),
    "accounts:login": Rule(ALL, public=True),
    "accounts:logout": Rule(ALL, method="POST", public=True),
    "accounts:set_password": Rule(ALL, public=True),
    "accounts:two_factor_verify": Rule(ALL, public=True),  # the code step of a login in progress
    "accounts:security": Rule(ALL),
    "accounts:two_factor_setup": Rule(ALL),
    "accounts:two_factor_disable": Rule(ALL),
    "accounts:password_change": Rule(ALL),
    "accounts:logout_everywhere": Rule(ALL, method="POST"),
    "accounts:user_list": Rule(STAFF_ADMIN),
    "accounts:user_create": Rule(ADMINS),
    "accounts:user_detail": Rule(STAFF_ADMIN),
    "accounts:user_deactivate": Rule(ADMINS, method="POST"),
    "accounts:user_reactivate": Rule(ADMINS, method="POST"),
    "accounts:user_reset_password": Rule(ADMINS, method="POST"),
    "accounts:user_permissions": Rule(ADMINS, method="POST"),
    "accounts:user_reset_two_factor": Rule(ADMINS, method="POST"),
    "accounts:my_availability": Rule(ALL),
    "accounts:activity_list": Rule(STAFF_ADMIN),
    # One's own notifications. The sample notification belongs to the target user, so marking it
    # read is a 404 for everyone else (the owner's own case: accounts/tests/test_notifications.py).
    "accounts:notifications": Rule(ALL),
    "accounts:notifications_badge": Rule(ALL),
    "accounts:notifications_read_all": Rule(ALL, method="POST"),
    "accounts:notification_read": Rule(frozenset(), method="POST", denied_status=404),
    # The delivery agent's pages (logistics/urls_agent.py): delivery agents only, everyone else 403. The
    # sample order is assigned to nobody, so for an agent its actions are a 404 (their own orders:
    # logistics/tests/test_agent_views.py).
    "logistics:agent_run": Rule(AGENTS),
    "logistics:agent_availability": Rule(AGENTS, method="POST", data={"availability_status": "busy"}),
    "logistics:position": Rule(AGENTS, method="POST", data={"latitude": "33.589886", "longitude": "-7.603869"}),
    "logistics:pickup": Rule(frozenset(), method="POST", denied_status_by_role=AGENT_404),
    "logistics:deliver": Rule(frozenset(), denied_status_by_role=AGENT_404),
    "logistics:fail": Rule(frozenset(), denied_status_by_role=AGENT_404),
    # The REST API (docs/api.md). Logging in, refreshing and logging out need no token; a valid body
    # works for whoever sends it. The rest follows the same policy as the pages: the sample order is
    # unassigned (agents: 404), the sample customer has no orders (agents: 404), the sample
    # notification is the target user's (everyone else: 404). Accountants see orders but make no
    # status move (403 from the status machine).
    "api:token": Rule(ALL, method="POST", public=True, api=True, data=lambda target: login_data(target)),
    "api:token_refresh": Rule(ALL, method="POST", public=True, api=True, data=lambda target: refresh_data(target)),
    "api:logout": Rule(ALL, method="POST", public=True, api=True, data=lambda target: refresh_data(target)),
    "api:notification_list": Rule(ALL, api=True),
    "api:notifications_read_all": Rule(ALL, method="POST", api=True),
    "api:notification_read": Rule(frozenset(), method="POST", api=True, denied_status=404),
    "api:order_list": Rule(ALL, api=True),
    "api:order_list#POST": Rule(ORDER_TAKERS, method="POST", api=True, data=lambda target: new_order_data()),
    "api:order_detail": Rule(ORDER_VIEWERS, api=True, denied_status=404),
    "api:order_transition": Rule(
        ORDER_TAKERS,
        method="POST",
        api=True,
        data={"to_status": "confirmation_pending"},
        denied_status_by_role=AGENT_404,
    ),
    "api:customer_list": Rule(ALL, api=True),
    "api:customer_detail": Rule(CUSTOMER_VIEWERS, api=True, denied_status=404),
    "api:product_list": Rule(PRODUCT_VIEWERS, api=True),
    "api:product_detail": Rule(PRODUCT_VIEWERS, api=True),
    "api:delivery_list": Rule(AGENTS, api=True),
    "api:delivery_pickup": Rule(frozenset(), method="POST", api=True, denied_status_by_role=AGENT_404),
    "api:delivery_deliver": Rule(frozenset(), method="POST", api=True, denied_status_by_role=AGENT_404),
    "api:delivery_fail": Rule(frozenset(), method="POST", api=True, denied_status_by_role=AGENT_404),
    "api:schema": Rule(ALL, api=True),
    "api:docs": Rule(ALL),  # a page, opened with the browser session
    # Private uploads: each folder's checker decides (common/tests/test_uploads.py); a folder nobody
    # registered, as here, is a 404 for everyone.
    "private_file": Rule(frozenset(), denied_status=404),
    # Inbound webhooks. The endpoint is public (no session: a signature or API key proves the
    # sender) and answers an unknown endpoint token with 404 for everyone, signed in or not
    # (integrations/tests/test_webhook_endpoint.py covers real endpoints). Staff pages: viewing
    # needs integrations.view, changing integrations.edit (admins and managers by default). The
    # sample log is not replayable: the replay answers with a message and a redirect.
    "integrations:inbound": Rule(frozenset(), method="POST", public=True, denied_status=404),
    "integrations:list": Rule(STAFF_ADMIN),
    "integrations:webhook_create": Rule(STAFF_ADMIN),
    "integrations:webhook_detail": Rule(STAFF_ADMIN),
    "integrations:webhook_edit": Rule(STAFF_ADMIN),
    "integrations:webhook_regenerate": Rule(STAFF_ADMIN, method="POST"),
    "integrations:mapping_preview": Rule(STAFF_ADMIN),
    "integrations:log_detail": Rule(STAFF_ADMIN),
    "integrations:log_replay": Rule(STAFF_ADMIN, method="POST"),
    # CSV / XLSX imports: seeing batches needs integrations.view, importing and rolling back need
    # orders.create and integrations.create (admins and managers by default; reps have only the
    # first). The sample batch has nothing to import or roll back: a message and a redirect.
    "integrations:import_list": Rule(STAFF_ADMIN),
    "integrations:import_upload": Rule(STAFF_ADMIN),
    "integrations:import_template_csv": Rule(STAFF_ADMIN),
    "integrations:import_template_xlsx": Rule(STAFF_ADMIN),
    "integrations:import_detail": Rule(STAFF_ADMIN),
    "integrations:import_status": Rule(STAFF_ADMIN),
    "integrations:import_commit": Rule(STAFF_ADMIN, method="POST"),
    "integrations:import_rollback": Rule(STAFF_ADMIN, method="POST"),
    "integrations:import_report": Rule(STAFF_ADMIN),
}

# Namespaces that are not ours to enumerate (Django admin has its own test below).
SKIPPED_NAMESPACES = ("admin",)


def named_urls(resolver=None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            found.extend(named_urls(entry, namespace))
        elif entry.name:
            found.append((f"{prefix}{entry.name}", entry))
    return found


def url_for(name: str, target) -> str:
    kwargs = {}
    pattern = dict(named_urls())[name]
    for key in pattern.pattern.converters:
        kwargs[key] = SAMPLE_ARGS[key](target)
    return reverse(name, kwargs=kwargs)


# How to fill each URL argument: from a fresh target user per test.
SAMPLE_ARGS = {
    "user_id": lambda target: target.pk,
    "uidb64": lambda target: "MQ",
    "token": lambda target: "set-password",
    "path": lambda target: "unregistered/2026/01/file.png",
    "notification_id": lambda target: Notification.objects.create(user=target, title="Sample").pk,
    "order_id": lambda target: sample_order().pk,
    "customer_id": lambda target: sample_customer().pk,
    "product_id": lambda target: sample_product().pk,
    "variant_id": lambda target: "var-1",  # every sample product has it
    "endpoint_token": lambda target: "no-such-endpoint",
    "webhook_id": lambda target: sample_webhook().pk,
    "log_id": lambda target: sample_webhook_log().pk,
    "agent_id": lambda target: sample_agent().pk,  # an agent other than the one logged in
    "delivery_id": lambda target: sample_delivery().pk,
    "batch_id": lambda target: sample_import_batch().pk,
}


def sample_order():
    from orders.tests.factories import OrderFactory

    return OrderFactory(assigned_rep=None, assigned_agent=None)


def sample_customer():
    from customers.tests.factories import CustomerFactory

    return CustomerFactory()


def sample_agent():
    return UserFactory(role=Role.DELIVERY_AGENT)


def sample_delivery():
    """A finished attempt by another agent, on an order of theirs."""
    from django.utils import timezone

    from logistics.models import Delivery, DeliveryOutcome
    from orders.models import OrderStatus
    from orders.tests.factories import OrderFactory

    agent = sample_agent()
    order = OrderFactory(assigned_agent=agent, status=OrderStatus.DELIVERED)
    now = timezone.now()
    return Delivery.objects.create(order=order, agent=agent, pickup_time=now, delivery_time=now, ended_at=now,
                                   outcome=DeliveryOutcome.DELIVERED)  # fmt: skip


def sample_product():
    from catalog.tests.factories import ProductFactory

    variant = {"id": "var-1", "name": "Red", "sku": "SAMPLE-RED", "price": None, "stock": 100, "attributes": {}}
    return ProductFactory(variants=[variant])


def sample_webhook():
    from integrations.services import webhook_create

    return webhook_create(name="Sample store", source="shopify", actor=None)[0]


def sample_webhook_log():
    from integrations.models import WebhookLog

    return WebhookLog.objects.create(webhook=sample_webhook(), request_payload={"id": 1}, response_status=401,
                                     processing_state="rejected", error_message="Invalid signature.")  # fmt: skip


def sample_import_batch():
    from integrations.models import ImportBatch, ImportStatus

    return ImportBatch.objects.create(stored_file="imports/2026/01/none.csv", file_sha256="0" * 64, file_format="csv",
                                      external_source="csv:sample", status=ImportStatus.READY)  # fmt: skip


def login_data(target) -> dict:
    from accounts.tests.factories import TEST_PASSWORD

    return {"email": target.email, "password": TEST_PASSWORD}


def refresh_data(target) -> dict:
    from accounts.jwt import issue_tokens

    return {"refresh": issue_tokens(target).refresh}


def new_order_data() -> dict:
    item = {"sku": sample_product().sku, "variant_id": "var-1", "quantity": 1}
    return {"customer": {"phone": "0612345678", "full_name": "Sample"}, "items": [item], "delivery_address": "1 Rue A"}


def send(client, rule: Rule, url: str, target, user=None):
    """The rule's request, as a browser (session) or, for API routes, as an API client (token)."""
    data = rule.data(target) if callable(rule.data) else rule.data
    if not rule.api:
        return client.post(url, data) if rule.method == "POST" else client.get(url)
    headers = {}
    if user is not None:
        from accounts.jwt import issue_tokens

        headers["HTTP_AUTHORIZATION"] = f"Bearer {issue_tokens(user).access}"
    if rule.method == "POST":
        return client.post(url, data, content_type="application/json", **headers)
    return client.get(url, **headers)


@pytest.fixture(autouse=True)
def _api_rates_for_a_whole_matrix(settings):
    """The matrix sends many API calls from one address within a minute: lift the rate limits
    (throttling itself: */tests/test_api*.py)."""
    rates = dict.fromkeys(("user", "anon", "auth"), "100000/minute")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_every_url_is_in_the_matrix():
    missing = sorted({name for name, _ in named_urls()} - {key.partition("#")[0] for key in ACCESS})
    assert not missing, f"add these URLs to ACCESS with who may use them: {missing}"


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_role_gets_exactly_its_access(client, role, name):
    rule = ACCESS[name]
    target = UserFactory(role=Role.CUSTOMER_REP)
    user = UserFactory(role=role)
    if not rule.api:
        client.force_login(user)
    url = url_for(name.partition("#")[0], target)
    response = send(client, rule, url, target, user)
    if role in rule.allowed:
        assert response.status_code < 400, f"{role} should reach {name}, got {response.status_code}"
    else:
        expected = rule.denied_status_by_role.get(role, rule.denied_status)
        assert response.status_code == expected, f"{role} must not reach {name}"


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_anonymous_visitors_are_sent_to_login(client, name):
    rule = ACCESS[name]
    target = UserFactory(role=Role.CUSTOMER_REP)
    url = url_for(name.partition("#")[0], target)
    response = send(client, rule, url, target)
    if rule.public:
        assert response.status_code < 500
    elif rule.api:
        assert response.status_code == 401, f"an anonymous API call to {name} got {response.status_code}"
    else:
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", sorted(ALL))
def test_django_admin_is_for_admins_and_managers(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == (200 if role in STAFF_ADMIN else 302)
