"""Writes of finance: the ledger (revenue, refunds, manual entries, reversals), expenses, and the
cash agents hand over. Money is Decimal with two places (orders.domain.money) everywhere.

Ledger entries are never edited or deleted: a correction is a reversal, a new entry pointing at
the one it cancels, with the opposite amount.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts import policy
from accounts.audit import record_activity
from accounts.models import User
from common.errors import DomainError, PermissionDenied, ValidationFailed
from orders.domain import money
from orders.models import Order, PaymentMethod, PaymentStatus
from orders.services.payments import mark_refunded

from .models import Expense, ExpenseCategory, FinancialTransaction, TransactionType

MAX_AMOUNT = Decimal("10000000")


def parse_amount(value, field: str = "amount") -> Decimal:
    """A positive amount of money from user input, or ValidationFailed naming the field."""
    try:
        amount = money(Decimal(str(value).strip().replace(",", ".")))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed.single(field, "Enter an amount such as 150.00.") from None
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationFailed.single(field, "The amount must be more than 0.")
    return amount


def _require(actor: User | None, permission: str) -> None:
    if actor is not None and not policy.can(actor, permission):
        raise PermissionDenied("Only accountants, managers and admins record money.")


# --- The ledger ---------------------------------------------------------------------------------


def record_cod_revenue(*, order: Order, actor: User | None) -> FinancialTransaction | None:
    """Revenue for an order whose cash was just collected at the door (once per order).

    Called inside the transaction that delivers the order (finance.receivers), so the entry exists
    exactly when the delivery does.
    """
    if order.payment_status != PaymentStatus.COLLECTED or order.payment_method not in (
        PaymentMethod.COD,
        PaymentMethod.CASH,
    ):
        return None
    already = FinancialTransaction.objects.filter(
        order=order, type=TransactionType.REVENUE, reverses__isnull=True, reversed_by__isnull=True
    ).exists()
    if already:
        return None
    return FinancialTransaction.objects.create(
        order=order,
        type=TransactionType.REVENUE,
        amount=money(order.total_amount),
        method=order.payment_method,
        recorded_by_user=actor,
        notes=f"Cash collected on delivery of {order.order_number}",
        date=timezone.localdate(),
    )


@transaction.atomic
def record_entry(
    *,
    actor: User,
    type: str,
    amount,
    method: str,
    entry_date: date,
    notes: str,
    order_id=None,
) -> FinancialTransaction:
    """A manual ledger entry by an accountant (with notes saying what it is)."""
    _require(actor, "financial.create")
    errors: dict[str, list[str]] = {}
    if type not in TransactionType.values:
        errors["type"] = ["Choose revenue, expense or refund."]
    if method not in PaymentMethod.values:
        errors["method"] = ["Choose a payment method."]
    if not (notes or "").strip():
        errors["notes"] = ["Say what this entry is for."]
    if entry_date > timezone.localdate():
        errors["date"] = ["The date cannot be in the future."]
    try:
        value = parse_amount(amount)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    entry = FinancialTransaction.objects.create(
        type=type, amount=value, method=method, date=entry_date, notes=notes.strip(), order_id=order_id,
        recorded_by_user=actor,
    )  # fmt: skip
    record_activity(actor=actor, action="transaction_recorded", entity_type="financial_transaction",
                    entity_id=entry.pk, extra={"type": type, "amount": value})  # fmt: skip
    return entry


@transaction.atomic
def reverse_entry(*, actor: User, transaction_id, reason: str) -> FinancialTransaction:
    """Cancel a ledger entry by a new one with the opposite amount (the original stays)."""
    _require(actor, "financial.edit")
    if not (reason or "").strip():
        raise ValidationFailed.single("reason", "Say why the entry is reversed.")
    original = FinancialTransaction.objects.select_for_update().get(pk=transaction_id)
    if original.reverses_id is not None:
        raise DomainError("A reversal cannot itself be reversed; record a new entry instead.")
    if FinancialTransaction.objects.filter(reverses=original).exists():
        raise DomainError("This entry was already reversed.")
    reversal = FinancialTransaction.objects.create(
        type=original.type, amount=-original.amount, method=original.method, order_id=original.order_id,
        date=timezone.localdate(), notes=f"Reversal: {reason.strip()}", reverses=original, recorded_by_user=actor,
    )  # fmt: skip
    record_activity(actor=actor, action="transaction_reversed", entity_type="financial_transaction",
                    entity_id=original.pk, extra={"reversal_id": reversal.pk, "reason": reason.strip()})  # fmt: skip
    return reversal


@transaction.atomic
def refund_order(*, actor: User, order_id, amount=None, notes: str = "") -> FinancialTransaction:
    """Pay back a returned order whose cash had been collected: the order becomes refunded and a
    refund entry is written (the full total unless a smaller amount is given)."""
    _require(actor, "financial.create")
    order = mark_refunded(order_id=order_id, actor=actor)
    value = money(order.total_amount) if amount in (None, "") else parse_amount(amount)
    if value > order.total_amount:
        raise ValidationFailed.single("amount", f"A refund cannot exceed the order total ({order.total_amount}).")
    return FinancialTransaction.objects.create(
        order=order, type=TransactionType.REFUND, amount=value, method=order.payment_method, recorded_by_user=actor,
        date=timezone.localdate(), notes=(notes or "").strip() or f"Refund of returned order {order.order_number}",
    )  # fmt: skip


# --- Expenses -----------------------------------------------------------------------------------


def _expense_fields(*, category: str, amount, expense_date: date, description: str) -> tuple[str, Decimal]:
    errors: dict[str, list[str]] = {}
    name = (category or "").strip()
    known = ExpenseCategory.objects.filter(name__iexact=name, is_active=True).values_list("name", flat=True).first()
    if not known:
        errors["category"] = ["Choose one of the expense categories."]
    if expense_date > timezone.localdate():
        errors["date"] = ["The date cannot be in the future."]
    if len(description or "") > 2000:
        errors["description"] = ["Keep the description under 2,000 characters."]
    try:
        value = parse_amount(amount)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        value = Decimal("0")
    if errors:
        raise ValidationFailed(errors)
    return known, value


@transaction.atomic
def expense_create(
    *, actor: User, category: str, amount, expense_date: date, description: str = "", receipt_url: str | None = None
) -> Expense:
    _require(actor, "financial.create")
    name, value = _expense_fields(category=category, amount=amount, expense_date=expense_date, description=description)
    expense = Expense.objects.create(
        category=name, amount=value, date=expense_date, description=description.strip() or None,
        receipt_url=receipt_url, recorded_by_user=actor,
    )  # fmt: skip
    record_activity(actor=actor, action="expense_recorded", entity_type="expense", entity_id=expense.pk,
                    extra={"category": name, "amount": value})  # fmt: skip
    return expense


@transaction.atomic
def expense_update(
    *, actor: User, expense_id, category: str, amount, expense_date: date, description: str = ""
) -> Expense:
    _require(actor, "financial.edit")
    expense = Expense.objects.select_for_update().get(pk=expense_id)
    name, value = _expense_fields(category=category, amount=amount, expense_date=expense_date, description=description)
    before = {"category": expense.category, "amount": expense.amount, "date": expense.date}
    expense.category, expense.amount, expense.date = name, value, expense_date
    expense.description = description.strip() or None
    expense.save(update_fields=["category", "amount", "date", "description"])
    after = {"category": expense.category, "amount": expense.amount, "date": expense.date}
    changes = {k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]}
    record_activity(actor=actor, action="expense_updated", entity_type="expense", entity_id=expense.pk, changes=changes)
    return expense


@transaction.atomic
def expense_category_save(*, actor: User, name: str, is_active: bool = True) -> ExpenseCategory:
    _require(actor, "financial.edit")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed.single("name", "Give the category a name (100 characters at most).")
    category = ExpenseCategory.objects.filter(name__iexact=name).first()
    if category is None:
        category = ExpenseCategory.objects.create(name=name, is_active=is_active)
    elif category.is_active != is_active:
        category.is_active = is_active
        category.save(update_fields=["is_active"])
    return category
