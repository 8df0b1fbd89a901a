"""Enum types owned by automation: what starts a workflow and how a run ended."""

from django.db import migrations

FORWARD = """
DO $$ BEGIN
    CREATE TYPE workflow_trigger AS ENUM ('webhook', 'order_status', 'customer_tag', 'time_based', 'manual');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE execution_status AS ENUM ('running', 'completed', 'failed');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
"""

REVERSE = """
DROP TYPE IF EXISTS execution_status;
DROP TYPE IF EXISTS workflow_trigger;
"""


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
