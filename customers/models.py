"""End customers. Their totals are kept by the update_customer_stats() trigger on orders."""

from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.db import models

from common.fields import JSONBListField
from common.models import TimestampedModel


class Customer(TimestampedModel):
    full_name = models.CharField(max_length=255)
    email = models.EmailField(max_length=255, null=True, blank=True)
    # Stored normalised to E.164 by the intake service, so one person is one customer.
    phone = models.CharField(max_length=32)
    address = models.TextField(null=True, blank=True)
    city = models.CharField(max_length=100, null=True, blank=True)
    area = models.CharField(max_length=100, null=True, blank=True)
    postal_code = models.CharField(max_length=20, null=True, blank=True)
    # [{"id": "vip", "label": "VIP Customer", "color": "#FFD700"}, ...]
    tags = JSONBListField(blank=True)
    total_orders = models.IntegerField(default=0, db_default=0, editable=False)
    total_spent = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), db_default=Decimal("0"), editable=False
    )
    return_rate = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), db_default=Decimal("0"), editable=False
    )
    # Not in the schema: the trigger needs the count of returned orders to keep return_rate
    # exact without re-reading the customer's whole order history on every change.
    returned_orders = models.IntegerField(default=0, db_default=0, editable=False)
    notes = models.TextField(null=True, blank=True)
    # Not in the schema: refusals (at the confirmation call or at the door) feed the risk band.
    refused_orders = models.IntegerField(default=0, db_default=0, editable=False)
    # Not in the schema: a blacklisted customer's new orders are flagged for review, never dropped.
    is_blacklisted = models.BooleanField(default=False, db_default=False)
    blacklist_reason = models.TextField(null=True, blank=True)
    blacklisted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    blacklisted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "customers"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["email"], name="idx_customers_email"),
            models.Index(fields=["area"], name="idx_customers_area"),
            models.Index(fields=["city"], name="idx_customers_city"),
            GinIndex(fields=["tags"], name="idx_customers_tags"),
            models.Index(fields=["-created_at"], name="idx_customers_created_at"),
            models.Index(fields=["-total_orders"], name="idx_customers_total_orders"),
            models.Index(fields=["-total_spent"], name="idx_customers_total_spent"),
        ]
        constraints = [
            # The schema's phone index, made unique: phones are stored normalised (E.164), so one
            # phone is one customer, and concurrent intakes cannot create the same customer twice.
            models.UniqueConstraint(fields=["phone"], name="idx_customers_phone"),
            models.CheckConstraint(
                condition=models.Q(refused_orders__gte=0), name="customers_refused_orders_non_negative"
            ),
            models.CheckConstraint(condition=models.Q(total_orders__gte=0), name="customers_total_orders_non_negative"),
            models.CheckConstraint(condition=models.Q(total_spent__gte=0), name="customers_total_spent_non_negative"),
            models.CheckConstraint(
                condition=models.Q(return_rate__gte=0, return_rate__lte=100), name="customers_return_rate_percentage"
            ),
            models.CheckConstraint(
                condition=models.Q(returned_orders__gte=0), name="customers_returned_orders_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.phone})"
