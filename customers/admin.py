from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("full_name", "phone", "city", "area", "total_orders", "total_spent", "return_rate")
    list_filter = ("city", "area")
    search_fields = ("full_name", "phone", "email")
    readonly_fields = ("total_orders", "total_spent", "return_rate", "returned_orders", "created_at", "updated_at")
    show_full_result_count = False
