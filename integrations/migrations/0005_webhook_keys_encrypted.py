"""Webhook api_key and secret_key become common.fields.EncryptedCharField.

No SQL: the columns stay `character varying(512)` with the schema's names (a Fernet token of a
64-character secret is 191 characters with its "fernet:" prefix; the field allows plaintexts up
to 319 bytes so every token fits). The change is in how Django reads and writes them: values are
encrypted with FIELD_ENCRYPTION_KEYS on save and decrypted on load.

Rows written before this migration hold plaintext; the field reads them as legacy values (no
"fernet:" prefix) and `manage.py rotate_encryption_keys` encrypts them in place. That step is a
command rather than a data migration because it needs the deployment's keys, which a migration
must not depend on (see docs/security.md).
"""

from django.db import migrations

import common.fields


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0004_foreign_key_delete_rules"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhook",
            name="api_key",
            field=common.fields.EncryptedCharField(blank=True, max_length=512, null=True),
        ),
        migrations.AlterField(
            model_name="webhook",
            name="secret_key",
            field=common.fields.EncryptedCharField(blank=True, max_length=512, null=True),
        ),
    ]
