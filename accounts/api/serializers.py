"""Input and output shapes of the auth and notification endpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Notification, NotificationType
from ..selectors import notification_link

# --- Input ---------------------------------------------------------------------------------------


class TokenObtainIn(serializers.Serializer):
    email = serializers.CharField(max_length=255)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp_code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="The authenticator app's code (or a recovery code) when the account uses two-factor.",
    )


class RefreshIn(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class NotificationQuery(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: unread only; false: read only."
    )


# --- Output --------------------------------------------------------------------------------------


class TokenPairOut(serializers.Serializer):
    token_type = serializers.CharField(default="Bearer")
    access = serializers.CharField()
    refresh = serializers.CharField()
    access_expires_at = serializers.DateTimeField()
    refresh_expires_at = serializers.DateTimeField()


class NotificationOut(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=NotificationType.choices)
    link = serializers.SerializerMethodField(help_text="A path on this site the notification is about, if any.")
    data = serializers.JSONField()

    class Meta:
        model = Notification
        fields = ("id", "type", "title", "message", "data", "link", "is_read", "created_at")
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_link(self, notification: Notification) -> str | None:
        return notification_link(notification.data)


class MarkedReadOut(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread.")
