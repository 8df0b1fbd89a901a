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

from accounts.models import Role
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL = frozenset(Role.values)
STAFF_ADMIN = frozenset({Role.ADMIN, Role.MANAGER})
ADMINS = frozenset({Role.ADMIN})
# Who may open an unassigned order: everybody but delivery agents (they see only their own).
ORDER_VIEWERS = frozenset({Role.ADMIN, Role.MANAGER, Role.CUSTOMER_REP, Role.ACCOUNTANT})


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
    # Orders. The sample order is unassigned: reps see it (the queue), agents do not (404).
    "orders:list": Rule(ALL),
    "orders:export": Rule(frozenset({Role.ADMIN, Role.MANAGER, Role.ACCOUNTANT})),
    "orders:bulk": Rule(ALL, method="POST"),
    "orders:detail": Rule(ORDER_VIEWERS, denied_status=404),
    "orders:move": Rule(ORDER_VIEWERS, method="POST", denied_status=404),
    "orders:assign": Rule(ORDER_VIEWERS, method="POST", denied_status=404),
    "orders:note": Rule(ORDER_VIEWERS, method="POST", denied_status=404),
    "orders:duplicate": Rule(ORDER_VIEWERS, method="POST", denied_status=404),
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
    "order_id": lambda target: sample_order().pk,
}


def sample_order():
    from orders.tests.factories import OrderFactory

    return OrderFactory(assigned_rep=None, assigned_agent=None)


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
