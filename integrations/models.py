"""Inbound webhook configurations and the log of every request they received."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q

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


class ProcessingState(models.TextChoices):
    """Where a logged request stands (integrations/webhooks/ingest.py; docs/webhooks.md)."""

    RECEIVED = "received", "Received"  # accepted (202), waiting for the worker
    PROCESSED = "processed", "Processed"  # an order was created, or updated/cancelled
    FAILED = "failed", "Failed"  # mapping or validation refused it; replayable
    IGNORED = "ignored", "Ignored"  # nothing to do (ping, topic not handled, move refused)
    DUPLICATE = "duplicate", "Duplicate"  # a delivery or a source order already taken in
    REJECTED = "rejected", "Rejected"  # refused at the door (endpoint, method, size, signature, JSON)


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
    # Processing (migration 0006): the endpoint answers at once and a worker maps the payload later.
    processing_state = models.CharField(
        max_length=16, choices=ProcessingState.choices, default=ProcessingState.RECEIVED,
        db_default=ProcessingState.RECEIVED,
    )  # fmt: skip
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    # When the worker last handled the log: its outcome, or the attempt that hit a transient error.
    processed_at = models.DateTimeField(null=True, blank=True)
    topic = models.CharField(max_length=100, null=True, blank=True)
    # The platform's id of this delivery: a retry of the same delivery carries the same id.
    delivery_id = models.CharField(max_length=255, null=True, blank=True)
    # The request's non-secret headers (topic, shop, delivery ids, content type, user agent...).
    request_headers = JSONBObjectField(blank=True)

    class Meta:
        db_table = "webhook_logs"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["webhook"], name="idx_webhook_logs_webhook_id"),
            models.Index(fields=["order_created"], name="idx_webhook_logs_order_created_id"),
            models.Index(fields=["-created_at"], name="idx_webhook_logs_created_at"),
            models.Index(fields=["response_status"], name="idx_webhook_logs_response_status"),
            GinIndex(fields=["request_payload"], name="idx_webhook_logs_payload"),
            # A configuration's page: its latest logs (optionally of one state).
            models.Index(fields=["webhook", "-created_at"], name="idx_webhook_logs_webhook_created"),
            # The sweep: the few logs still waiting, oldest first.
            models.Index(
                fields=["created_at"], name="idx_webhook_logs_received", condition=Q(processing_state="received")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(processing_state__in=ProcessingState.values), name="webhook_logs_processing_state_valid"
            ),
            # One accepted log per delivery of a configuration: a platform retry is recognised as a
            # duplicate. Refused requests and the duplicates themselves do not hold the slot (a forged,
            # refused request must not block the real delivery).
            models.UniqueConstraint(
                fields=["webhook", "delivery_id"],
                name="webhook_logs_delivery_unique",
                condition=Q(delivery_id__isnull=False) & ~Q(processing_state__in=["duplicate", "rejected"]),
            ),
        ]

    @property
    def is_replayable(self) -> bool:
        """A log that was accepted and failed (or was ignored) may be processed again."""
        return (
            self.webhook_id is not None
            and self.processing_state
            in (
                ProcessingState.FAILED,
                ProcessingState.IGNORED,
            )
            and self.response_status == 202
        )


# --- CSV / XLSX order imports (integrations/imports/, docs/import.md) ---------------------------


class ImportStatus(models.TextChoices):
    ANALYSING = "analysing", "Checking the file"
    READY = "ready", "Ready to import"
    REFUSED = "refused", "File refused"
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Importing"
    COMPLETED = "completed", "Imported"
    FAILED = "failed", "Stopped by an error"
    ROLLING_BACK = "rolling_back", "Rolling back"
    ROLLED_BACK = "rolled_back", "Rolled back"


class ImportBatch(CreatedAtModel):
    """One uploaded file: where it is stored, what the preview found, and how the import went.

    The file sits in the private storage (`imports/<yyyy>/<mm>/<random>.csv|xlsx`) and is never
    served. `external_source` ("csv:<store label>" or "csv:file-<sha256 prefix>") plus each order's
    reference make intake idempotent: importing the same orders again creates nothing.
    """

    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    original_name = models.CharField(max_length=255, blank=True, default="")
    stored_file = models.CharField(max_length=300)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=8)  # "csv" or "xlsx"
    encoding = models.CharField(max_length=20, blank=True, default="")
    delimiter = models.CharField(max_length=1, blank=True, default="")
    store_label = models.CharField(max_length=100, blank=True, default="")
    external_source = models.CharField(max_length=150)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.ANALYSING)
    # {"mapping": {"phone": "Téléphone", ...}, "ignored": ["Colour"], "missing": []}
    columns = JSONBObjectField(blank=True)
    # {"rows": [first rows, mapped, with their errors], "errors": [first errors], "more_errors": n}
    preview = JSONBObjectField(blank=True)
    total_rows = models.IntegerField(default=0)
    total_orders = models.IntegerField(default=0)
    valid_orders = models.IntegerField(default=0)
    invalid_orders = models.IntegerField(default=0)
    error_count = models.IntegerField(default=0)
    processed_orders = models.IntegerField(default=0)
    created_count = models.IntegerField(default=0)
    duplicate_count = models.IntegerField(default=0)
    failed_count = models.IntegerField(default=0)
    cancelled_count = models.IntegerField(default=0)
    kept_count = models.IntegerField(default=0)
    message = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "import_batches"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at"], name="idx_import_batches_created_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values), name="import_batches_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or str(self.pk)

    @property
    def progress_percent(self) -> int:
        if self.status in (ImportStatus.COMPLETED, ImportStatus.ROLLED_BACK):
            return 100
        if self.status == ImportStatus.ROLLING_BACK:
            total, done = self.created_count, self.cancelled_count + self.kept_count
        else:
            total, done = self.total_orders, self.processed_orders
        return min(100, int(100 * done / total)) if total else 0


class ImportOutcome(models.TextChoices):
    CREATED = "created", "Created"
    DUPLICATE = "duplicate", "Already imported"
    FAILED = "failed", "Failed"


class RollbackOutcome(models.TextChoices):
    CANCELLED = "cancelled", "Cancelled"
    KEPT = "kept", "Kept (moved on)"


class ImportRow(models.Model):
    """One order of an imported file (the file rows sharing its reference) and what became of it.

    Rollback reads these to know which orders the batch created; the report lists them.
    """

    id = models.BigAutoField(primary_key=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False)
    line = models.IntegerField()  # the file's row number of the order's first line (header = 1)
    row_numbers = models.JSONField(default=list, blank=True)
    reference = models.CharField(max_length=150, blank=True, default="")  # as written in the file
    external_id = models.CharField(max_length=150)
    outcome = models.CharField(max_length=10, choices=ImportOutcome.choices)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # [{"row": 12, "column": "Téléphone", "reason": "..."}]
    errors = models.JSONField(default=list, blank=True)
    rollback = models.CharField(max_length=10, choices=RollbackOutcome.choices, null=True, blank=True)
    rollback_note = models.TextField(blank=True, default="")

    class Meta:
        db_table = "import_rows"
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "external_id"], name="import_rows_batch_external_id"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=ImportOutcome.values), name="import_rows_outcome_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "line"], name="idx_import_rows_batch_line"),
            models.Index(fields=["order"], name="idx_import_rows_order_id"),
        ]

    def __str__(self) -> str:
        return f"row {self.line}: {self.outcome}"
