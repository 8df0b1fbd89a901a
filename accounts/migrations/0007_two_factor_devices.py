"""two_factor_devices: each user's TOTP authenticator and recovery codes (accounts.otp).

Why: two-factor authentication, required for admins. A table of its own rather than columns on
`users`, which keeps to the schema contract. `secret` holds the TOTP seed encrypted ("fernet:..."),
`recovery_code_hashes` SHA-256 digests of the unused recovery codes, `last_used_step` the time step
of the last accepted code (no replay). The foreign key cascades in PostgreSQL too, like the other
per-user rows (accounts 0004).
"""

import uuid

import django.db.models.deletion
import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models

import common.fields

FORWARD = """
ALTER TABLE two_factor_devices DROP CONSTRAINT IF EXISTS two_factor_devices_user_id_95949494_fk_users_id;
ALTER TABLE two_factor_devices DROP CONSTRAINT IF EXISTS two_factor_devices_user_id_fkey;
ALTER TABLE two_factor_devices ADD CONSTRAINT two_factor_devices_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE two_factor_devices DROP CONSTRAINT IF EXISTS two_factor_devices_user_id_fkey;
ALTER TABLE two_factor_devices DROP CONSTRAINT IF EXISTS two_factor_devices_user_id_95949494_fk_users_id;
ALTER TABLE two_factor_devices ADD CONSTRAINT two_factor_devices_user_id_95949494_fk_users_id
    FOREIGN KEY (user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_users_security_stamp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TwoFactorDevice",
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
                ("secret", common.fields.EncryptedCharField(max_length=255)),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("last_used_step", models.BigIntegerField(blank=True, null=True)),
                (
                    "recovery_code_hashes",
                    models.JSONField(blank=True, db_default=models.Value([], models.JSONField()), default=list),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="two_factor_device",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "two_factor_devices",
            },
        ),
        migrations.RunSQL(FORWARD, REVERSE),
    ]
