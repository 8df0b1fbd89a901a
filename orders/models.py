"""Orders and their status history, plus the read-only order_details_view."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from common.fields import JSONBListField, PgEnumField
from common.models import CreatedAtModel, TimestampedModel


class OrderStatus(models.TextChoices):
    NEW = "new", "New"
    CONFIRMATION_PENDING = "confirmation_pending", "Confirmation pending"
    CONFIRMED = "confirmed", "Confirmed"
    BEING_PREPARED = "being_prepared", "Being prepared"
    READY_FOR_PICKUP = "ready_for_pickup", "Ready for pickup"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DELIVERED = "delivered", "Delivered"
    RETURNED = "returned", "Returned"
    CANCELLED = "cancelled", "Cancelled"


class Priority(models.TextChoices):
    # Declared low -> high in the database enum so that ORDER BY priority DESC puts high first.
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COLLECTED = "collected", "Collected"
    REFUNDED = "refunded", "Refunded"


class PaymentMethod(models.TextChoices):
    COD = "COD", "Cash on delivery"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CASH = "cash", "Cash"


class OrderSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    WEBHOOK = "webhook", "Webhook"
    CSV = "csv", "CSV import"
    API = "api", "API"


class RiskBand(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


# Statuses of the confirmation queue; the partial index below serves exactly this set.
OPEN_STATUSES = (OrderStatus.NEW, OrderStatus.CONFIRMATION_PENDING, OrderStatus.CONFIRMED)

MONEY = {"max_digits": 12, "decimal_places": 2}


class Order(TimestampedModel):
    # Defaulted by next_order_number() from the order_number_seq sequence, also for raw SQL inserts.
    order_number = models.CharField(
        max_length=50, db_default=models.Func(function="next_order_number", output_field=models.CharField())
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="orders", db_index=False)
    assigned_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rep_orders",
        db_index=False,
    )
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent_orders",
        db_index=False,
    )
    status = PgEnumField(enum_type="order_status", choices=OrderStatus.choices, default=OrderStatus.NEW)
    priority = PgEnumField(enum_type="priority_level", choices=Priority.choices, default=Priority.MEDIUM)
    # [{"product_id", "variant_id", "sku", "name", "quantity", "unit_price", "total", "notes"}]
    items = JSONBListField()
    subtotal = models.DecimalField(**MONEY, default=Decimal("0"), db_default=Decimal("0"))
    delivery_fee = models.DecimalField(**MONEY, default=Decimal("0"), db_default=Decimal("0"))
    total_amount = models.DecimalField(**MONEY, default=Decimal("0"), db_default=Decimal("0"))
    payment_status = PgEnumField(
        enum_type="payment_status",
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_default=PaymentStatus.PENDING,
    )
    payment_method = PgEnumField(
        enum_type="payment_method",
        choices=PaymentMethod.choices,
        default=PaymentMethod.COD,
        db_default=PaymentMethod.COD,
    )
    customer_notes = models.TextField(null=True, blank=True)
    internal_notes = models.TextField(null=True, blank=True)
    delivery_address = models.TextField(null=True, blank=True)
    delivery_area = models.CharField(max_length=100, null=True, blank=True)
    source = PgEnumField(enum_type="order_source", choices=OrderSource.choices, default=OrderSource.MANUAL)
    webhook_source = models.CharField(max_length=100, null=True, blank=True)
    delivery_proof = models.JSONField(null=True, blank=True)
    return_reason = models.TextField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    # --- Not in the schema: added by the orders core (migration 0009 says why) ---
    # The platform's own id for the order (Shopify id, WooCommerce id, CSV row key), so a retried
    # delivery or a re-import never creates a second order; unique per source (see constraints).
    external_source = models.CharField(max_length=150, null=True, blank=True)
    external_id = models.CharField(max_length=150, null=True, blank=True)
    # Prices of imported orders are the source's, not the catalog's: recorded, not recomputed.
    prices_from_source = models.BooleanField(default=False, db_default=False)
    risk_band = models.CharField(max_length=8, choices=RiskBand.choices, default=RiskBand.LOW, db_default=RiskBand.LOW)
    risk_reasons = JSONBListField(blank=True)
    is_possible_duplicate = models.BooleanField(default=False, db_default=False)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="possible_duplicates", db_index=False
    )
    # True while the order holds catalog stock (from confirmation until cancel/return/delivery).
    stock_reserved = models.BooleanField(default=False, db_default=False)
    # The confirmation queue: unanswered calls so far and when the customer asked to be called back.
    unanswered_calls = models.IntegerField(default=0, db_default=0)
    callback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "orders"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["order_number"], name="idx_orders_order_number"),
            models.CheckConstraint(condition=models.Q(subtotal__gte=0), name="orders_subtotal_non_negative"),
            models.CheckConstraint(condition=models.Q(delivery_fee__gte=0), name="orders_delivery_fee_non_negative"),
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="orders_total_amount_non_negative"),
            models.UniqueConstraint(
                fields=["external_source", "external_id"],
                name="orders_external_ref_unique",
                condition=models.Q(external_id__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(risk_band__in=["low", "medium", "high"]), name="orders_risk_band_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(unanswered_calls__gte=0), name="orders_unanswered_calls_non_negative"
            ),
        ]
        indexes = [
            # (customer, created_at) rather than (customer): it also serves "a customer's latest
            # orders" (dashboard query 4) for customers with thousands of orders.
            models.Index(fields=["customer", "-created_at"], name="idx_orders_customer_id"),
            models.Index(fields=["assigned_rep"], name="idx_orders_assigned_rep_id"),
            models.Index(fields=["assigned_agent"], name="idx_orders_assigned_agent_id"),
            models.Index(fields=["status"], name="idx_orders_status"),
            models.Index(fields=["priority"], name="idx_orders_priority"),
            models.Index(fields=["payment_status"], name="idx_orders_payment_status"),
            models.Index(fields=["delivery_area"], name="idx_orders_delivery_area"),
            models.Index(fields=["source"], name="idx_orders_source"),
            models.Index(fields=["-created_at"], name="idx_orders_created_at"),
            models.Index(fields=["-delivered_at"], name="idx_orders_delivered_at"),
            GinIndex(fields=["items"], name="idx_orders_items"),
            models.Index(fields=["status", "-created_at"], name="idx_orders_status_created"),
            models.Index(fields=["assigned_agent", "status"], name="idx_orders_agent_status"),
            models.Index(fields=["assigned_rep", "status"], name="idx_orders_rep_status"),
            models.Index(fields=["delivery_area", "status"], name="idx_orders_area_status"),
            # Not in the schema: the confirmation queue (dashboard query 1) sorts open orders by
            # priority then age; a plain (status, created_at) index cannot serve that ORDER BY.
            models.Index(
                models.OrderBy(models.F("priority"), descending=True),
                models.OrderBy(models.F("created_at"), descending=True),
                name="idx_orders_open_queue",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # The rep's queue: due callbacks first, then priority and age, per rep.
            models.Index(
                "assigned_rep",
                "callback_at",
                models.OrderBy(models.F("priority"), descending=True),
                "created_at",
                name="idx_orders_rep_queue",
                condition=models.Q(status__in=["new", "confirmation_pending"]),
            ),
            models.Index(
                fields=["duplicate_of"], name="idx_orders_duplicate_of", condition=models.Q(duplicate_of__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.order_number


class OrderHistory(CreatedAtModel):
    """One row per status change, written by the log_order_status_change() trigger."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history", db_index=False)
    changed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    old_status = PgEnumField(enum_type="order_status", choices=OrderStatus.choices, null=True, blank=True)
    new_status = PgEnumField(enum_type="order_status", choices=OrderStatus.choices)
    notes = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "order_history"
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["order"], name="idx_order_history_order_id"),
            models.Index(fields=["changed_by_user"], name="idx_order_history_user_id"),
            models.Index(fields=["-created_at"], name="idx_order_history_created_at"),
            models.Index(fields=["new_status"], name="idx_order_history_new_status"),
        ]


class OrderDetail(models.Model):
    """Read-only rows of order_details_view: an order with its customer and assignees."""

    id = models.UUIDField(primary_key=True)
    order_number = models.CharField(max_length=50)
    status = models.CharField(max_length=32, choices=OrderStatus.choices)
    priority = models.CharField(max_length=32, choices=Priority.choices)
    subtotal = models.DecimalField(**MONEY)
    delivery_fee = models.DecimalField(**MONEY)
    total_amount = models.DecimalField(**MONEY)
    payment_status = models.CharField(max_length=32, choices=PaymentStatus.choices)
    payment_method = models.CharField(max_length=32, choices=PaymentMethod.choices)
    source = models.CharField(max_length=32, choices=OrderSource.choices)
    delivery_address = models.TextField(null=True)
    delivery_area = models.CharField(max_length=100, null=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True)
    delivered_at = models.DateTimeField(null=True)
    customer_id = models.UUIDField()
    customer_name = models.CharField(max_length=255)
    customer_phone = models.CharField(max_length=32)
    customer_email = models.CharField(max_length=255, null=True)
    assigned_rep_id = models.UUIDField(null=True)
    rep_name = models.CharField(max_length=255, null=True)
    assigned_agent_id = models.UUIDField(null=True)
    agent_name = models.CharField(max_length=255, null=True)
    agent_availability = models.CharField(max_length=32, null=True)

    class Meta:
        managed = False
        db_table = "order_details_view"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.order_number


class DeliveryArea(TimestampedModel):
    """A delivery zone and its fee. Orders to an unknown area pay the default fee (settings)."""

    name = models.CharField(max_length=100)
    city = models.CharField(max_length=100, null=True, blank=True)
    delivery_fee = models.DecimalField(**MONEY)
    is_active = models.BooleanField(default=True, db_default=True)

    class Meta:
        db_table = "delivery_areas"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(models.functions.Lower("name"), name="delivery_areas_name_unique"),
            models.CheckConstraint(condition=models.Q(delivery_fee__gte=0), name="delivery_areas_fee_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class CallOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    NO_ANSWER = "no_answer", "No answer"
    CALL_BACK = "call_back", "Call back later"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    REFUSED = "refused", "Refused / cancelled"
    DUPLICATE = "duplicate", "Duplicate order"


class CallAttempt(CreatedAtModel):
    """One confirmation call of an order by a rep (not in the schema)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="call_attempts", db_index=False)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    outcome = PgEnumField(enum_type="call_outcome", choices=CallOutcome.choices)
    callback_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(null=True, blank=True)
    notes = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "call_attempts"
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["order", "created_at"], name="idx_call_attempts_order"),
            models.Index(fields=["rep", "-created_at"], name="idx_call_attempts_rep"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="call_back") | models.Q(callback_at__isnull=False),
                name="call_attempts_callback_needs_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.outcome}"
