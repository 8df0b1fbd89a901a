from django.contrib import admin

from .models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "category", "price", "stock_quantity", "low_stock_threshold", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("name", "sku")
    # Stock moves only through the stock ledger service (orders core), never by hand here.
    readonly_fields = ("stock_quantity", "created_at", "updated_at")
