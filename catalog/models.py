"""The product catalog. Variants live in the `variants` JSONB array, as the schema shapes them."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models.functions import Now

from common.fields import JSONBListField
from common.models import TimestampedModel, uuid_pk

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


class StockReason(models.TextChoices):
    RESERVE = "reserve", "Reserved for a confirmed order"
    RELEASE = "release", "Released by a cancelled order"
    RETURN = "return", "Returned by the customer"
    ADJUSTMENT = "adjustment", "Manual adjustment"
    RESTOCK = "restock", "Restock"


class StockMovement(models.Model):
    """The stock ledger: every change of a product's (or variant's) stock, so stock can be explained.

    Not in the schema. Rows are only ever inserted, by catalog.services, in the same transaction
    that changes the stock, while the product row is locked.
    """

    id = uuid_pk()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_movements", db_index=False)
    variant_id = models.CharField(max_length=100, null=True, blank=True)
    quantity_delta = models.IntegerField()
    # Stock of the product (and of the variant, when there is one) right after this movement.
    stock_after = models.IntegerField()
    variant_stock_after = models.IntegerField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=StockReason.choices)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    note = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        db_table = "stock_movements"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["product", "-created_at"], name="idx_stock_movements_product"),
            models.Index(fields=["order"], name="idx_stock_movements_order_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity_delta=0), name="stock_movements_delta_not_zero"),
            models.CheckConstraint(
                condition=models.Q(stock_after__gte=0), name="stock_movements_stock_after_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=[r.value for r in StockReason]), name="stock_movements_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.quantity_delta:+d} ({self.reason})"
