"""User management pages, the activity log page and availability, through HTTP."""

import re

import pytest
from django.urls import reverse

from accounts.models import ActivityLog, User
from accounts.tests.factories import (
    AccountantFactory,
    AdminFactory,
    AgentFactory,
    ManagerFactory,
    RepFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(client):
    client.force_login(AdminFactory())
    return client


def test_an_admin_creates_a_user_who_sets_a_password_through_the_invite_link(admin_browser, client_class):
    response = admin_browser.post(
        reverse("accounts:user_create"),
        {"email": "New.Rep@Example.test", "full_name": "Nadia Rep", "phone": "", "role": "customer_rep"},
        follow=True,
    )
    user = User.objects.get(email="new.rep@example.test")
    assert not user.has_usable_password()
    link = re.search(r"http://testserver(/accounts/set-password/[^ \"<]+/)", response.content.decode()).group(1)

    newcomer = client_class()
    form_page = newcomer.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    newcomer.post(set_url, {"new_password1": "a long new passphrase 42", "new_password2": "a long new passphrase 42"})
    assert (
        newcomer.post(
            reverse("accounts:login"), {"username": "new.rep@example.test", "password": "a long new passphrase 42"}
        ).status_code
        == 302
    )
    # The link works once.
    assert "no longer valid" in client_class().get(link, follow=True).content.decode()
    assert ActivityLog.objects.filter(action="user_created", entity_id=user.pk).exists()


def test_a_duplicate_email_is_refused_next_to_the_field(admin_browser):
    RepFactory(email="taken@example.test")
    response = admin_browser.post(
        reverse("accounts:user_create"), {"email": "TAKEN@example.test", "full_name": "X", "role": "customer_rep"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


@pytest.mark.parametrize(
    ("factory", "list_status", "create_status"),
    [
        (AdminFactory, 200, 200),
        (ManagerFactory, 200, 403),
        (RepFactory, 403, 403),
        (AgentFactory, 403, 403),
        (AccountantFactory, 403, 403),
    ],
)
def test_who_may_see_and_manage_users(client, factory, list_status, create_status):
    client.force_login(factory())
    assert client.get(reverse("accounts:user_list")).status_code == list_status
    assert client.get(reverse("accounts:user_create")).status_code == create_status


def test_a_manager_may_look_but_not_change_a_user(client):
    rep = RepFactory(full_name="Old Name")
    client.force_login(ManagerFactory())
    assert client.get(reverse("accounts:user_detail", args=[rep.pk])).status_code == 200
    response = client.post(
        reverse("accounts:user_detail", args=[rep.pk]), {"full_name": "New", "role": "admin", "phone": ""}
    )
    assert response.status_code == 403
    for name in ("user_deactivate", "user_reset_password", "user_permissions"):
        assert client.post(reverse(f"accounts:{name}", args=[rep.pk])).status_code == 403
    rep.refresh_from_db()
    assert (rep.full_name, rep.role, rep.is_active) == ("Old Name", "customer_rep", True)


def test_deactivating_cuts_the_user_off(admin_browser, client_class):
    rep = RepFactory()
    their_browser = client_class()
    their_browser.force_login(rep)
    admin_browser.post(reverse("accounts:user_deactivate", args=[rep.pk]))
    rep.refresh_from_db()
    assert not rep.is_active and rep.availability_status == "offline"
    response = their_browser.get(reverse("core:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_admin_cannot_deactivate_themselves(client):
    admin = AdminFactory()
    client.force_login(admin)
    client.post(reverse("accounts:user_deactivate", args=[admin.pk]))
    admin.refresh_from_db()
    assert admin.is_active


def test_the_permissions_editor_stores_only_differences_from_the_role(admin_browser):
    rep = RepFactory()
    # Everything a rep has by default, plus financial.view, minus customers.edit.
    checked = ["orders.view", "orders.create", "orders.edit", "customers.view", "customers.create",
               "deliveries.view", "products.view", "workflows.view", "financial.view"]  # fmt: skip
    admin_browser.post(reverse("accounts:user_permissions", args=[rep.pk]), dict.fromkeys(checked, "on"))
    rep.refresh_from_db()
    assert rep.permissions == {"customers": {"edit": False}, "financial": {"view": True}}


def test_the_activity_log_filters_and_pages_by_keyset(client):
    manager = ManagerFactory()
    client.force_login(manager)
    rep = RepFactory()
    for index in range(55):
        ActivityLog.objects.create(user=rep, action="order_created", entity_type="order", details={"i": index})
    ActivityLog.objects.create(user=manager, action="stock_adjusted", entity_type="product")
    first = client.get(reverse("accounts:activity_list"), {"user": rep.pk})
    assert first.status_code == 200
    assert first.content.decode().count("<tr>") - 1 == 50  # header row excluded
    assert "stock_adjusted" not in first.content.decode()
    more = re.search(r'hx-get="\?([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get(reverse("accounts:activity_list") + "?" + more, HTTP_HX_REQUEST="true")
    assert second.content.decode().count("<tr>") == 5


@pytest.mark.parametrize("factory", [RepFactory, AgentFactory, AccountantFactory])
def test_only_managers_and_admins_read_the_activity_log(client, factory):
    client.force_login(factory())
    assert client.get(reverse("accounts:activity_list")).status_code == 403


def test_an_agent_sets_their_availability(client):
    agent = AgentFactory(availability_status="offline")
    client.force_login(agent)
    client.post(reverse("accounts:my_availability"), {"availability_status": "available"})
    agent.refresh_from_db()
    assert agent.availability_status == "available"
    assert client.post(reverse("accounts:my_availability"), {"availability_status": "asleep"}).status_code == 200
    agent.refresh_from_db()
    assert agent.availability_status == "available"


def test_hostile_names_are_escaped_on_user_pages(admin_browser):
    hostile = RepFactory(full_name='<script>alert("x")</script>')
    for url in (reverse("accounts:user_list"), reverse("accounts:user_detail", args=[hostile.pk])):
        body = admin_browser.get(url).content.decode()
        assert '<script>alert("x")</script>' not in body
        assert "&lt;script&gt;" in body


def test_an_admin_resets_someones_two_factor(admin_browser):
    from accounts.models import TwoFactorDevice

    agent = AgentFactory()
    admin = AdminFactory()  # has a confirmed device by default
    TwoFactorDevice.objects.filter(user=admin).update(user=agent)
    admin_browser.post(reverse("accounts:user_reset_two_factor", args=[agent.pk]))
    assert not TwoFactorDevice.objects.filter(user=agent).exists()
    assert ActivityLog.objects.filter(action="two_factor_disabled", entity_id=agent.pk).exists()
