from django.contrib import admin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("order", "agent", "pickup_time", "delivery_time", "rating")
    list_filter = ("rating",)
    search_fields = ("order__order_number", "agent__email")
    list_select_related = ("order", "agent")
    raw_id_fields = ("order", "agent")
