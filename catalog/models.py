"""The product catalog. Variants live in the `variants` JSONB array, as the schema shapes them."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models

from common.fields import JSONBListField
from common.models import TimestampedModel

# Product names are searched in several languages (French, Arabic, English), so the full-text index
# uses the language-neutral 'simple' configuration. Queries must use the same expression.
SEARCH_CONFIG = "simple"


def product_name_vector() -> SearchVector:
    return SearchVector("name", config=SEARCH_CONFIG)


class Product(TimestampedModel):
    name = models.CharField(max_length=255)
    sku = models.CharField(max_length=100)
    description = models.TextField(null=True, blank=True)
    category = models.CharField(max_length=100, null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    cost_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    stock_quantity = models.IntegerField(default=0, db_default=0)
    low_stock_threshold = models.IntegerField(default=10, db_default=10)
    # [{"id": "var-1", "name": ..., "sku": ..., "price": 29.99, "stock": 15, "attributes": {...}}]
    variants = JSONBListField(blank=True)
    # [{"url": ..., "alt": ..., "is_primary": true, "order": 1}]
    images = JSONBListField(blank=True)
    is_active = models.BooleanField(default=True, db_default=True)

    class Meta:
        db_table = "products"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["sku"], name="idx_products_sku"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="products_price_non_negative"),
            models.CheckConstraint(condition=models.Q(cost_price__gte=0), name="products_cost_price_non_negative"),
            models.CheckConstraint(condition=models.Q(stock_quantity__gte=0), name="products_stock_non_negative"),
            models.CheckConstraint(
                condition=models.Q(low_stock_threshold__gte=0), name="products_low_stock_threshold_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["category"], name="idx_products_category"),
            models.Index(fields=["is_active"], name="idx_products_is_active"),
            models.Index(fields=["stock_quantity"], name="idx_products_stock_quantity"),
            GinIndex(product_name_vector(), name="idx_products_name"),
            GinIndex(fields=["variants"], name="idx_products_variants"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def is_low_stock(self) -> bool:
        return self.stock_quantity <= self.low_stock_threshold
