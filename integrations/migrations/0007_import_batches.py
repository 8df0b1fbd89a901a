"""Import batches and their rows: CSV / XLSX order imports (integrations/imports/, docs/import.md).

New tables beside the schema's (not part of the contract): `import_batches` (an uploaded file, its
preview and counts) and `import_rows` (one per order of the file, with its outcome and the order it
created, so a rollback knows exactly which orders are the batch's). No change to `orders`.

Django 5.2 emulates on_delete in Python; the RunSQL at the end makes PostgreSQL enforce the same
rules (as the other apps' `*_foreign_key_delete_rules` migrations do): a batch's rows go with it,
deleting an order or a user leaves the import's record with NULL.
"""

import uuid

import django.db.models.deletion
import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models

FORWARD = """
ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_batch_id_924f50c3_fk_import_batches_id;
ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_batch_id_fkey;
ALTER TABLE import_rows ADD CONSTRAINT import_rows_batch_id_fkey
    FOREIGN KEY (batch_id) REFERENCES import_batches(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_order_id_249757ab_fk_orders_id;
ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_order_id_fkey;
ALTER TABLE import_rows ADD CONSTRAINT import_rows_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE import_batches DROP CONSTRAINT IF EXISTS import_batches_created_by_id_e335acc4_fk_users_id;
ALTER TABLE import_batches DROP CONSTRAINT IF EXISTS import_batches_created_by_id_fkey;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_created_by_id_fkey
    FOREIGN KEY (created_by_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE import_batches DROP CONSTRAINT IF EXISTS import_batches_rolled_back_by_id_9a09d6da_fk_users_id;
ALTER TABLE import_batches DROP CONSTRAINT IF EXISTS import_batches_rolled_back_by_id_fkey;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_rolled_back_by_id_fkey
    FOREIGN KEY (rolled_back_by_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

# Back to the plain foreign keys Django created, so the operations above can be reversed.
REVERSE = """
ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_batch_id_fkey;
ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_batch_id_924f50c3_fk_import_batches_id;
ALTER TABLE import_rows ADD CONSTRAINT import_rows_batch_id_924f50c3_fk_import_batches_id
    FOREIGN KEY (batch_id) REFERENCES import_batches(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_order_id_fkey;
ALTER TABLE import_rows DROP CONSTRAINT IF EXISTS import_rows_order_id_249757ab_fk_orders_id;
ALTER TABLE import_rows ADD CONSTRAINT import_rows_order_id_249757ab_fk_orders_id
    FOREIGN KEY (order_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE import_batches DROP CONSTRAINT IF EXISTS import_batches_created_by_id_fkey;
ALTER TABLE import_batches DROP CONSTRAINT IF EXISTS import_batches_created_by_id_e335acc4_fk_users_id;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_created_by_id_e335acc4_fk_users_id
    FOREIGN KEY (created_by_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE import_batches DROP CONSTRAINT IF EXISTS import_batches_rolled_back_by_id_fkey;
ALTER TABLE import_batches DROP CONSTRAINT IF EXISTS import_batches_rolled_back_by_id_9a09d6da_fk_users_id;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_rolled_back_by_id_9a09d6da_fk_users_id
    FOREIGN KEY (rolled_back_by_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0006_webhook_log_processing"),
        ("orders", "0011_orders_core_delete_rules_triggers_sequence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportBatch",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        db_default=models.Func(function="gen_random_uuid", output_field=models.UUIDField()),
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False),
                ),
                ("original_name", models.CharField(blank=True, default="", max_length=255)),
                ("stored_file", models.CharField(max_length=300)),
                ("file_sha256", models.CharField(max_length=64)),
                ("file_size", models.BigIntegerField(default=0)),
                ("file_format", models.CharField(max_length=8)),
                ("encoding", models.CharField(blank=True, default="", max_length=20)),
                ("delimiter", models.CharField(blank=True, default="", max_length=1)),
                ("store_label", models.CharField(blank=True, default="", max_length=100)),
                ("external_source", models.CharField(max_length=150)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("analysing", "Checking the file"),
                            ("ready", "Ready to import"),
                            ("refused", "File refused"),
                            ("queued", "Waiting for a worker"),
                            ("running", "Importing"),
                            ("completed", "Imported"),
                            ("failed", "Stopped by an error"),
                            ("rolling_back", "Rolling back"),
                            ("rolled_back", "Rolled back"),
                        ],
                        default="analysing",
                        max_length=20,
                    ),
                ),
                (
                    "columns",
                    models.JSONField(blank=True, db_default=models.Value({}, models.JSONField()), default=dict),
                ),
                (
                    "preview",
                    models.JSONField(blank=True, db_default=models.Value({}, models.JSONField()), default=dict),
                ),
                ("total_rows", models.IntegerField(default=0)),
                ("total_orders", models.IntegerField(default=0)),
                ("valid_orders", models.IntegerField(default=0)),
                ("invalid_orders", models.IntegerField(default=0)),
                ("error_count", models.IntegerField(default=0)),
                ("processed_orders", models.IntegerField(default=0)),
                ("created_count", models.IntegerField(default=0)),
                ("duplicate_count", models.IntegerField(default=0)),
                ("failed_count", models.IntegerField(default=0)),
                ("cancelled_count", models.IntegerField(default=0)),
                ("kept_count", models.IntegerField(default=0)),
                ("message", models.TextField(blank=True, default="")),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("rolled_back_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "db_table": "import_batches",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ImportRow",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("line", models.IntegerField()),
                ("row_numbers", models.JSONField(blank=True, default=list)),
                ("reference", models.CharField(blank=True, default="", max_length=150)),
                ("external_id", models.CharField(max_length=150)),
                (
                    "outcome",
                    models.CharField(
                        choices=[("created", "Created"), ("duplicate", "Already imported"), ("failed", "Failed")],
                        max_length=10,
                    ),
                ),
                ("errors", models.JSONField(blank=True, default=list)),
                (
                    "rollback",
                    models.CharField(
                        blank=True,
                        choices=[("cancelled", "Cancelled"), ("kept", "Kept (moved on)")],
                        max_length=10,
                        null=True,
                    ),
                ),
                ("rollback_note", models.TextField(blank=True, default="")),
            ],
            options={
                "db_table": "import_rows",
                "ordering": ["batch", "line"],
            },
        ),
        migrations.AddField(
            model_name="importbatch",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="rolled_back_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="importrow",
            name="batch",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rows",
                to="integrations.importbatch",
            ),
        ),
        migrations.AddField(
            model_name="importrow",
            name="order",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="orders.order",
            ),
        ),
        migrations.AddIndex(
            model_name="importbatch",
            index=models.Index(fields=["-created_at"], name="idx_import_batches_created_at"),
        ),
        migrations.AddConstraint(
            model_name="importbatch",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "analysing",
                            "ready",
                            "refused",
                            "queued",
                            "running",
                            "completed",
                            "failed",
                            "rolling_back",
                            "rolled_back",
                        ],
                    )
                ),
                name="import_batches_status_valid",
            ),
        ),
        migrations.AddIndex(
            model_name="importrow",
            index=models.Index(fields=["batch", "line"], name="idx_import_rows_batch_line"),
        ),
        migrations.AddIndex(
            model_name="importrow",
            index=models.Index(fields=["order"], name="idx_import_rows_order_id"),
        ),
        migrations.AddConstraint(
            model_name="importrow",
            constraint=models.UniqueConstraint(fields=("batch", "external_id"), name="import_rows_batch_external_id"),
        ),
        migrations.AddConstraint(
            model_name="importrow",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["created", "duplicate", "failed"])),
                name="import_rows_outcome_valid",
            ),
        ),
        migrations.RunSQL(FORWARD, REVERSE),
    ]
