"""The ledger: revenue at delivery, refunds, manual entries, reversals, expenses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory, RepFactory
from common.errors import DomainError, PermissionDenied, ValidationFailed
from finance.models import ExpenseCategory, FinancialTransaction
from finance.services import (
    expense_category_save,
    expense_create,
    expense_update,
    record_entry,
    refund_order,
    reverse_entry,
)
from orders.models import Order
from orders.services.transitions import order_transition
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def out_for_delivery(raw_sql, **kwargs):
    agent = AgentFactory()
    order = OrderFactory(assigned_agent=agent, **kwargs)
    raw_sql("UPDATE orders SET status = 'out_for_delivery', stock_reserved = true WHERE id = %s", [order.pk])
    return order, agent


def test_delivering_a_cod_order_writes_its_revenue_in_the_same_transaction(raw_sql):
    order, agent = out_for_delivery(raw_sql)
    order_transition(order_id=order.pk, to_status="delivered", actor=agent)
    (entry,) = FinancialTransaction.objects.filter(order=order)
    assert (entry.type, entry.amount, entry.method, entry.recorded_by_user) == (
        "revenue",
        order.total_amount,
        "COD",
        agent,
    )


def test_a_bank_transfer_order_brings_no_cod_revenue(raw_sql):
    order, agent = out_for_delivery(raw_sql, payment_method="bank_transfer")
    order_transition(order_id=order.pk, to_status="delivered", actor=agent)
    assert not FinancialTransaction.objects.exists()


def test_refunding_a_returned_collected_order(raw_sql):
    order, agent = out_for_delivery(raw_sql)
    order_transition(order_id=order.pk, to_status="delivered", actor=agent)
    order_transition(order_id=order.pk, to_status="returned", actor=ManagerFactory(), reason="Broken on arrival")
    refund = refund_order(actor=AccountantFactory(), order_id=order.pk)
    assert (refund.type, refund.amount) == ("refund", order.total_amount)
    assert Order.objects.get(pk=order.pk).payment_status == "refunded"
    with pytest.raises(DomainError):
        refund_order(actor=AccountantFactory(), order_id=order.pk)  # only once


def test_a_refund_cannot_exceed_the_total_or_precede_the_return(raw_sql):
    order, agent = out_for_delivery(raw_sql)
    order_transition(order_id=order.pk, to_status="delivered", actor=agent)
    with pytest.raises(DomainError):
        refund_order(actor=AccountantFactory(), order_id=order.pk)  # not returned yet
    order_transition(order_id=order.pk, to_status="returned", actor=ManagerFactory(), reason="Late return")
    with pytest.raises(ValidationFailed):
        refund_order(actor=AccountantFactory(), order_id=order.pk, amount=order.total_amount + 1)
    assert Order.objects.get(pk=order.pk).payment_status == "collected"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"type": "gift"}, "type"),
        ({"method": "card"}, "method"),
        ({"notes": " "}, "notes"),
        ({"entry_date": "tomorrow"}, "date"),
    ],
)
def test_manual_entries_are_validated(values, field):
    data = {"type": "expense", "amount": "12.50", "method": "cash", "entry_date": TODAY(), "notes": "Tape"}
    data.update(values)
    if data["entry_date"] == "tomorrow":
        data["entry_date"] = TODAY() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as error:
        record_entry(actor=AccountantFactory(), **data)
    assert field in error.value.errors
    assert not FinancialTransaction.objects.exists()


def test_only_finance_roles_record_money():
    with pytest.raises(PermissionDenied):
        record_entry(actor=RepFactory(), type="expense", amount="1", method="cash", entry_date=TODAY(), notes="x")


def test_a_reversal_is_a_new_opposite_entry_and_happens_once():
    accountant = AccountantFactory()
    entry = record_entry(
        actor=accountant, type="revenue", amount="80.00", method="cash", entry_date=TODAY(), notes="Shop sale"
    )
    reversal = reverse_entry(actor=accountant, transaction_id=entry.pk, reason="Typed twice")
    assert (reversal.amount, reversal.reverses, reversal.type) == (Decimal("-80.00"), entry, "revenue")
    entry.refresh_from_db()
    assert entry.amount == Decimal("80.00")  # the original is untouched
    with pytest.raises(DomainError):
        reverse_entry(actor=accountant, transaction_id=entry.pk, reason="again")
    with pytest.raises(DomainError):
        reverse_entry(actor=accountant, transaction_id=reversal.pk, reason="undo the undo")
    with pytest.raises(ValidationFailed):
        reverse_entry(actor=accountant, transaction_id=entry.pk, reason=" ")


def test_the_database_refuses_a_negative_entry_that_reverses_nothing(raw_sql):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("INSERT INTO financial_transactions (type, amount) VALUES ('revenue', -5)")


def test_expenses_need_a_known_category_and_record_who(raw_sql):
    accountant = AccountantFactory()
    expense_category_save(actor=accountant, name="Fuel")
    with pytest.raises(ValidationFailed) as error:
        expense_create(actor=accountant, category="Snacks", amount="10", expense_date=TODAY())
    assert "category" in error.value.errors
    expense = expense_create(
        actor=accountant, category="fuel", amount="250.40", expense_date=TODAY(), description="Van"
    )
    assert (expense.category, expense.amount, expense.recorded_by_user) == ("Fuel", Decimal("250.40"), accountant)
    expense = expense_update(
        actor=accountant,
        expense_id=expense.pk,
        category="Fuel",
        amount="251.40",
        expense_date=TODAY(),
        description="Van",
    )
    assert expense.amount == Decimal("251.40")
    assert ExpenseCategory.objects.count() == 1


def test_the_daily_summary_view_adds_the_ledger_and_expenses_to_the_cent(raw_sql):
    accountant = AccountantFactory()
    expense_category_save(actor=accountant, name="Packaging")
    record_entry(actor=accountant, type="revenue", amount="100.10", method="cash", entry_date=TODAY(), notes="a")
    entry = record_entry(actor=accountant, type="revenue", amount="50.05", method="cash", entry_date=TODAY(), notes="b")
    reverse_entry(actor=accountant, transaction_id=entry.pk, reason="wrong")
    record_entry(actor=accountant, type="refund", amount="20.00", method="cash", entry_date=TODAY(), notes="c")
    expense_create(actor=accountant, category="Packaging", amount="9.99", expense_date=TODAY())
    ((revenue, expenses, refunds, net),) = raw_sql(
        "SELECT total_revenue, total_expenses, total_refunds, net_profit FROM daily_financial_summary WHERE date = %s",
        [TODAY()],
    )
    assert (revenue, expenses, refunds, net) == (
        Decimal("100.10"), Decimal("9.99"), Decimal("20.00"), Decimal("70.11"),
    )  # fmt: skip
