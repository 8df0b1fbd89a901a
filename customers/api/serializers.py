"""Output shapes of the customers endpoints (read-only over the API)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api import MoneyField
from orders.models import OrderStatus, RiskBand

from ..models import Customer


class TagOut(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField(required=False)
    color = serializers.CharField(required=False)


class RiskOut(serializers.Serializer):
    band = serializers.ChoiceField(choices=RiskBand.choices)
    reasons = serializers.ListField(child=serializers.CharField())


@extend_schema_field(TagOut(many=True))
class TagsField(serializers.JSONField):
    """The customer's tags as stored ([{"id", "label", "color"}])."""


class CustomerListOut(serializers.ModelSerializer):
    total_spent = MoneyField()
    return_rate = MoneyField(help_text="Percentage of orders returned.")
    tags = TagsField()
    risk = RiskOut(help_text="The same rule rates incoming orders (customers.domain.assess_risk).")

    class Meta:
        model = Customer
        fields = (
            "id", "full_name", "phone", "city", "area", "tags", "total_orders", "total_spent", "return_rate",
            "refused_orders", "is_blacklisted", "risk", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class CustomerOrderOut(serializers.Serializer):
    id = serializers.UUIDField()
    order_number = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    total_amount = MoneyField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class CustomerDetailOut(CustomerListOut):
    """One customer, with their latest orders among those the user may see."""

    orders = serializers.SerializerMethodField()

    class Meta(CustomerListOut.Meta):
        fields = (
            *CustomerListOut.Meta.fields, "email", "address", "postal_code", "notes", "returned_orders",
            "blacklist_reason", "blacklisted_at", "updated_at", "orders",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(CustomerOrderOut(many=True))
    def get_orders(self, customer: Customer) -> list:
        return CustomerOrderOut(self.context["orders"], many=True).data
