"""Every (from, to) status pair, for every kind of actor, through the one transition service.

The expectations below are written from the product rules, independently of orders.domain:
reps confirm or cancel; preparation staff pack; the assigned agent delivers; managers, admins
and the system may make any allowed move; nobody moves a delivered or cancelled order back.
"""

import itertools

import pytest

from accounts.models import Role
from accounts.tests.factories import UserFactory
from common.errors import DomainError
from orders.models import OrderStatus as S
from orders.services.transitions import order_transition
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    (S.NEW, S.CONFIRMATION_PENDING), (S.NEW, S.CONFIRMED), (S.NEW, S.CANCELLED),
    (S.CONFIRMATION_PENDING, S.CONFIRMED), (S.CONFIRMATION_PENDING, S.CANCELLED),
    (S.CONFIRMED, S.BEING_PREPARED), (S.CONFIRMED, S.CANCELLED),
    (S.BEING_PREPARED, S.READY_FOR_PICKUP), (S.BEING_PREPARED, S.CANCELLED),
    (S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY), (S.READY_FOR_PICKUP, S.BEING_PREPARED),
    (S.READY_FOR_PICKUP, S.CANCELLED),
    (S.OUT_FOR_DELIVERY, S.DELIVERED), (S.OUT_FOR_DELIVERY, S.RETURNED), (S.OUT_FOR_DELIVERY, S.READY_FOR_PICKUP),
    (S.DELIVERED, S.RETURNED),
}  # fmt: skip
REP_MOVES = {
    (S.NEW, S.CONFIRMATION_PENDING), (S.NEW, S.CONFIRMED), (S.NEW, S.CANCELLED),
    (S.CONFIRMATION_PENDING, S.CONFIRMED), (S.CONFIRMATION_PENDING, S.CANCELLED), (S.CONFIRMED, S.CANCELLED),
}  # fmt: skip
PREP_MOVES = {
    (S.CONFIRMED, S.BEING_PREPARED),
    (S.BEING_PREPARED, S.READY_FOR_PICKUP),
    (S.READY_FOR_PICKUP, S.BEING_PREPARED),
}
AGENT_MOVES = {
    (S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY), (S.OUT_FOR_DELIVERY, S.DELIVERED),
    (S.OUT_FOR_DELIVERY, S.RETURNED), (S.OUT_FOR_DELIVERY, S.READY_FOR_PICKUP),
}  # fmt: skip

ACTORS = {
    "admin": ALLOWED,
    "manager": ALLOWED,
    "system": ALLOWED,
    "customer_rep": REP_MOVES,
    "warehouse_rep": REP_MOVES | PREP_MOVES,  # a rep granted {"orders": {"prepare": true}}
    "assigned_agent": AGENT_MOVES,
    "other_agent": set(),
    "accountant": set(),
}
HOLDS_STOCK = {S.CONFIRMED, S.BEING_PREPARED, S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY, S.DELIVERED}
PAIRS = list(itertools.product(S.values, S.values))


def make_actor(kind: str, agent):
    if kind == "system":
        return None
    if kind == "assigned_agent":
        return agent
    if kind == "other_agent":
        return UserFactory(role=Role.DELIVERY_AGENT)
    if kind == "warehouse_rep":
        return UserFactory(role=Role.CUSTOMER_REP, permissions={"orders": {"prepare": True}})
    return UserFactory(role=kind)


def order_in(status: str, raw_sql, agent):
    order = OrderFactory(assigned_agent=agent)
    raw_sql(
        "UPDATE orders SET status = %s, stock_reserved = %s WHERE id = %s",
        [status, status in HOLDS_STOCK, order.pk],
    )
    return order


@pytest.mark.parametrize("actor_kind", list(ACTORS))
@pytest.mark.parametrize(("from_status", "to_status"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_move_for_every_actor(raw_sql, actor_kind, from_status, to_status):
    agent = UserFactory(role=Role.DELIVERY_AGENT)
    order = order_in(from_status, raw_sql, agent)
    actor = make_actor(actor_kind, agent)
    expected = (from_status, to_status) in ACTORS[actor_kind]

    if expected:
        moved = order_transition(order_id=order.pk, to_status=to_status, actor=actor, reason="checked with customer")
        assert moved.status == to_status
    else:
        with pytest.raises(DomainError):
            order_transition(order_id=order.pk, to_status=to_status, actor=actor, reason="checked with customer")
    ((status, history_rows),) = raw_sql(
        "SELECT status::text, (SELECT count(*) FROM order_history WHERE order_id = o.id) FROM orders o WHERE id = %s",
        [order.pk],
    )
    assert status == (to_status if expected else from_status)
    # The raw setup UPDATE wrote one history row (unless it kept the status 'new').
    setup_rows = 0 if from_status == S.NEW else 1
    assert history_rows == setup_rows + (1 if expected else 0)
