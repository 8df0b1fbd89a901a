from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are evidence (audit trail, ledger, tokens): visible, never edited or deleted by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
