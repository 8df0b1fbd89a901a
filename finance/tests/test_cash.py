"""Agent cash: held = collected - remitted, oldest first, ageing, closes, concurrency, the invariant."""

import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory
from common.errors import ValidationFailed
from finance.cash import cash_position, close_agent_day, record_remittance, warn_managers_about_cash
from finance.models import FinancialTransaction, RemittanceAllocation
from finance.tests.factories import collection

pytestmark = pytest.mark.django_db


def test_a_remittance_settles_the_oldest_collections_first():
    agent, today = AgentFactory(), timezone.localdate()
    old = collection(agent=agent, amount="100.00", on=today - timedelta(days=5))
    middle = collection(agent=agent, amount="60.00", on=today - timedelta(days=2))
    new = collection(agent=agent, amount="40.00", on=today)
    record_remittance(actor=AccountantFactory(), agent_id=agent.pk, amount="130.00")
    settled = dict(RemittanceAllocation.objects.values_list("delivery_id").annotate(s=Sum("amount")))
    assert settled == {old.pk: Decimal("100.00"), middle.pk: Decimal("30.00")}
    position = cash_position(agent)
    assert (position.collected, position.remitted, position.held) == (
        Decimal("200.00"), Decimal("130.00"), Decimal("70.00"),
    )  # fmt: skip
    assert position.oldest_open == middle.delivery_time.date()
    assert new.pk in {c.delivery_id for c in position.open_collections}


def test_ageing_buckets():
    agent, today = AgentFactory(), timezone.localdate()
    for days, amount in ((0, "10"), (1, "20"), (3, "30"), (6, "40"), (12, "50")):
        collection(agent=agent, amount=amount, on=today - timedelta(days=days))
    assert cash_position(agent, today=today).ageing == {
        "0-1 days": Decimal("30.00"), "2-3 days": Decimal("30.00"), "4-7 days": Decimal("40.00"),
        "8+ days": Decimal("50.00"),
    }  # fmt: skip


def test_an_excess_needs_a_note_and_is_recorded():
    agent = AgentFactory()
    collection(agent=agent, amount="50.00")
    with pytest.raises(ValidationFailed) as error:
        record_remittance(actor=AccountantFactory(), agent_id=agent.pk, amount="60.00")
    assert "note" in error.value.errors
    remittance = record_remittance(actor=AccountantFactory(), agent_id=agent.pk, amount="60.00", note="Tip money")
    assert (remittance.held_before, remittance.difference) == (Decimal("50.00"), Decimal("10.00"))
    assert cash_position(agent).held == Decimal("0.00")


@pytest.mark.parametrize("amount", ["0", "-1", "x"])
def test_bad_amounts_are_refused(amount):
    agent = AgentFactory()
    with pytest.raises(ValidationFailed):
        record_remittance(actor=AccountantFactory(), agent_id=agent.pk, amount=amount)


def test_the_day_close_needs_a_note_while_cash_is_held_and_happens_once():
    agent, today = AgentFactory(), timezone.localdate()
    collection(agent=agent, amount="75.00", on=today)
    accountant = AccountantFactory()
    with pytest.raises(ValidationFailed):
        close_agent_day(actor=accountant, agent_id=agent.pk, day=today)
    record_remittance(actor=accountant, agent_id=agent.pk, amount="75.00")
    close = close_agent_day(actor=accountant, agent_id=agent.pk, day=today)
    assert (close.collected, close.remitted, close.held) == (Decimal("75.00"), Decimal("75.00"), Decimal("0.00"))
    with pytest.raises(ValidationFailed):
        close_agent_day(actor=accountant, agent_id=agent.pk, day=today)


@pytest.mark.django_db(transaction=True)
def test_concurrent_remittances_never_settle_a_collection_twice():
    agent = AgentFactory()
    deliveries = [collection(agent=agent, amount="100.00") for _ in range(5)]
    accountant = AccountantFactory()
    barrier = threading.Barrier(6)
    errors = []

    def remit():
        try:
            barrier.wait()
            record_remittance(actor=accountant, agent_id=agent.pk, amount="150.00", note="two runs")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=remit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for delivery in deliveries:
        settled = RemittanceAllocation.objects.filter(delivery=delivery).aggregate(s=Sum("amount"))["s"]
        assert settled == Decimal("100.00")  # never more than was collected
    assert cash_position(agent).held == Decimal("0.00")


def test_the_invariant_holds_every_day_over_a_month_of_activity(raw_sql):
    """For every agent and day: collected so far = remitted (settled) so far + held, to the cent;
    every collected order traces to its revenue entry and to the remittances that settled it."""
    rng = random.Random(7)
    accountant, agents = AccountantFactory(), [AgentFactory() for _ in range(3)]
    start = timezone.localdate() - timedelta(days=30)
    for offset in range(31):
        day = start + timedelta(days=offset)
        for agent in agents:
            for _ in range(rng.randint(0, 4)):
                delivery = collection(agent=agent, amount=f"{rng.randint(50, 900)}.{rng.randint(0, 99):02d}", on=day)
                FinancialTransaction.objects.create(
                    order=delivery.order, type="revenue", amount=delivery.cash_collected, date=day
                )
            held = cash_position(agent, today=day).held
            if held and rng.random() < 0.7:
                part = (held * Decimal(rng.choice(["1", "0.5", "0.8"]))).quantize(Decimal("0.01"))
                record_remittance(actor=accountant, agent_id=agent.pk, amount=part, remitted_on=day)
            position = cash_position(agent, today=day)
            assert position.collected == position.remitted + position.held
    for agent in agents:
        ((collected, settled),) = raw_sql(
            "SELECT COALESCE(SUM(d.cash_collected), 0), "
            "(SELECT COALESCE(SUM(a.amount), 0) FROM remittance_allocations a"
            " JOIN deliveries x ON x.id = a.delivery_id WHERE x.agent_id = %s)"
            " FROM deliveries d WHERE d.agent_id = %s AND d.outcome = 'delivered'",
            [agent.pk, agent.pk],
        )
        assert collected == settled + cash_position(agent).held
    orphans = raw_sql(
        "SELECT d.id FROM deliveries d WHERE d.outcome = 'delivered' AND NOT EXISTS "
        "(SELECT 1 FROM financial_transactions t WHERE t.order_id = d.order_id AND t.type = 'revenue')"
    )
    assert orphans == []


def test_managers_are_warned_about_cash_held_too_long(settings):
    settings.CASH_HOLD_MAX_DAYS = 2
    manager = ManagerFactory()
    late, fine = AgentFactory(), AgentFactory()
    collection(agent=late, amount="10.00", on=timezone.localdate() - timedelta(days=4))
    collection(agent=fine, amount="10.00")
    assert warn_managers_about_cash() == 1
    (alert,) = Notification.objects.filter(user=manager)
    assert late.full_name in alert.title


def test_an_unknown_agent_is_refused():
    with pytest.raises(ValidationFailed):
        record_remittance(actor=AccountantFactory(), agent_id=ManagerFactory().pk, amount="10")
