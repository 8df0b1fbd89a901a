"""webhook_logs learns how each request was processed (additions to the schema contract).

Why: the inbound endpoint answers at once (a platform times out after a few seconds) and a Celery
worker maps the payload and creates the order later. So a log row must say where it stands and
must let a platform's retry be recognised:

- processing_state: received (accepted, waiting for the worker), processed, failed (replayable),
  ignored (nothing to do), duplicate (a delivery or source order seen before), rejected (refused at
  the door). A CHECK keeps it to these values.
- attempts, processed_at: how often the worker tried, and when it last handled the row; the sweep
  re-enqueues rows still `received` (worker or broker down) and gives up after a limit.
- topic: the platform's event (orders/create, order.updated...), which decides create/update/cancel.
- delivery_id: the platform's delivery id (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID...), unique
  per configuration among accepted rows (webhook_logs_delivery_unique), so a retry of the same
  delivery is answered "duplicate" and processed once, even when two copies arrive at once.
- request_headers: the non-secret headers (never signatures or keys), for support.

Indexes: (webhook_id, created_at DESC) for a configuration's page; a partial index over the few
rows still `received`, for the sweep. The backfill marks rows logged before this migration as
processed or failed, so the sweep never picks them up.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE webhook_logs
   SET processing_state = CASE WHEN error_message IS NOT NULL AND order_created_id IS NULL
                               THEN 'failed' ELSE 'processed' END
 WHERE processing_state = 'received' AND attempts = 0 AND processed_at IS NULL
   AND response_status IS DISTINCT FROM 202;
"""


class Migration(migrations.Migration):
    dependencies = [("integrations", "0005_webhook_keys_encrypted")]

    operations = [
        migrations.AddField(
            model_name="webhooklog",
            name="attempts",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="webhooklog",
            name="delivery_id",
            field=models.CharField(blank=True, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name="webhooklog",
            name="processed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="webhooklog",
            name="processing_state",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("processed", "Processed"),
                    ("failed", "Failed"),
                    ("ignored", "Ignored"),
                    ("duplicate", "Duplicate"),
                    ("rejected", "Rejected"),
                ],
                db_default="received",
                default="received",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="webhooklog",
            name="request_headers",
            field=models.JSONField(blank=True, db_default=models.Value({}, models.JSONField()), default=dict),
        ),
        migrations.AddField(
            model_name="webhooklog",
            name="topic",
            field=models.CharField(blank=True, max_length=100, null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="webhooklog",
            index=models.Index(fields=["webhook", "-created_at"], name="idx_webhook_logs_webhook_created"),
        ),
        migrations.AddIndex(
            model_name="webhooklog",
            index=models.Index(
                condition=models.Q(("processing_state", "received")),
                fields=["created_at"],
                name="idx_webhook_logs_received",
            ),
        ),
        migrations.AddConstraint(
            model_name="webhooklog",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("processing_state__in", ["received", "processed", "failed", "ignored", "duplicate", "rejected"])
                ),
                name="webhook_logs_processing_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="webhooklog",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("delivery_id__isnull", False),
                    models.Q(("processing_state__in", ["duplicate", "rejected"]), _negated=True),
                ),
                fields=("webhook", "delivery_id"),
                name="webhook_logs_delivery_unique",
            ),
        ),
    ]
