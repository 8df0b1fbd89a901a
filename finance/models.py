"""Money: financial transactions, expenses, and the read-only daily_financial_summary view."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from common.fields import PgEnumField
from common.models import CreatedAtModel, CurrentDate, uuid_pk
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
    # Not in the schema: a correction is a new entry pointing at the entry it reverses, with the
    # opposite amount; entries are never edited or deleted.
    reverses = models.OneToOneField(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="reversed_by", db_index=False
    )

    class Meta:
        db_table = "financial_transactions"
        ordering = ["-date", "-created_at"]
        constraints = [
            # Only a reversal (a correction pointing at the entry it reverses) may be negative.
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) | models.Q(reverses__isnull=False),
                name="financial_transactions_amount_sign",
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


class ExpenseCategory(models.Model):
    """Categories accountants keep for expenses (not in the schema; expenses.category stores the name)."""

    id = uuid_pk()
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True, db_default=True)

    class Meta:
        db_table = "expense_categories"
        ordering = ["name"]
        verbose_name_plural = "expense categories"
        constraints = [models.UniqueConstraint(Lower("name"), name="expense_categories_name_unique")]

    def __str__(self) -> str:
        return self.name


class Remittance(CreatedAtModel):
    """Cash an agent hands to an accountant (not in the schema). It settles the agent's oldest
    unsettled collections first (RemittanceAllocation); a shortfall or excess needs a note."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="remittances", db_index=False
    )
    amount = models.DecimalField(**MONEY)
    date = models.DateField(db_default=CurrentDate())
    reference = models.CharField(max_length=100, null=True, blank=True)
    receipt_url = models.CharField(max_length=500, null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    # What the agent held when they came, and amount - held (negative: part of the cash stays with
    # the agent; positive: an excess, which needs a note).
    held_before = models.DecimalField(max_digits=14, decimal_places=2)
    difference = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "remittances"
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["agent", "-date"], name="idx_remittances_agent_date")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="remittances_amount_positive"),
            # Bringing more than the agent held (an excess) needs an explanation.
            models.CheckConstraint(
                condition=models.Q(difference__lte=0) | models.Q(note__isnull=False),
                name="remittances_excess_needs_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} remitted {self.amount} on {self.date}"


class RemittanceAllocation(models.Model):
    """How much of one delivery's collected cash a remittance settled (not in the schema)."""

    id = uuid_pk()
    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="allocations", db_index=False)
    delivery = models.ForeignKey(
        "logistics.Delivery", on_delete=models.RESTRICT, related_name="remittance_allocations", db_index=False
    )
    amount = models.DecimalField(**MONEY)

    class Meta:
        db_table = "remittance_allocations"
        # The unique (remittance, delivery) index serves lookups by remittance.
        indexes = [models.Index(fields=["delivery"], name="idx_remittance_alloc_delivery")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="remittance_allocations_amount_positive"),
            models.UniqueConstraint(fields=["remittance", "delivery"], name="remittance_allocations_once"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of delivery {self.delivery_id}"


class AgentCashClose(CreatedAtModel):
    """An agent's end-of-day close (not in the schema): what they collected, remitted and still hold."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+", db_index=False)
    date = models.DateField()
    collected = models.DecimalField(max_digits=14, decimal_places=2)
    remitted = models.DecimalField(max_digits=14, decimal_places=2)
    held = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )

    class Meta:
        db_table = "agent_cash_closes"
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["agent", "date"], name="agent_cash_closes_once_a_day")]

    def __str__(self) -> str:
        return f"{self.agent_id} close {self.date}"
