"""What comes with a status move: timestamps, payment, stock, reasons, history, events."""

from decimal import Decimal

import pytest

from accounts.models import Notification, Role
from accounts.tests.factories import AgentFactory, ManagerFactory, RepFactory
from catalog.models import StockMovement
from catalog.tests.factories import ProductFactory
from common.errors import DomainError, PermissionDenied, ValidationFailed
from orders.models import OrderStatus as S
from orders.models import PaymentMethod, PaymentStatus
from orders.services.transitions import order_transition
from orders.signals import order_status_changed
from orders.tests.factories import OrderFactory, item_for

pytestmark = pytest.mark.django_db


def test_confirming_stamps_confirmed_at_and_takes_stock_with_a_ledger_row():
    product = ProductFactory(stock_quantity=5)
    rep = RepFactory()
    order = OrderFactory(items=[item_for(product, quantity=2)])
    order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=rep)
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.confirmed_at is not None and order.stock_reserved
    assert product.stock_quantity == 3
    movement = StockMovement.objects.get(order_id=order.pk)
    assert (movement.quantity_delta, movement.stock_after, movement.reason, movement.actor) == (-2, 3, "reserve", rep)


def test_confirming_without_enough_stock_changes_nothing():
    product = ProductFactory(stock_quantity=1)
    order = OrderFactory(items=[item_for(product, quantity=2)])
    with pytest.raises(ValidationFailed) as error:
        order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=RepFactory())
    assert "items.0" in error.value.errors
    order.refresh_from_db()
    product.refresh_from_db()
    assert (order.status, order.stock_reserved, product.stock_quantity) == (S.NEW, False, 1)
    assert not StockMovement.objects.exists()
    assert not order.history.exists()


def test_cancelling_a_confirmed_order_puts_its_stock_back():
    product = ProductFactory(stock_quantity=5)
    order = OrderFactory(items=[item_for(product, quantity=3)])
    rep = RepFactory()
    order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=rep)
    order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=rep, reason="Customer changed their mind")
    product.refresh_from_db()
    assert product.stock_quantity == 5
    assert list(StockMovement.objects.order_by("created_at").values_list("quantity_delta", "reason")) == [
        (-3, "reserve"),
        (3, "release"),
    ]


@pytest.mark.parametrize("to_status", [S.CANCELLED])
def test_cancelling_requires_a_reason(to_status):
    order = OrderFactory()
    with pytest.raises(ValidationFailed) as error:
        order_transition(order_id=order.pk, to_status=to_status, actor=RepFactory(), reason="  ")
    assert "reason" in error.value.errors


def test_a_return_requires_a_reason_and_records_it_and_restocks():
    product = ProductFactory(stock_quantity=4)
    agent = AgentFactory()
    order = OrderFactory(items=[item_for(product, quantity=1)], assigned_agent=agent)
    manager = ManagerFactory()
    for status in (S.CONFIRMED, S.BEING_PREPARED, S.READY_FOR_PICKUP):
        order_transition(order_id=order.pk, to_status=status, actor=manager)
    order_transition(order_id=order.pk, to_status=S.OUT_FOR_DELIVERY, actor=agent)
    with pytest.raises(ValidationFailed):
        order_transition(order_id=order.pk, to_status=S.RETURNED, actor=agent)
    order_transition(order_id=order.pk, to_status=S.RETURNED, actor=agent, reason="Refused at the door")
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.return_reason == "Refused at the door"
    assert product.stock_quantity == 4


@pytest.mark.parametrize(
    ("method", "expected_payment"),
    [(PaymentMethod.COD, PaymentStatus.COLLECTED), (PaymentMethod.BANK_TRANSFER, PaymentStatus.PENDING)],
)
def test_delivery_stamps_delivered_at_and_collects_cod(raw_sql, method, expected_payment):
    agent = AgentFactory()
    order = OrderFactory(assigned_agent=agent, payment_method=method)
    raw_sql("UPDATE orders SET status = 'out_for_delivery', stock_reserved = true WHERE id = %s", [order.pk])
    order_transition(order_id=order.pk, to_status=S.DELIVERED, actor=agent)
    order.refresh_from_db()
    assert order.delivered_at is not None
    assert order.payment_status == expected_payment
    assert order.customer.__class__.objects.get(pk=order.customer_id).total_spent == (
        Decimal("229.00") if expected_payment == PaymentStatus.COLLECTED else Decimal("0.00")
    )


def test_no_one_sends_an_order_out_without_an_agent(raw_sql):
    order = OrderFactory(assigned_agent=None)
    raw_sql("UPDATE orders SET status = 'ready_for_pickup', stock_reserved = true WHERE id = %s", [order.pk])
    with pytest.raises(DomainError, match="Assign a delivery agent"):
        order_transition(order_id=order.pk, to_status=S.OUT_FOR_DELIVERY, actor=ManagerFactory())


def test_history_records_the_actor_and_the_note():
    rep = RepFactory()
    order = OrderFactory()
    order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=rep, reason="Wrong size", note="called twice")
    (entry,) = order.history.all()
    assert (entry.old_status, entry.new_status, entry.changed_by_user, entry.notes) == (
        S.NEW,
        S.CANCELLED,
        rep,
        "Wrong size; called twice",
    )


def test_a_deactivated_user_cannot_move_orders():
    rep = RepFactory(is_active=False)
    with pytest.raises(PermissionDenied):
        order_transition(order_id=OrderFactory().pk, to_status=S.CONFIRMED, actor=rep)


def test_the_change_is_announced_after_commit_only(django_capture_on_commit_callbacks):
    received = []

    def listener(**kwargs):
        received.append((kwargs["old_status"], kwargs["new_status"]))

    order_status_changed.connect(listener)
    try:
        order = OrderFactory()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=RepFactory())
        assert received == []
        for callback in callbacks:
            callback()
        assert received == [(S.NEW, S.CONFIRMED)]
    finally:
        order_status_changed.disconnect(listener)


def test_the_assigned_agent_hears_when_their_order_is_cancelled(raw_sql):
    agent = AgentFactory()
    order = OrderFactory(assigned_agent=agent)
    raw_sql("UPDATE orders SET status = 'ready_for_pickup', stock_reserved = true WHERE id = %s", [order.pk])
    order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=ManagerFactory(), reason="Customer moved away")
    note = Notification.objects.get(user=agent)
    assert order.order_number in note.title and note.data["new_status"] == S.CANCELLED


def test_low_stock_alerts_managers_once_when_the_threshold_is_crossed():
    manager = ManagerFactory()
    product = ProductFactory(stock_quantity=12, low_stock_threshold=10)
    rep = RepFactory(role=Role.CUSTOMER_REP)
    for _ in range(3):
        order = OrderFactory(items=[item_for(product, quantity=1)])
        order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=rep)
    # 12 -> 11 -> 10 (crosses: 10 <= 10) -> 9 (already low): one alert.
    alerts = Notification.objects.filter(user=manager, data__action="low_stock")
    assert alerts.count() == 1
    assert product.sku in alerts.get().message


def test_a_receiver_inside_the_transaction_can_veto_the_change():
    from orders.signals import order_status_changing

    def refuse(**kwargs):
        raise RuntimeError("ledger unavailable")

    order_status_changing.connect(refuse)
    try:
        order = OrderFactory()
        with pytest.raises(RuntimeError):
            order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=RepFactory())
    finally:
        order_status_changing.disconnect(refuse)
    order.refresh_from_db()
    assert order.status == S.NEW and not order.history.exists()
