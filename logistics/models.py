"""Delivery attempts and the read-only agent_performance_view."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from common.models import TimestampedModel, uuid_pk


class DeliveryOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", "On the way"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed attempt"


class FailureReason(models.TextChoices):
    CUSTOMER_UNAVAILABLE = "customer_unavailable", "Customer not available"
    REFUSED = "refused", "Refused by the customer"
    WRONG_ADDRESS = "wrong_address", "Wrong address"
    PHONE_OFF = "phone_off", "Phone switched off"
    POSTPONED = "postponed", "Postponed to a date"
    OTHER = "other", "Other"


class Delivery(TimestampedModel):
    """One delivery attempt of an order by an agent (an order may have several)."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    pickup_time = models.DateTimeField(null=True, blank=True)
    delivery_time = models.DateTimeField(null=True, blank=True)
    route_data = models.JSONField(null=True, blank=True)
    proof_of_delivery = models.JSONField(null=True, blank=True)
    signature_url = models.CharField(max_length=500, null=True, blank=True)
    photo_url = models.CharField(max_length=500, null=True, blank=True)
    customer_feedback = models.TextField(null=True, blank=True)
    rating = models.IntegerField(null=True, blank=True)

    # --- Not in the schema: added by the delivery issue (migration 0005 says why) ---
    attempt_number = models.PositiveSmallIntegerField(default=1, db_default=1)
    outcome = models.CharField(
        max_length=20, choices=DeliveryOutcome.choices, default=DeliveryOutcome.IN_PROGRESS,
        db_default=DeliveryOutcome.IN_PROGRESS,
    )  # fmt: skip
    failure_reason = models.CharField(max_length=30, choices=FailureReason.choices, null=True, blank=True)
    failure_note = models.TextField(null=True, blank=True)
    postponed_to = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Cash the agent says they took at the door (finance reconciles it against the order total).
    cash_collected = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # A token the agent's form carries, so a double tap or a retried request takes effect once.
    client_token = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        db_table = "deliveries"
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="deliveries_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["in_progress", "delivered", "failed"]), name="deliveries_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(cash_collected__isnull=True) | models.Q(cash_collected__gte=0),
                name="deliveries_cash_collected_non_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="failed") | models.Q(failure_reason__isnull=False),
                name="deliveries_failure_needs_reason",
            ),
            models.UniqueConstraint(
                fields=["client_token"],
                name="deliveries_client_token_unique",
                condition=models.Q(client_token__isnull=False),
            ),
            # At most one attempt on the way per order.
            models.UniqueConstraint(
                fields=["order"], name="deliveries_one_in_progress_per_order", condition=models.Q(outcome="in_progress")
            ),
        ]
        indexes = [
            models.Index(fields=["order"], name="idx_deliveries_order_id"),
            models.Index(fields=["agent"], name="idx_deliveries_agent_id"),
            models.Index(fields=["pickup_time"], name="idx_deliveries_pickup_time"),
            models.Index(fields=["-delivery_time"], name="idx_deliveries_delivery_time"),
            models.Index(fields=["rating"], name="idx_deliveries_rating"),
            models.Index(fields=["agent", "-delivery_time"], name="idx_deliveries_agent_delivery_time"),
            models.Index(
                fields=["agent", "outcome"], name="idx_deliveries_agent_open", condition=models.Q(outcome="in_progress")
            ),
        ]


class AgentArea(models.Model):
    """A delivery area an agent covers (not in the schema): dispatch offers them its orders first."""

    id = uuid_pk()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_areas", db_index=False
    )
    area = models.CharField(max_length=100)

    class Meta:
        db_table = "agent_areas"
        ordering = ["area"]
        constraints = [
            models.UniqueConstraint("agent", Lower("area"), name="agent_areas_agent_area_unique"),
        ]
        indexes = [models.Index(Lower("area"), name="idx_agent_areas_area")]

    def __str__(self) -> str:
        return f"{self.agent_id} covers {self.area}"


class AgentPerformance(models.Model):
    """Read-only rows of agent_performance_view: one per delivery agent."""

    agent_id = models.UUIDField(primary_key=True)
    agent_name = models.CharField(max_length=255)
    email = models.CharField(max_length=255)
    phone = models.CharField(max_length=32, null=True)
    availability_status = models.CharField(max_length=32)
    is_active = models.BooleanField()
    total_deliveries = models.IntegerField()
    completed_deliveries = models.IntegerField()
    average_rating = models.DecimalField(max_digits=3, decimal_places=2, null=True)
    total_assigned_orders = models.IntegerField()
    successful_orders = models.IntegerField()
    returned_orders = models.IntegerField()
    success_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    cash_collected = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        managed = False
        db_table = "agent_performance_view"
        ordering = ["agent_name"]

    def __str__(self) -> str:
        return self.agent_name
