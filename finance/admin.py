from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import Expense, FinancialTransaction


@admin.register(FinancialTransaction)
class FinancialTransactionAdmin(ReadOnlyAdmin):
    """The ledger is append-only: corrections are new entries written by the finance services."""

    list_display = ("date", "type", "amount", "method", "order", "recorded_by_user")
    list_filter = ("type", "method")
    search_fields = ("order__order_number", "notes")
    list_select_related = ("order", "recorded_by_user")
    date_hierarchy = "date"


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    list_display = ("date", "category", "amount", "description", "recorded_by_user")
    list_filter = ("category",)
    search_fields = ("description", "category")
    list_select_related = ("recorded_by_user",)
    raw_id_fields = ("recorded_by_user",)
    date_hierarchy = "date"
