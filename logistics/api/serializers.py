"""Input and output shapes of the delivery agent's endpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api import MoneyField
from orders.api.serializers import OrderItemOut
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus, Priority

from ..agent_selectors import CASH_METHODS
from ..models import Delivery, DeliveryOutcome, FailureReason
from ..services.delivery_rules import RECIPIENT_RELATIONS, SIGNATURE_MAX_BYTES

# --- Input ---------------------------------------------------------------------------------------

IDEMPOTENCY_HELP = (
    "A random string (8 to 64 letters, digits, - or _) you make once per action: sending the same "
    "action again with it changes nothing and answers with the first result (already_recorded)."
)


class ActionIn(serializers.Serializer):
    client_token = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$", help_text=IDEMPOTENCY_HELP)


class DeliverIn(ActionIn):
    """multipart/form-data: the photo and the signature are files."""

    photo = serializers.FileField(help_text="Photo of the parcel with the recipient: JPEG, PNG or WebP.")
    signature = serializers.FileField(
        help_text=f"The recipient's signature: a PNG, {SIGNATURE_MAX_BYTES // 1024} KB at most."
    )
    recipient_name = serializers.CharField(max_length=255)
    recipient_relation = serializers.ChoiceField(choices=[(value, value) for value in RECIPIENT_RELATIONS])
    cash_collected = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="A note is needed when it is not the order's total."
    )
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FailIn(ActionIn):
    reason = serializers.ChoiceField(choices=FailureReason.choices)
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Required for reason `other`."
    )
    postponed_to = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="For reason `postponed`: a date after today."
    )


# --- Output --------------------------------------------------------------------------------------


class RunCustomerOut(serializers.Serializer):
    full_name = serializers.CharField()
    phone = serializers.CharField()


class RunOrderOut(serializers.ModelSerializer):
    """An order on the agent's run: where to go, whom to call, what to collect."""

    status = serializers.ChoiceField(choices=OrderStatus.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    customer = RunCustomerOut()
    total_amount = MoneyField()
    amount_to_collect = serializers.SerializerMethodField()
    items = OrderItemOut(many=True)
    failed_attempts = serializers.IntegerField(default=0)

    class Meta:
        model = Order
        fields = (
            "id", "order_number", "status", "priority", "customer", "delivery_address", "delivery_area",
            "customer_notes", "items", "total_amount", "payment_method", "payment_status", "amount_to_collect",
            "failed_attempts", "created_at",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(MoneyField())
    def get_amount_to_collect(self, order: Order) -> str:
        collect = order.payment_method in CASH_METHODS and order.payment_status == PaymentStatus.PENDING
        return MoneyField().to_representation(order.total_amount if collect else 0)


class DeliveryOut(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=DeliveryOutcome.choices)
    failure_reason = serializers.ChoiceField(choices=FailureReason.choices, allow_null=True)
    cash_collected = MoneyField(allow_null=True)

    class Meta:
        model = Delivery
        fields = (
            "id", "attempt_number", "outcome", "pickup_time", "delivery_time", "ended_at", "failure_reason",
            "failure_note", "postponed_to", "cash_collected", "photo_url", "signature_url",
        )  # fmt: skip
        read_only_fields = fields


class ActionOut(serializers.Serializer):
    already_recorded = serializers.BooleanField(help_text="This client_token had been used: nothing changed.")
    order_status = serializers.ChoiceField(choices=OrderStatus.choices, source="order.status")
    delivery = DeliveryOut()
