"""Enum type owned by finance: the kinds of ledger entries."""

from django.db import migrations

FORWARD = """
DO $$ BEGIN
    CREATE TYPE transaction_type AS ENUM ('revenue', 'expense', 'refund');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
"""

REVERSE = """
DROP TYPE IF EXISTS transaction_type;
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_order_enum_types")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
