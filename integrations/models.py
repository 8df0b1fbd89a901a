"""Inbound webhook configurations and the log of every request they received."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models

from common.fields import EncryptedCharField, JSONBObjectField, PgEnumField
from common.models import CreatedAtModel, TimestampedModel


class WebhookSource(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    CUSTOM = "custom", "Custom"
    OTHER = "other", "Other"


class Webhook(TimestampedModel):
    name = models.CharField(max_length=255)
    source = PgEnumField(enum_type="webhook_source", choices=WebhookSource.choices)
    # Encrypted at rest (schema: "Encrypt webhook API keys and secret keys at rest"): the columns
    # keep the schema's names and VARCHAR(512) and hold "fernet:<token>"; the attributes hold the
    # plaintext (at most 319 bytes). Show them with common.crypto.mask_secret, never in full.
    api_key = EncryptedCharField(max_length=512, null=True, blank=True)
    secret_key = EncryptedCharField(max_length=512, null=True, blank=True)
    endpoint_url = models.CharField(max_length=500)
    field_mapping = JSONBObjectField(blank=True)
    is_active = models.BooleanField(default=True, db_default=True)

    class Meta:
        db_table = "webhooks"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["source"], name="idx_webhooks_source"),
            models.Index(fields=["is_active"], name="idx_webhooks_is_active"),
        ]
        constraints = [
            # Each configuration answers at its own URL.
            models.UniqueConstraint(fields=["endpoint_url"], name="idx_webhooks_endpoint_url"),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookLog(CreatedAtModel):
    webhook = models.ForeignKey(
        Webhook, on_delete=models.SET_NULL, null=True, blank=True, related_name="logs", db_index=False
    )
    request_payload = models.JSONField(null=True, blank=True)
    response_status = models.IntegerField(null=True, blank=True)
    order_created = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    error_message = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "webhook_logs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["webhook"], name="idx_webhook_logs_webhook_id"),
            models.Index(fields=["order_created"], name="idx_webhook_logs_order_created_id"),
            models.Index(fields=["-created_at"], name="idx_webhook_logs_created_at"),
            models.Index(fields=["response_status"], name="idx_webhook_logs_response_status"),
            GinIndex(fields=["request_payload"], name="idx_webhook_logs_payload"),
        ]
