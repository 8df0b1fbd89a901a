"""Delivery attempts and the read-only agent_performance_view."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from common.models import TimestampedModel


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

    class Meta:
        db_table = "deliveries"
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="deliveries_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["order"], name="idx_deliveries_order_id"),
            models.Index(fields=["agent"], name="idx_deliveries_agent_id"),
            models.Index(fields=["pickup_time"], name="idx_deliveries_pickup_time"),
            models.Index(fields=["-delivery_time"], name="idx_deliveries_delivery_time"),
            models.Index(fields=["rating"], name="idx_deliveries_rating"),
            models.Index(fields=["agent", "-delivery_time"], name="idx_deliveries_agent_delivery_time"),
        ]


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
