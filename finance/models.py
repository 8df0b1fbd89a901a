"""Money: financial transactions, expenses, and the read-only daily_financial_summary view."""

from django.conf import settings
from django.db import models

from common.fields import PgEnumField
from common.models import CreatedAtModel, CurrentDate
from orders.models import MONEY, PaymentMethod


class TransactionType(models.TextChoices):
    REVENUE = "revenue", "Revenue"
    EXPENSE = "expense", "Expense"
    REFUND = "refund", "Refund"


class FinancialTransaction(CreatedAtModel):
    """An entry of the money ledger. Corrections are new entries, never edits."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="transactions", db_index=False
    )
    type = PgEnumField(enum_type="transaction_type", choices=TransactionType.choices)
    amount = models.DecimalField(**MONEY)
    method = PgEnumField(
        enum_type="payment_method",
        choices=PaymentMethod.choices,
        default=PaymentMethod.COD,
        db_default=PaymentMethod.COD,
    )
    recorded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    notes = models.TextField(null=True, blank=True)
    date = models.DateField(db_default=CurrentDate())

    class Meta:
        db_table = "financial_transactions"
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="financial_transactions_amount_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["order"], name="idx_financial_transactions_order_id"),
            models.Index(fields=["type"], name="idx_financial_transactions_type"),
            models.Index(fields=["-date"], name="idx_financial_transactions_date"),
            models.Index(fields=["recorded_by_user"], name="idx_financial_transactions_recorded_by"),
            models.Index(fields=["method"], name="idx_financial_transactions_method"),
            models.Index(fields=["-created_at"], name="idx_financial_transactions_created_at"),
        ]


class Expense(CreatedAtModel):
    category = models.CharField(max_length=100)
    amount = models.DecimalField(**MONEY)
    description = models.TextField(null=True, blank=True)
    receipt_url = models.CharField(max_length=500, null=True, blank=True)
    recorded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    date = models.DateField(db_default=CurrentDate())

    class Meta:
        db_table = "expenses"
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="expenses_amount_non_negative"),
        ]
        indexes = [
            models.Index(fields=["category"], name="idx_expenses_category"),
            models.Index(fields=["-date"], name="idx_expenses_date"),
            models.Index(fields=["recorded_by_user"], name="idx_expenses_recorded_by"),
            models.Index(fields=["-created_at"], name="idx_expenses_created_at"),
        ]


class DailyFinancialSummary(models.Model):
    """Read-only rows of daily_financial_summary: one per day with any money movement."""

    date = models.DateField(primary_key=True)
    total_revenue = models.DecimalField(max_digits=14, decimal_places=2)
    total_expenses = models.DecimalField(max_digits=14, decimal_places=2)
    total_refunds = models.DecimalField(max_digits=14, decimal_places=2)
    net_profit = models.DecimalField(max_digits=14, decimal_places=2)
    revenue_count = models.IntegerField()
    expense_count = models.IntegerField()
    refund_count = models.IntegerField()

    class Meta:
        managed = False
        db_table = "daily_financial_summary"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date}: net {self.net_profit}"
