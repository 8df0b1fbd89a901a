"""The call_outcome enum for confirmation calls (an addition to the schema, like call_attempts)."""

from django.db import migrations

FORWARD = """
DO $$ BEGIN
    CREATE TYPE call_outcome AS ENUM ('confirmed', 'no_answer', 'call_back', 'wrong_number', 'refused', 'duplicate');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
"""

REVERSE = "DROP TYPE IF EXISTS call_outcome;"


class Migration(migrations.Migration):
    dependencies = [("orders", "0008_order_details_view")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
