"""Stock under concurrent confirmations and cancellations, on real parallel database connections.

Each thread has its own connection (Django's connections are per thread) and its own transaction,
so these tests commit their data (transaction=True) and see exactly what production would: row
locks, waits, and what a deadlock or a lost update would look like.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from accounts.models import Notification
from accounts.tests.factories import ManagerFactory, RepFactory
from catalog.models import StockMovement, StockReason
from catalog.services import InsufficientStock
from catalog.tests.factories import ProductFactory
from orders.models import Order
from orders.models import OrderStatus as S
from orders.services.transitions import order_transition
from orders.tests.factories import OrderFactory, item_for

pytestmark = pytest.mark.django_db(transaction=True)

OK = "ok"
NO_STOCK = "insufficient_stock"


def run_at_once(jobs: list[Callable[[], object]], timeout: float = 30) -> list[object]:
    """Run each job in its own thread and connection, all released together by a barrier.

    Returns, per job, OK, NO_STOCK or the unexpected exception itself (a database error, a
    deadlock), so the test can say what went wrong.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()  # connect first, so the jobs really start together
            barrier.wait(timeout=timeout)
            job()
            outcomes[index] = OK
        except InsufficientStock:
            outcomes[index] = NO_STOCK
        except Exception as error:  # reported to the test, which fails on it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


def confirm(order_id, actor) -> Callable[[], object]:
    return lambda: order_transition(order_id=order_id, to_status=S.CONFIRMED, actor=actor)


def cancel(order_id, actor) -> Callable[[], object]:
    return lambda: order_transition(order_id=order_id, to_status=S.CANCELLED, actor=actor, reason="Race test")


def assert_only_expected(outcomes: list[object]) -> None:
    unexpected = [outcome for outcome in outcomes if outcome not in (OK, NO_STOCK)]
    assert not unexpected, f"unexpected errors: {unexpected!r}"


def assert_ledger_explains(product, initial: int) -> None:
    """Stock = initial + sum of the ledger, and each row's stock_after is the running sum in time order."""
    product.refresh_from_db()
    deltas = list(
        StockMovement.objects.filter(product=product)
        .order_by("created_at")
        .values_list("quantity_delta", "stock_after")
    )
    assert product.stock_quantity == initial + sum(delta for delta, _ in deltas)
    running = initial
    for delta, stock_after in deltas:
        running += delta
        assert stock_after == running >= 0


def test_twenty_confirmations_for_five_in_stock_confirm_exactly_five():
    product = ProductFactory(stock_quantity=5, low_stock_threshold=2)
    manager = ManagerFactory()
    rep = RepFactory()
    orders = [OrderFactory(items=[item_for(product, quantity=1)]) for _ in range(20)]

    outcomes = run_at_once([confirm(order.pk, rep) for order in orders])

    assert_only_expected(outcomes)
    assert Counter(outcomes) == {OK: 5, NO_STOCK: 15}
    product.refresh_from_db()
    assert product.stock_quantity == 0
    assert StockMovement.objects.filter(product=product, reason=StockReason.RESERVE).count() == 5
    assert StockMovement.objects.count() == 5
    confirmed = {order.pk for order, outcome in zip(orders, outcomes, strict=True) if outcome == OK}
    assert set(Order.objects.filter(status=S.CONFIRMED, stock_reserved=True).values_list("pk", flat=True)) == confirmed
    assert set(StockMovement.objects.values_list("order_id", flat=True)) == confirmed
    assert Order.objects.filter(status=S.NEW, stock_reserved=False).count() == 15
    assert_ledger_explains(product, initial=5)
    # 5 -> ... -> 2 crosses the threshold once, whichever orders won.
    assert Notification.objects.filter(user=manager, data__action="low_stock").count() == 1


def test_orders_with_two_products_in_either_line_order_never_deadlock():
    product_a = ProductFactory(stock_quantity=12)
    product_b = ProductFactory(stock_quantity=7)
    rep = RepFactory()
    orders = [
        OrderFactory(
            items=[item_for(product_a), item_for(product_b)] if i % 2 else [item_for(product_b), item_for(product_a)]
        )
        for i in range(16)
    ]

    outcomes = run_at_once([confirm(order.pk, rep) for order in orders])

    assert_only_expected(outcomes)  # a deadlock would surface here as an OperationalError
    # Each order needs one B: B runs out after seven, and the other nine change nothing.
    assert Counter(outcomes) == {OK: 7, NO_STOCK: 9}
    product_a.refresh_from_db()
    product_b.refresh_from_db()
    assert (product_a.stock_quantity, product_b.stock_quantity) == (5, 0)
    assert Order.objects.filter(stock_reserved=True).count() == 7
    for product, initial in ((product_a, 12), (product_b, 7)):
        assert StockMovement.objects.filter(product=product, reason=StockReason.RESERVE).count() == 7
        assert_ledger_explains(product, initial)


def test_cancellations_racing_confirmations_keep_stock_and_ledger_in_step():
    product = ProductFactory(stock_quantity=10, low_stock_threshold=0)
    rep = RepFactory()
    to_cancel = [OrderFactory(items=[item_for(product, quantity=1)]) for _ in range(6)]
    for order in to_cancel:
        order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=rep)
    to_confirm = [OrderFactory(items=[item_for(product, quantity=1)]) for _ in range(10)]
    jobs = [cancel(order.pk, rep) for order in to_cancel] + [confirm(order.pk, rep) for order in to_confirm]

    outcomes = run_at_once(jobs)

    assert_only_expected(outcomes)
    assert outcomes[:6] == [OK] * 6  # a cancellation always succeeds
    newly_confirmed = outcomes[6:].count(OK)
    # 4 were free from the start; each cancellation may free one more in time for a confirmation.
    assert 4 <= newly_confirmed <= 10
    product.refresh_from_db()
    assert product.stock_quantity == 10 - (6 + newly_confirmed) + 6
    assert Order.objects.filter(pk__in=[o.pk for o in to_confirm], stock_reserved=True).count() == newly_confirmed
    assert Order.objects.filter(status=S.CANCELLED, stock_reserved=False).count() == 6
    reasons = Counter(StockMovement.objects.filter(product=product).values_list("reason", flat=True))
    assert reasons == {StockReason.RESERVE: 6 + newly_confirmed, StockReason.RELEASE: 6}
    assert_ledger_explains(product, initial=10)


def test_the_ledger_is_in_the_order_stock_changed_not_the_order_transactions_began():
    """A confirmation whose transaction began first but took the stock last is stamped last.

    Guards the ledger's time against the transaction start (now()) or a time taken before the lock.
    """
    product = ProductFactory(stock_quantity=10, low_stock_threshold=0)
    rep = RepFactory()
    early, late = OrderFactory(items=[item_for(product)]), OrderFactory(items=[item_for(product)])
    early_began, late_done = threading.Event(), threading.Event()

    def confirm_after_a_wait():
        with transaction.atomic():  # e.g. a bulk action, or a wait for the order's row lock
            Order.objects.filter(pk=early.pk).exists()
            early_began.set()
            assert late_done.wait(10)
            order_transition(order_id=early.pk, to_status=S.CONFIRMED, actor=rep)

    def confirm_meanwhile():
        assert early_began.wait(10)
        order_transition(order_id=late.pk, to_status=S.CONFIRMED, actor=rep)
        late_done.set()

    assert run_at_once([confirm_after_a_wait, confirm_meanwhile]) == [OK, OK]
    rows = StockMovement.objects.filter(product=product).order_by("created_at")
    assert [(m.order_id, m.stock_after) for m in rows] == [(late.pk, 9), (early.pk, 8)]
    assert_ledger_explains(product, initial=10)
