from django.contrib import admin

from .models import AgentArea, Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "agent",
        "attempt_number",
        "outcome",
        "pickup_time",
        "delivery_time",
        "cash_collected",
        "rating",
    )
    list_filter = ("outcome", "failure_reason", "rating")
    search_fields = ("order__order_number", "agent__email")
    list_select_related = ("order", "agent")
    raw_id_fields = ("order", "agent")


@admin.register(AgentArea)
class AgentAreaAdmin(admin.ModelAdmin):
    """Which areas each delivery agent covers (dispatch offers them those orders first)."""

    list_display = ("agent", "area")
    search_fields = ("agent__full_name", "agent__email", "area")
    list_select_related = ("agent",)
    raw_id_fields = ("agent",)
