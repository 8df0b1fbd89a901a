from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import Product, StockMovement


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "category", "price", "stock_quantity", "low_stock_threshold", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("name", "sku")
    # Stock moves only through the stock ledger service (orders core), never by hand here.
    readonly_fields = ("stock_quantity", "created_at", "updated_at")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    """The stock ledger: written by catalog.services only, never by hand."""

    list_display = ("created_at", "product", "variant_id", "quantity_delta", "stock_after", "reason", "order", "actor")
    list_filter = ("reason",)
    search_fields = ("product__sku", "product__name", "order__order_number")
    list_select_related = ("product", "order", "actor")
    date_hierarchy = "created_at"
