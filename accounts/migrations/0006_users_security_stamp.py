"""users.security_stamp: a random UUID that is part of every session's auth hash.

Why: "log out everywhere". Rotating the stamp (accounts.services.end_all_sessions) makes every
session opened before fail Django's session hash check at its next request, without touching the
password; API tokens carry the stamp too. The column defaults to gen_random_uuid() in PostgreSQL,
so existing rows (and raw SQL inserts) each get their own value.
"""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_activity_logs_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="security_stamp",
            field=models.UUIDField(
                db_default=models.Func(function="gen_random_uuid", output_field=models.UUIDField()),
                default=uuid.uuid4,
                editable=False,
            ),
        ),
    ]
