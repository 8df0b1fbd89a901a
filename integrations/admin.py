from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import Webhook, WebhookLog


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "endpoint_url", "is_active", "updated_at")
    list_filter = ("source", "is_active")
    search_fields = ("name", "endpoint_url")
    # Keys are write-once secrets managed by the integrations services; never displayed here.
    exclude = ("api_key", "secret_key")


@admin.register(WebhookLog)
class WebhookLogAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "webhook", "response_status", "processing_state", "topic", "order_created", "error_message",
    )  # fmt: skip
    list_filter = ("processing_state", "response_status")
    list_select_related = ("webhook", "order_created")
    date_hierarchy = "created_at"
