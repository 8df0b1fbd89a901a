"""Output shapes of the products endpoints (read-only over the API)."""

from __future__ import annotations

from rest_framework import serializers

from common.api import MoneyField

from ..models import Product


class VariantOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(default="")
    sku = serializers.CharField(allow_null=True, default=None)
    price = MoneyField(allow_null=True, default=None, help_text="null: the product's price.")
    stock = serializers.IntegerField(allow_null=True, default=None)
    attributes = serializers.DictField(default=dict)


class ImageOut(serializers.Serializer):
    url = serializers.CharField()
    alt = serializers.CharField(allow_null=True, default=None)
    is_primary = serializers.BooleanField(default=False)
    order = serializers.IntegerField(allow_null=True, default=None)


class ProductListOut(serializers.ModelSerializer):
    price = MoneyField()
    is_low_stock = serializers.BooleanField(read_only=True)
    variants = VariantOut(many=True)

    class Meta:
        model = Product
        fields = (
            "id", "name", "sku", "category", "price", "stock_quantity", "low_stock_threshold", "is_low_stock",
            "variants", "is_active", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class ProductDetailOut(ProductListOut):
    cost_price = MoneyField(allow_null=True)
    images = ImageOut(many=True)

    class Meta(ProductListOut.Meta):
        fields = (*ProductListOut.Meta.fields, "description", "cost_price", "images", "updated_at")
        read_only_fields = fields
