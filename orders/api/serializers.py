"""Input and output shapes of the orders endpoints. Money goes out as strings with two decimals."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api import MoneyField

from ..detail import allowed_moves
from ..listing import SORTS
from ..models import Order, OrderHistory, OrderSource, OrderStatus, PaymentMethod, PaymentStatus, Priority, RiskBand
from ..services.pricing import MAX_LINES, MAX_QUANTITY

# --- Input ---------------------------------------------------------------------------------------


class OrderListQuery(serializers.Serializer):
    sort = serializers.ChoiceField(choices=list(SORTS), default="newest", help_text="Sort order of the list.")


class CustomerIn(serializers.Serializer):
    """Found by phone (any format: 0612345678, +212 6 12 34 56 78...) or created."""

    phone = serializers.CharField(max_length=40)
    full_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=255, required=False, allow_blank=True, allow_null=True, default=None)
    address = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True, default=None)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True, default=None)
    area = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True, default=None)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True, default=None)


class ItemIn(serializers.Serializer):
    """A product by `product_id` or by `sku` (a product's or a variant's), and how many."""

    product_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    sku = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True, default=None)
    variant_id = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True, default=None)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True, default=None)

    def validate(self, attrs):
        if not attrs.get("product_id") and not (attrs.get("sku") or "").strip():
            raise serializers.ValidationError({"sku": ["Give the product's sku or product_id."]})
        return attrs


class OrderCreateIn(serializers.Serializer):
    customer = CustomerIn()
    items = ItemIn(many=True, allow_empty=False, max_length=MAX_LINES)
    delivery_address = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True, default=None,
        help_text="Defaults to the customer's address.",
    )  # fmt: skip
    delivery_area = serializers.CharField(
        max_length=100, required=False, allow_blank=True, allow_null=True, default=None,
        help_text="Sets the delivery fee (delivery_areas); defaults to the customer's area.",
    )  # fmt: skip
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.MEDIUM)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.COD)
    customer_notes = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True, default=None
    )
    internal_notes = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True, default=None
    )
    external_id = serializers.CharField(
        max_length=150, required=False, allow_blank=False, allow_null=True, default=None,
        help_text="Your own reference for this order: sending it again returns the order already "
        "created (200) instead of a second one (201).",
    )  # fmt: skip


class TransitionIn(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=OrderStatus.choices)
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="",
        help_text="Required to cancel or return an order.",
    )  # fmt: skip
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- Output --------------------------------------------------------------------------------------


class PersonOut(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class OrderCustomerOut(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()
    phone = serializers.CharField()


class OrderItemOut(serializers.Serializer):
    product_id = serializers.CharField(allow_null=True, default=None)
    variant_id = serializers.CharField(allow_null=True, default=None)
    sku = serializers.CharField(default="")
    name = serializers.CharField(default="")
    quantity = serializers.IntegerField()
    unit_price = MoneyField()
    total = MoneyField()
    notes = serializers.CharField(allow_null=True, default=None)


class MoveOut(serializers.Serializer):
    to = serializers.ChoiceField(choices=OrderStatus.choices)
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()


class HistoryOut(serializers.ModelSerializer):
    old_status = serializers.ChoiceField(choices=OrderStatus.choices, allow_null=True)
    new_status = serializers.ChoiceField(choices=OrderStatus.choices)
    changed_by = PersonOut(source="changed_by_user", allow_null=True)

    class Meta:
        model = OrderHistory
        fields = ("old_status", "new_status", "notes", "changed_by", "created_at")
        read_only_fields = fields


class OrderRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    order_number = serializers.CharField()


class OrderListOut(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    source = serializers.ChoiceField(choices=OrderSource.choices)
    risk_band = serializers.ChoiceField(choices=RiskBand.choices)
    total_amount = MoneyField()
    customer = OrderCustomerOut()
    assigned_rep = PersonOut(allow_null=True)
    assigned_agent = PersonOut(allow_null=True)
    items = OrderItemOut(many=True)

    class Meta:
        model = Order
        fields = (
            "id", "order_number", "status", "priority", "total_amount", "payment_status", "source",
            "delivery_area", "risk_band", "is_possible_duplicate", "customer", "assigned_rep", "assigned_agent",
            "items", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class OrderDetailOut(OrderListOut):
    """One order, with its history and the status moves the requesting user may make now."""

    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    subtotal = MoneyField()
    delivery_fee = MoneyField()
    risk_reasons = serializers.ListField(child=serializers.CharField())
    duplicate_of = OrderRefOut(allow_null=True)
    allowed_moves = serializers.SerializerMethodField()
    history = HistoryOut(many=True)

    class Meta(OrderListOut.Meta):
        fields = (
            *OrderListOut.Meta.fields, "subtotal", "delivery_fee", "payment_method", "delivery_address",
            "customer_notes", "internal_notes", "return_reason", "risk_reasons", "duplicate_of", "confirmed_at",
            "delivered_at", "allowed_moves", "history",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(MoveOut(many=True))
    def get_allowed_moves(self, order: Order) -> list[dict]:
        return allowed_moves(order, self.context["request"].user)
