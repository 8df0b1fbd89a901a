from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import Workflow, WorkflowExecution


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ("name", "trigger_type", "is_active", "created_by_user", "updated_at")
    list_filter = ("trigger_type", "is_active")
    search_fields = ("name", "description")
    list_select_related = ("created_by_user",)
    raw_id_fields = ("created_by_user",)


@admin.register(WorkflowExecution)
class WorkflowExecutionAdmin(ReadOnlyAdmin):
    list_display = ("workflow", "status", "order", "customer", "started_at", "completed_at")
    list_filter = ("status",)
    list_select_related = ("workflow", "order", "customer")
