"""Confirmation calls: each outcome's effect, refusals that write nothing, the queue, round robin."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Availability, Notification
from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory, RepFactory
from catalog.tests.factories import ProductFactory
from common.errors import DomainError, PermissionDenied, ValidationFailed
from orders.models import CallAttempt, CallOutcome, Order, Priority
from orders.models import OrderStatus as S
from orders.selectors import rep_queue
from orders.services.calls import assign_rep_round_robin, auto_assign_enabled, record_call
from orders.tests.factories import OrderFactory, item_for

pytestmark = pytest.mark.django_db

SOON = timedelta(hours=2)


def history(order):
    return list(
        order.history.order_by("created_at").values_list("old_status", "new_status", "changed_by_user", "notes")
    )


def snapshot(order):
    """Everything a call may write about an order, to prove a refused call wrote nothing."""
    order.refresh_from_db()
    order.customer.refresh_from_db()
    return (
        order.status,
        order.assigned_rep_id,
        order.unanswered_calls,
        order.callback_at,
        order.customer.refused_orders,
        order.call_attempts.count(),
        order.history.count(),
    )


# --- Outcomes ----------------------------------------------------------------------------------
def test_a_confirmed_call_confirms_the_order_and_gives_it_to_the_rep():
    rep = RepFactory(full_name="Salma Idrissi")
    order = OrderFactory()
    attempt = record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.CONFIRMED, notes="happy customer")
    order.refresh_from_db()
    assert (order.status, order.assigned_rep, order.confirmed_at is not None) == (S.CONFIRMED, rep, True)
    assert (attempt.order_id, attempt.rep, attempt.outcome, attempt.notes) == (
        order.pk,
        rep,
        "confirmed",
        "happy customer",
    )
    assert history(order) == [(S.NEW, S.CONFIRMED, rep.pk, "Call by Salma Idrissi: confirmed (happy customer)")]


def test_no_answer_counts_the_call_and_moves_a_new_order_to_pending():
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.NO_ANSWER)
    order.refresh_from_db()
    assert (order.status, order.unanswered_calls) == (S.CONFIRMATION_PENDING, 1)
    assert [row[:3] for row in history(order)] == [(S.NEW, S.CONFIRMATION_PENDING, rep.pk)]


def test_no_answer_on_a_pending_order_only_counts_the_call(settings):
    settings.MAX_UNANSWERED_CALLS = 3
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep, status=S.CONFIRMATION_PENDING, unanswered_calls=1)
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.NO_ANSWER)
    order.refresh_from_db()
    assert (order.status, order.unanswered_calls) == (S.CONFIRMATION_PENDING, 2)
    assert history(order) == []


def test_the_order_is_cancelled_after_the_configured_number_of_unanswered_calls(settings):
    settings.MAX_UNANSWERED_CALLS = 3
    rep = RepFactory(full_name="Yassine Amrani")
    order = OrderFactory(assigned_rep=rep)
    for _ in range(2):
        record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.NO_ANSWER)
        order.refresh_from_db()
        assert order.status == S.CONFIRMATION_PENDING
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.NO_ANSWER, notes="voicemail")
    order.refresh_from_db()
    assert (order.status, order.unanswered_calls, order.call_attempts.count()) == (S.CANCELLED, 3, 3)
    # The rule cancels (no actor); the note still says whose call it was.
    assert history(order)[-1] == (
        S.CONFIRMATION_PENDING,
        S.CANCELLED,
        None,
        "No answer after 3 calls; Call by Yassine Amrani: last call (voicemail)",
    )


def test_call_back_schedules_the_callback_and_moves_the_order_to_pending():
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    when = timezone.now() + SOON
    attempt = record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.CALL_BACK, callback_at=when)
    order.refresh_from_db()
    assert (order.status, order.callback_at, attempt.callback_at) == (S.CONFIRMATION_PENDING, when, when)
    assert order.unanswered_calls == 0


def test_calling_at_the_callback_time_without_answer_clears_the_callback():
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep, status=S.CONFIRMATION_PENDING, callback_at=timezone.now() - SOON)
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.NO_ANSWER)
    order.refresh_from_db()
    assert (order.callback_at, order.unanswered_calls) == (None, 1)


def test_a_wrong_number_keeps_the_order_pending_counted_as_unanswered():
    rep = RepFactory(full_name="Nadia Tazi")
    order = OrderFactory(assigned_rep=rep)
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.WRONG_NUMBER, notes="a bakery answered")
    order.refresh_from_db()
    assert (order.status, order.unanswered_calls) == (S.CONFIRMATION_PENDING, 1)
    assert history(order)[0][3] == "Call by Nadia Tazi: wrong number (a bakery answered)"


def test_a_refusal_cancels_with_the_reason_and_counts_against_the_customer():
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.REFUSED, reason="Found it cheaper")
    order.refresh_from_db()
    order.customer.refresh_from_db()
    assert order.status == S.CANCELLED
    assert order.customer.refused_orders == 1
    (entry,) = history(order)
    assert entry[:3] == (S.NEW, S.CANCELLED, rep.pk) and entry[3].startswith("Found it cheaper; ")
    assert order.call_attempts.get().reason == "Found it cheaper"


def test_calls_stop_once_the_order_is_confirmed():
    # A late refusal is a cancellation through the status machine, not a call.
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.CONFIRMED)
    with pytest.raises(DomainError, match="awaits confirmation"):
        record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.REFUSED, reason="Changed mind")


def test_a_duplicate_is_cancelled_naming_the_original():
    rep = RepFactory()
    original = OrderFactory()
    order = OrderFactory(assigned_rep=rep, duplicate_of=original, is_possible_duplicate=True)
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.DUPLICATE)
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert history(order)[0][3].startswith(f"Duplicate of {original.order_number}; ")


def test_a_duplicate_without_a_known_original_needs_a_reason():
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as error:
        record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.DUPLICATE)
    assert "reason" in error.value.errors
    assert snapshot(order) == before
    record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.DUPLICATE, reason="Same as the phone order")
    order.refresh_from_db()
    assert order.status == S.CANCELLED


def test_a_manager_may_call_any_order_without_taking_it():
    rep = RepFactory()
    manager = ManagerFactory()
    order = OrderFactory(assigned_rep=rep)
    record_call(order_id=order.pk, rep=manager, outcome=CallOutcome.CONFIRMED)
    order.refresh_from_db()
    assert (order.status, order.assigned_rep) == (S.CONFIRMED, rep)
    unassigned = OrderFactory()
    record_call(order_id=unassigned.pk, rep=manager, outcome=CallOutcome.NO_ANSWER)
    unassigned.refresh_from_db()
    assert unassigned.assigned_rep is None


# --- Refused calls write nothing ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("outcome", "extra", "field"),
    [
        (CallOutcome.CALL_BACK, {}, "callback_at"),
        (CallOutcome.CALL_BACK, {"callback_at": timezone.now() - SOON}, "callback_at"),
        (CallOutcome.REFUSED, {"reason": "   "}, "reason"),
        ("hung_up", {}, "outcome"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(outcome, extra, field):
    rep = RepFactory()
    order = OrderFactory()
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as error:
        record_call(order_id=order.pk, rep=rep, outcome=outcome, **extra)
    assert field in error.value.errors
    assert snapshot(order) == before


def test_no_call_is_recorded_on_a_delivered_order(raw_sql):
    rep = RepFactory()
    order = OrderFactory(assigned_rep=rep)
    raw_sql("UPDATE orders SET status = 'delivered' WHERE id = %s", [order.pk])
    before = snapshot(order)
    with pytest.raises(DomainError, match="is delivered; calls are only recorded") as error:
        record_call(order_id=order.pk, rep=rep, outcome=CallOutcome.CONFIRMED)
    assert error.value.code == "invalid_transition"
    assert snapshot(order) == before


@pytest.mark.parametrize("factory", [AgentFactory, AccountantFactory])
def test_only_reps_managers_and_admins_record_calls(factory):
    order = OrderFactory()
    before = snapshot(order)
    with pytest.raises(PermissionDenied):
        record_call(order_id=order.pk, rep=factory(), outcome=CallOutcome.CONFIRMED)
    assert snapshot(order) == before


def test_a_rep_cannot_call_another_reps_order():
    order = OrderFactory(assigned_rep=RepFactory())
    before = snapshot(order)
    with pytest.raises(PermissionDenied, match="assigned to another rep"):
        record_call(order_id=order.pk, rep=RepFactory(), outcome=CallOutcome.CONFIRMED)
    assert snapshot(order) == before


def test_a_confirmation_that_fails_for_stock_leaves_no_call_and_no_assignment():
    order = OrderFactory(items=[item_for(ProductFactory(stock_quantity=0), quantity=1)])
    before = snapshot(order)
    with pytest.raises(ValidationFailed):
        record_call(order_id=order.pk, rep=RepFactory(), outcome=CallOutcome.CONFIRMED)
    assert snapshot(order) == before


# --- The queue ---------------------------------------------------------------------------------
def test_the_queue_puts_due_callbacks_first_then_priority_and_age_and_future_callbacks_last(
    django_assert_num_queries,
):
    rep = RepFactory()
    now = timezone.now()
    day = timedelta(days=1)

    def order(name, **fields):
        fields = {"created_at": now - day, "status": S.CONFIRMATION_PENDING, **fields}
        return OrderFactory(assigned_rep=rep, customer__full_name=name, **fields)

    later = order("later", callback_at=now + SOON, priority=Priority.HIGH)
    low_old = order("low_old", priority=Priority.LOW, created_at=now - 5 * day)
    due_recent = order("due_recent", callback_at=now - timedelta(minutes=5), priority=Priority.LOW)
    high_new = order("high_new", priority=Priority.HIGH, created_at=now - day)
    high_old = order("high_old", priority=Priority.HIGH, created_at=now - 2 * day, status=S.NEW)
    due_early = order("due_early", callback_at=now - SOON)
    medium = order("medium", priority=Priority.MEDIUM)
    # Not in this rep's queue: another rep's order, and orders past confirmation.
    OrderFactory(assigned_rep=RepFactory())
    order("confirmed", status=S.CONFIRMED)
    order("cancelled", status=S.CANCELLED)

    with django_assert_num_queries(1):
        names = [o.customer.full_name for o in rep_queue(rep=rep, now=now)]
    expected = [due_early, due_recent, high_old, high_new, medium, low_old, later]
    assert names == [o.customer.full_name for o in expected]


def test_the_managers_queue_holds_every_reps_open_orders():
    mine, theirs, nobodys = (
        OrderFactory(assigned_rep=RepFactory()),
        OrderFactory(assigned_rep=RepFactory()),
        OrderFactory(),
    )
    OrderFactory(status=S.DELIVERED)
    assert {o.pk for o in rep_queue(rep=None)} == {mine.pk, theirs.pk, nobodys.pk}


# --- Round robin ---------------------------------------------------------------------------------
def test_new_orders_are_spread_evenly_over_available_reps():
    reps = [RepFactory(), RepFactory(availability_status=Availability.BUSY), RepFactory()]
    inactive = RepFactory(is_active=False)
    offline = RepFactory(availability_status=Availability.OFFLINE)
    ManagerFactory()
    orders = [OrderFactory() for _ in range(9)]
    for order in orders:
        assign_rep_round_robin(order_id=order.pk)
    counts = {rep.pk: Order.objects.filter(assigned_rep=rep).count() for rep in [*reps, inactive, offline]}
    assert counts == {reps[0].pk: 3, reps[1].pk: 3, reps[2].pk: 3, inactive.pk: 0, offline.pk: 0}
    assert Notification.objects.filter(user=reps[0], data__action="assigned").count() == 3


def test_when_every_rep_is_offline_they_still_get_the_orders_and_without_reps_no_one_does():
    order = OrderFactory()
    assert assign_rep_round_robin(order_id=order.pk) is None
    offline = RepFactory(availability_status=Availability.OFFLINE)
    assert assign_rep_round_robin(order_id=order.pk) == offline


def test_an_order_that_has_a_rep_keeps_it():
    rep = RepFactory()
    RepFactory()
    order = OrderFactory(assigned_rep=rep)
    assert assign_rep_round_robin(order_id=order.pk) == rep
    assert not Notification.objects.exists()


def test_auto_assignment_follows_the_setting(settings):
    settings.AUTO_ASSIGN_REPS = False
    assert auto_assign_enabled() is False
    settings.AUTO_ASSIGN_REPS = True
    assert auto_assign_enabled() is True


# --- Concurrency (real connections, committed data) --------------------------------------------
def run_at_once(count, work):
    """Run work(i) in `count` threads released together; returns each result or raised exception."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # handed to the test, which asserts on it
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_spread_evenly_and_give_each_order_one_rep():
    reps = [RepFactory() for _ in range(3)]
    orders = [OrderFactory() for _ in range(20)]
    results = run_at_once(20, lambda i: assign_rep_round_robin(order_id=orders[i].pk))
    assert all(isinstance(rep, type(reps[0])) for rep in results), results
    counts = [Order.objects.filter(assigned_rep=rep).count() for rep in reps]
    assert sum(counts) == 20 and max(counts) - min(counts) <= 1
    # Each order's recorded rep is the one its call returned: no order was handed out twice.
    assigned = dict(Order.objects.values_list("pk", "assigned_rep"))
    assert [assigned[o.pk] for o in orders] == [rep.pk for rep in results]
    assert Notification.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_two_reps_confirming_the_same_order_at_once_confirm_it_once():
    reps = [RepFactory(), RepFactory()]
    order = OrderFactory()
    results = run_at_once(2, lambda i: record_call(order_id=order.pk, rep=reps[i], outcome=CallOutcome.CONFIRMED))
    attempts = [r for r in results if isinstance(r, CallAttempt)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(attempts) == 1 and len(errors) == 1, results
    assert type(errors[0]) is DomainError and errors[0].code == "invalid_transition"
    order.refresh_from_db()
    assert (order.status, order.assigned_rep_id) == (S.CONFIRMED, attempts[0].rep_id)
    assert [row[:2] for row in history(order)] == [(S.NEW, S.CONFIRMED)]
    assert CallAttempt.objects.count() == 1
