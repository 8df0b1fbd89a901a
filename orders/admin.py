from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import CallAttempt, DeliveryArea, Order, OrderHistory


class OrderHistoryInline(admin.TabularInline):
    model = OrderHistory
    extra = 0
    can_delete = False
    fields = ("created_at", "old_status", "new_status", "changed_by_user", "notes")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order_number", "customer", "status", "priority", "total_amount", "payment_status", "created_at")
    list_filter = ("status", "priority", "payment_status", "source", "delivery_area")
    search_fields = ("order_number", "customer__phone", "customer__full_name")
    list_select_related = ("customer",)
    raw_id_fields = ("customer", "assigned_rep", "assigned_agent")
    # Status, payment and money change only through the order services (the status machine).
    readonly_fields = (
        "order_number", "status", "payment_status", "subtotal", "delivery_fee", "total_amount",
        "confirmed_at", "delivered_at", "created_at", "updated_at",
    )  # fmt: skip
    inlines = [OrderHistoryInline]
    show_full_result_count = False
    date_hierarchy = "created_at"


@admin.register(DeliveryArea)
class DeliveryAreaAdmin(admin.ModelAdmin):
    """Managers set the delivery fee of each area here (orders to unknown areas pay the default)."""

    list_display = ("name", "city", "delivery_fee", "is_active")
    list_filter = ("is_active", "city")
    search_fields = ("name", "city")


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "order", "rep", "outcome", "callback_at")
    list_filter = ("outcome",)
    search_fields = ("order__order_number", "rep__email")
    list_select_related = ("order", "rep")
    date_hierarchy = "created_at"
