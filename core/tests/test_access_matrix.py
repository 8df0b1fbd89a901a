"""The access matrix: every URL of the project, tried as every role (and anonymously).

Every named URL must have a row in ACCESS; a new page without one fails
test_every_url_is_in_the_matrix, so nothing ships unchecked. Each row says which roles may use
it; everybody else must get 403 (or 404 where the object is not theirs to know about), and an
anonymous visitor is sent to the login page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    method: str = "GET"
    data: dict = field(default_factory=dict)
    public: bool = False  # reachable without logging in
    denied_status: int = 403


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
    # Private uploads: each folder's checker decides (common/tests/test_uploads.py); a folder nobody
    # registered, as here, is a 404 for everyone.
    "private_file": Rule(frozenset(), denied_status=404),
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
}


def sample_order():
    from orders.tests.factories import OrderFactory

    return OrderFactory(assigned_rep=None, assigned_agent=None)


def sample_customer():
    from customers.tests.factories import CustomerFactory

    return CustomerFactory()


def sample_product():
    from catalog.tests.factories import ProductFactory

    variant = {"id": "var-1", "name": "Red", "sku": "SAMPLE-RED", "price": None, "stock": 100, "attributes": {}}
    return ProductFactory(variants=[variant])


def test_every_url_is_in_the_matrix():
    missing = sorted({name for name, _ in named_urls()} - set(ACCESS))
    assert not missing, f"add these URLs to ACCESS with who may use them: {missing}"


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_role_gets_exactly_its_access(client, role, name):
    rule = ACCESS[name]
    target = UserFactory(role=Role.CUSTOMER_REP)
    client.force_login(UserFactory(role=role))
    url = url_for(name, target)
    response = client.post(url, rule.data) if rule.method == "POST" else client.get(url)
    if role in rule.allowed:
        assert response.status_code < 400, f"{role} should reach {name}, got {response.status_code}"
    else:
        assert response.status_code == rule.denied_status, f"{role} must not reach {name}"


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_anonymous_visitors_are_sent_to_login(client, name):
    rule = ACCESS[name]
    target = UserFactory(role=Role.CUSTOMER_REP)
    url = url_for(name, target)
    response = client.post(url, rule.data) if rule.method == "POST" else client.get(url)
    if rule.public:
        assert response.status_code < 500
    else:
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", sorted(ALL))
def test_django_admin_is_for_admins_and_managers(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == (200 if role in STAFF_ADMIN else 302)
