"""The permission table per role, per-user overrides, object rules and scoping."""

import pytest

from accounts import policy
from accounts.models import Role
from accounts.permissions import RESOURCES, clean_overrides, effective_permissions
from accounts.tests.factories import AccountantFactory, AdminFactory, AgentFactory, ManagerFactory, RepFactory
from orders.models import Order
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        (Role.ADMIN, ["users.edit", "financial.export", "orders.delete"], []),
        (Role.MANAGER, ["orders.assign", "workflows.edit", "financial.view"], ["users.edit", "users.create"]),
        (Role.CUSTOMER_REP, ["orders.create", "customers.edit"], ["financial.view", "orders.assign", "users.view"]),
        (
            Role.DELIVERY_AGENT,
            ["orders.view", "deliveries.edit"],
            ["orders.create", "customers.edit", "financial.view"],
        ),
        (Role.ACCOUNTANT, ["financial.export", "orders.view_all"], ["orders.edit", "workflows.view"]),
    ],
)
def test_role_defaults(role, granted, refused):
    table = effective_permissions(role=role, overrides={})
    assert set(table) == set(RESOURCES)
    for permission in granted:
        resource, action = permission.split(".")
        assert table[resource][action], permission
    for permission in refused:
        resource, action = permission.split(".")
        assert not table[resource][action], permission


def test_a_user_override_adds_and_removes_single_permissions():
    rep = RepFactory(permissions={"financial": {"view": True}, "customers": {"edit": False}, "bogus": {"x": True}})
    assert policy.can(rep, "financial.view")
    assert not policy.can(rep, "customers.edit")
    assert policy.can(rep, "customers.view")


def test_only_differences_from_the_role_are_stored():
    assert clean_overrides(
        role=Role.CUSTOMER_REP, wanted={"orders": {"view": True, "assign": True}, "financial": {"view": False}}
    ) == {"orders": {"assign": True}}


def test_an_inactive_user_can_do_nothing():
    assert not policy.can(AdminFactory(is_active=False), "orders.view")


def test_an_agent_sees_only_their_orders():
    agent, other = AgentFactory(), AgentFactory()
    mine, theirs = OrderFactory(assigned_agent=agent), OrderFactory(assigned_agent=other)
    assert policy.can(agent, "orders.view", mine)
    assert not policy.can(agent, "orders.view", theirs)
    assert list(policy.scope(agent, "orders", Order.objects.all())) == [mine]
    assert policy.can(agent, "customers.view", mine.customer)
    assert not policy.can(agent, "customers.view", theirs.customer)


def test_a_rep_sees_their_orders_and_the_unassigned_ones_unless_allowed_all():
    rep, other = RepFactory(), RepFactory()
    mine, unassigned, theirs = OrderFactory(assigned_rep=rep), OrderFactory(), OrderFactory(assigned_rep=other)
    assert set(policy.scope(rep, "orders", Order.objects.all())) == {mine, unassigned}
    assert not policy.can(rep, "orders.view", theirs)
    rep.permissions = {"orders": {"view_all": True}}
    rep._effective_permissions = None
    assert policy.can(rep, "orders.view", theirs)


@pytest.mark.parametrize("factory", [ManagerFactory, AdminFactory, AccountantFactory])
def test_managers_admins_and_accountants_see_every_order(factory):
    orders = {OrderFactory(assigned_rep=RepFactory()), OrderFactory(assigned_agent=AgentFactory())}
    assert set(policy.scope(factory(), "orders", Order.objects.all())) == orders


def test_no_view_permission_means_an_empty_scope():
    user = RepFactory(permissions={"orders": {"view": False}})
    OrderFactory()
    assert not policy.scope(user, "orders", Order.objects.all()).exists()


def test_django_admin_asks_the_same_policy():
    manager = ManagerFactory()
    assert manager.has_perm("orders.change_order")
    assert manager.has_perm("accounts.view_user")
    assert not manager.has_perm("accounts.add_user")
    assert not manager.has_perm("auth.change_group")
    assert AdminFactory().has_perm("accounts.add_user")
    assert not RepFactory().has_perm("orders.view_order")  # not staff: no admin at all
