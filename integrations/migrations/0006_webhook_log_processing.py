"""Placeholder: the webhook ingestion work fills this migration in (kept so later migrations can
depend on a stable name)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("integrations", "0005_webhook_keys_encrypted")]

    operations: list = []
