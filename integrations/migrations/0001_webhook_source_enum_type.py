"""Enum type owned by integrations: the platforms webhooks come from."""

from django.db import migrations

FORWARD = """
DO $$ BEGIN
    CREATE TYPE webhook_source AS ENUM ('shopify', 'woocommerce', 'custom', 'other');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
"""

REVERSE = """
DROP TYPE IF EXISTS webhook_source;
"""


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
