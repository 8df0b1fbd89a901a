from django import forms
from django.contrib import admin
from django.contrib.auth.forms import ReadOnlyPasswordHashField
from django.contrib.auth.models import Group

from common.admin import ReadOnlyAdmin

from .models import ActivityLog, Notification, RefreshSession, TwoFactorDevice, User


class UserCreationForm(forms.ModelForm):
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ("email", "full_name", "phone", "role")

    def clean_password1(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password1"]
        validate_password(password)
        return password

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.email = user.email.strip().lower()
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class UserChangeForm(forms.ModelForm):
    password = ReadOnlyPasswordHashField(label="Password hash")

    class Meta:
        model = User
        fields = ("email", "full_name", "phone", "role", "permissions", "is_active", "availability_status")


# Roles and the permissions JSONB replace Django's groups; hide them so nobody relies on them.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("full_name", "email", "role", "availability_status", "is_active", "last_login")
    list_filter = ("role", "is_active", "availability_status")
    search_fields = ("full_name", "email", "phone")
    ordering = ("full_name",)
    readonly_fields = ("last_login", "created_at", "updated_at")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("email", "full_name", "phone", "role", "password1")
        return super().get_fields(request, obj)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "type", "is_read", "created_at")
    list_filter = ("type", "is_read")
    search_fields = ("title", "message", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "action", "entity_type", "entity_id", "ip_address")
    list_filter = ("action", "entity_type")
    search_fields = ("action", "entity_type", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"


@admin.register(RefreshSession)
class RefreshSessionAdmin(ReadOnlyAdmin):
    list_display = ("user", "created_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    exclude = ("refresh_token",)


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(ReadOnlyAdmin):
    """Who has two-factor authentication, and since when. The seed and codes are never shown;
    an admin resets a lost device from the user's page in the app."""

    list_display = ("user", "confirmed_at", "created_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name")
    fields = ("user", "confirmed_at", "created_at")
