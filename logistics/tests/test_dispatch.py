"""Dispatch services: manual assignment, the auto-assign rule, its concurrency, automatic dispatch."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.db import connection

from accounts.models import ActivityLog, Availability, Notification, Role
from accounts.tests.factories import ManagerFactory, UserFactory
from common.errors import PermissionDenied
from logistics import selectors
from logistics.models import DeliveryOutcome
from logistics.services import dispatch
from logistics.services.dispatch import assign_orders, auto_assign
from logistics.tasks import auto_dispatch_task
from orders.models import Order, OrderStatus, Priority
from orders.services.transitions import order_transition

from .dispatch_data import attempt, give_load, make_agent, ready_order

pytestmark = pytest.mark.django_db


def agent_of(order) -> object:
    return Order.objects.values_list("assigned_agent_id", flat=True).get(pk=order.pk)


# --- The auto-assign rule ------------------------------------------------------------------------------


def test_an_order_goes_to_an_agent_covering_its_area_whatever_the_case():
    manager = ManagerFactory()
    elsewhere = make_agent("Anfa", name="Aaron Anfa")
    local = make_agent("maarif", name="Zed Maarif")
    order = ready_order("MAARIF")
    (result,) = auto_assign(order_ids=[order.pk], actor=manager)
    assert result.ok and result.agent_id == str(local.pk)
    assert agent_of(order) == local.pk != elsewhere.pk


def test_available_agents_come_before_busy_ones_even_when_busier():
    manager = ManagerFactory()
    busy = make_agent("Maarif", name="Busy Idle", availability=Availability.BUSY)
    available = make_agent("Maarif", name="Available Loaded")
    give_load(available, 3)
    order = ready_order("Maarif")
    auto_assign(order_ids=[order.pk], actor=manager)
    assert agent_of(order) == available.pk != busy.pk


def test_busy_agents_take_orders_when_no_one_is_available():
    busy = make_agent("Maarif", availability=Availability.BUSY)
    order = ready_order("Maarif")
    auto_assign(order_ids=[order.pk], actor=ManagerFactory())
    assert agent_of(order) == busy.pk


def test_offline_and_inactive_agents_never_get_orders():
    make_agent("Maarif", availability=Availability.OFFLINE)
    make_agent("Maarif", is_active=False)
    order = ready_order("Maarif")
    (result,) = auto_assign(order_ids=[order.pk], actor=ManagerFactory())
    assert not result.ok and "no available or busy agent covers Maarif" in result.error
    assert agent_of(order) is None


def test_the_least_loaded_agent_wins():
    loaded = make_agent("Maarif", name="Amal Loaded")
    light = make_agent("Maarif", name="Zineb Light")
    give_load(loaded, 2)
    give_load(light, 1, status=OrderStatus.READY_FOR_PICKUP)
    order = ready_order("Maarif")
    auto_assign(order_ids=[order.pk], actor=ManagerFactory())
    assert agent_of(order) == light.pk != loaded.pk


def test_orders_delivered_or_returned_do_not_count_as_load():
    amal = make_agent("Maarif", name="Amal")
    zineb = make_agent("Maarif", name="Zineb")
    for status in (OrderStatus.DELIVERED, OrderStatus.RETURNED, OrderStatus.CONFIRMED):
        ready_order("Maarif", agent=amal, status=status)
    give_load(zineb, 1)
    order = ready_order("Maarif")
    auto_assign(order_ids=[order.pk], actor=ManagerFactory())
    assert agent_of(order) == amal.pk


def test_on_equal_load_fewest_delivered_today_wins_then_the_name():
    amal = make_agent("Maarif", name="Amal")
    zineb = make_agent("Maarif", name="Zineb")
    yassine = make_agent("Maarif", name="Yassine")
    attempt(amal)  # delivered an hour ago: today (unless the test runs just after midnight)
    attempt(zineb)
    attempt(zineb)
    first, second = ready_order("Maarif"), ready_order("Maarif")
    auto_assign(order_ids=[first.pk], actor=ManagerFactory())
    assert agent_of(first) == yassine.pk  # delivered nothing today
    auto_assign(order_ids=[second.pk], actor=ManagerFactory())
    assert agent_of(second) == amal.pk  # load 0 and one delivery, against Yassine's load 1


def test_ties_go_by_name():
    make_agent("Maarif", name="Zineb")
    amal = make_agent("Maarif", name="amal")
    order = ready_order("Maarif")
    auto_assign(order_ids=[order.pk], actor=ManagerFactory())
    assert agent_of(order) == amal.pk


def test_an_agent_at_max_load_is_passed_over_and_a_full_area_is_reported(settings):
    settings.MAX_AGENT_LOAD = 2
    full = make_agent("Maarif", name="Amal Full")
    other = make_agent("Maarif", name="Zineb Other", availability=Availability.BUSY)
    give_load(full, 2)
    give_load(other, 1)
    first, second = ready_order("Maarif"), ready_order("Maarif")
    results = auto_assign(order_ids=[first.pk, second.pk], actor=ManagerFactory())
    assert [r.ok for r in results] == [True, False]
    assert agent_of(first) == other.pk
    assert results[1].error == "every agent covering Maarif already carries 2 orders"
    assert agent_of(second) is None


def test_loads_grow_during_a_run_so_orders_are_spread(settings):
    settings.MAX_AGENT_LOAD = 2
    amal, zineb = make_agent("Maarif", name="Amal"), make_agent("Maarif", name="Zineb")
    orders = [ready_order("Maarif") for _ in range(5)]
    results = auto_assign(area="Maarif", actor=ManagerFactory())
    assert [r.agent_name for r in results] == ["Amal", "Zineb", "Amal", "Zineb", ""]
    assert Order.objects.filter(assigned_agent=amal).count() == 2
    assert Order.objects.filter(assigned_agent=zineb).count() == 2
    assert not results[-1].ok and agent_of(orders[-1]) is None


def test_high_priority_then_oldest_orders_are_served_first(settings):
    settings.MAX_AGENT_LOAD = 1
    make_agent("Maarif")
    old_low = ready_order("Maarif", priority=Priority.LOW)
    new_high = ready_order("Maarif", priority=Priority.HIGH)
    results = auto_assign(order_ids=[old_low.pk, new_high.pk], actor=ManagerFactory())
    assert [(r.order_number, r.ok) for r in results] == [(new_high.order_number, True), (old_low.order_number, False)]


def test_orders_that_are_not_waiting_are_reported_not_dropped():
    manager, agent = ManagerFactory(), make_agent("Maarif")
    no_area = ready_order(None)
    taken = ready_order("Maarif", agent=agent)
    confirmed = ready_order("Maarif", status=OrderStatus.CONFIRMED)
    results = {r.order_number: r.error for r in auto_assign(order_ids=[no_area.pk, taken.pk, confirmed.pk],
                                                            actor=manager)}  # fmt: skip
    assert results == {
        no_area.order_number: "no delivery area",
        taken.order_number: "already has an agent",
        confirmed.order_number: "is confirmed, not ready for pickup",
    }


def test_an_area_run_touches_only_that_areas_waiting_orders():
    make_agent("Maarif", "Anfa")
    maarif, anfa = ready_order("Maarif"), ready_order("Anfa")
    results = auto_assign(area="Maarif", actor=ManagerFactory())
    assert [r.order_number for r in results] == [maarif.order_number]
    assert agent_of(anfa) is None


def test_auto_assign_goes_through_order_assign_activity_and_notification():
    manager, agent = ManagerFactory(), make_agent("Maarif")
    order = ready_order("Maarif")
    auto_assign(order_ids=[order.pk], actor=manager)
    log = ActivityLog.objects.get(action="order_assigned", entity_id=order.pk)
    assert log.user == manager
    assert log.details["changes"]["assigned_agent_id"]["new"] == str(agent.pk)
    assert Notification.objects.filter(user=agent, title__contains=order.order_number).exists()


@pytest.mark.parametrize("role", [Role.CUSTOMER_REP, Role.ACCOUNTANT, Role.DELIVERY_AGENT])
def test_only_people_who_may_assign_orders_can_dispatch(role):
    order = ready_order("Maarif")
    make_agent("Maarif")
    with pytest.raises(PermissionDenied):
        auto_assign(order_ids=[order.pk], actor=UserFactory(role=role))
    with pytest.raises(PermissionDenied):
        assign_orders(order_ids=[order.pk], agent_id=make_agent().pk, actor=UserFactory(role=role))
    assert agent_of(order) is None


def test_pick_agent_is_a_pure_rule():
    agents = [
        selectors.AgentLoad("a", "Amal", None, Availability.BUSY, ["Maarif"], 0, 0),
        selectors.AgentLoad("b", "Badr", None, Availability.AVAILABLE, ["maarif "], 4, 9),
        selectors.AgentLoad("c", "Chama", None, Availability.AVAILABLE, ["Maarif"], 4, 2),
        selectors.AgentLoad("d", "Dina", None, Availability.AVAILABLE, ["Anfa"], 0, 0),
        selectors.AgentLoad("e", "Ezz", None, Availability.OFFLINE, ["Maarif"], 0, 0),
    ]
    assert dispatch.pick_agent("MAARIF", agents, cap=25).id == "c"
    assert dispatch.pick_agent("Maarif", agents, cap=4).id == "a"
    assert dispatch.pick_agent("Maarif", agents[3:], cap=25) is None
    assert dispatch.pick_agent(None, agents, cap=25) is None


# --- Manual assignment and reassignment ---------------------------------------------------------------


def test_assign_orders_gives_each_order_its_own_result():
    manager, agent = ManagerFactory(), make_agent("Maarif", name="Amal")
    waiting = ready_order("Maarif")
    gone = ready_order("Maarif", agent=make_agent(), status=OrderStatus.OUT_FOR_DELIVERY)
    results = assign_orders(order_ids=[waiting.pk, gone.pk, "not-a-uuid"], agent_id=agent.pk, actor=manager)
    assert [(r.order_number, r.ok) for r in results] == [(waiting.order_number, True), (gone.order_number, False)]
    assert "out for delivery" in results[1].error
    assert agent_of(waiting) == agent.pk


def test_assigning_an_assigned_order_moves_it_to_the_other_agent():
    manager = ManagerFactory()
    first, second = make_agent("Maarif"), make_agent("Anfa")
    order = ready_order("Maarif", agent=first)
    (result,) = assign_orders(order_ids=[order.pk], agent_id=second.pk, actor=manager)
    assert result.ok and agent_of(order) == second.pk


def test_assigning_without_an_agent_or_to_a_non_agent_is_refused_per_order():
    manager = ManagerFactory()
    order = ready_order("Maarif")
    assert assign_orders(order_ids=[order.pk], agent_id=None, actor=manager)[0].error == "choose an agent"
    (result,) = assign_orders(order_ids=[order.pk], agent_id=UserFactory(role=Role.CUSTOMER_REP).pk, actor=manager)
    assert result.error == "choose an agent"
    assert agent_of(order) is None


# --- Concurrency ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_auto_assign_runs_at_once_never_push_an_agent_past_the_cap(settings):
    """Each run counts loads inside its transaction; the dispatch lock makes the second run count
    after the first committed. Widen the race: every run pauses after counting the loads."""
    settings.MAX_AGENT_LOAD = 3
    managers = [ManagerFactory(), ManagerFactory()]
    make_agent("Maarif", name="Amal")
    zineb = make_agent("Maarif", name="Zineb")
    give_load(zineb, 2)
    orders = [ready_order("Maarif") for _ in range(8)]
    halves = [[o.pk for o in orders[0::2]], [o.pk for o in orders[1::2]]]
    counted = selectors.agents_with_load

    def slow_count(**kwargs):
        agents = counted(**kwargs)
        time.sleep(0.3)
        return agents

    start, outcomes, errors = threading.Barrier(2), [], []

    def run(index):
        try:
            start.wait()
            outcomes.extend(auto_assign(order_ids=halves[index], actor=managers[index]))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(selectors, "agents_with_load", slow_count):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert not errors
    loads = {a.full_name: a.load for a in selectors.agents_with_load()}
    assert loads == {"Amal": 3, "Zineb": 3}
    assert sum(r.ok for r in outcomes) == 4 and len(outcomes) == 8
    assert {r.error for r in outcomes if not r.ok} == {"every agent covering Maarif already carries 3 orders"}


@pytest.mark.django_db(transaction=True)
def test_two_runs_over_the_same_orders_assign_each_order_once():
    managers = [ManagerFactory(), ManagerFactory()]
    make_agent("Maarif")
    make_agent("Maarif")
    orders = [ready_order("Maarif") for _ in range(6)]
    start, outcomes = threading.Barrier(2), []

    def run(index):
        try:
            start.wait()
            outcomes.extend(auto_assign(area="Maarif", actor=managers[index]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.order_number for r in outcomes if r.ok) == sorted(o.order_number for o in orders)
    assert ActivityLog.objects.filter(action="order_assigned").count() == 6


# --- Automatic dispatch -------------------------------------------------------------------------------------


def _prepared_order(area="Maarif"):
    return ready_order(area, status=OrderStatus.BEING_PREPARED)


def test_with_auto_dispatch_on_an_order_ready_for_pickup_is_queued(settings, django_capture_on_commit_callbacks):
    settings.AUTO_DISPATCH = True
    order = _prepared_order()
    with (
        mock.patch("logistics.tasks.auto_dispatch_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        order_transition(order_id=order.pk, to_status=OrderStatus.READY_FOR_PICKUP, actor=ManagerFactory())
    delay.assert_called_once_with(str(order.pk))


def test_with_auto_dispatch_off_nothing_is_queued(settings, django_capture_on_commit_callbacks):
    settings.AUTO_DISPATCH = False
    order = _prepared_order()
    with (
        mock.patch("logistics.tasks.auto_dispatch_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        order_transition(order_id=order.pk, to_status=OrderStatus.READY_FOR_PICKUP, actor=ManagerFactory())
    delay.assert_not_called()


def test_other_moves_queue_nothing(settings, django_capture_on_commit_callbacks):
    settings.AUTO_DISPATCH = True
    order = ready_order("Maarif")
    with (
        mock.patch("logistics.tasks.auto_dispatch_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        order_transition(order_id=order.pk, to_status=OrderStatus.BEING_PREPARED, actor=ManagerFactory())
    delay.assert_not_called()


def test_a_broker_outage_does_not_break_the_status_change(settings, django_capture_on_commit_callbacks):
    settings.AUTO_DISPATCH = True
    order = _prepared_order()
    with (
        mock.patch("logistics.tasks.auto_dispatch_task.delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        order_transition(order_id=order.pk, to_status=OrderStatus.READY_FOR_PICKUP, actor=ManagerFactory())
    assert Order.objects.get(pk=order.pk).status == OrderStatus.READY_FOR_PICKUP


def test_the_task_assigns_as_the_system_and_is_safe_to_run_twice():
    agent = make_agent("Maarif")
    order = ready_order("Maarif")
    assert auto_dispatch_task(str(order.pk)) == f"assigned to {agent.pk}"
    assert auto_dispatch_task(str(order.pk)) == "skipped"
    log = ActivityLog.objects.get(action="order_assigned", entity_id=order.pk)
    assert log.user is None
    assert Notification.objects.filter(user=agent).count() == 1


def test_the_task_skips_orders_that_moved_on_and_leaves_unplaceable_ones_waiting():
    make_agent("Maarif")
    moved_on = ready_order("Maarif", status=OrderStatus.CANCELLED)
    nobody = ready_order("Atlantis")
    assert auto_dispatch_task(str(moved_on.pk)) == "skipped"
    assert auto_dispatch_task(str(nobody.pk)) == "unassigned"
    assert agent_of(moved_on) is None and agent_of(nobody) is None


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_an_order_ready_for_pickup_is_dispatched_by_a_real_worker(settings, celery_worker):
    settings.AUTO_DISPATCH = True
    agent = make_agent("Maarif")
    make_agent("Anfa")
    order = _prepared_order("Maarif")
    order_transition(order_id=order.pk, to_status=OrderStatus.READY_FOR_PICKUP, actor=ManagerFactory())
    assert _wait_for(lambda: agent_of(order) is not None), "the worker did not assign the order"
    assert agent_of(order) == agent.pk
    assert ActivityLog.objects.get(action="order_assigned", entity_id=order.pk).user is None


@pytest.mark.django_db(transaction=True)
def test_the_worker_leaves_alone_an_order_that_has_an_agent_again(settings, celery_worker):
    """A failed attempt puts the order back on the shelf with its agent: automatic dispatch skips it."""
    settings.AUTO_DISPATCH = True
    carrier = make_agent("Maarif", name="Carrier")
    make_agent("Maarif", name="Another")
    order = ready_order("Maarif", agent=carrier, status=OrderStatus.OUT_FOR_DELIVERY)
    attempt(carrier, order=order, outcome=DeliveryOutcome.IN_PROGRESS)
    with mock.patch.object(auto_dispatch_task, "delay", wraps=auto_dispatch_task.delay) as delay:
        order_transition(order_id=order.pk, to_status=OrderStatus.READY_FOR_PICKUP, actor=carrier)
    delay.assert_called_once()
    # The skipped task leaves no trace; give the worker time to have run it.
    probe = _prepared_order("Maarif")
    order_transition(order_id=probe.pk, to_status=OrderStatus.READY_FOR_PICKUP, actor=ManagerFactory())
    assert _wait_for(lambda: agent_of(probe) is not None)
    assert agent_of(order) == carrier.pk
    assert not ActivityLog.objects.filter(action="order_assigned", entity_id=order.pk).exists()
