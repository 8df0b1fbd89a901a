"""Enum types owned by accounts: user roles, availability and notification categories."""

from django.db import migrations

FORWARD = """
DO $$ BEGIN
    CREATE TYPE user_role AS ENUM ('admin', 'manager', 'customer_rep', 'delivery_agent', 'accountant');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE availability_status AS ENUM ('available', 'busy', 'offline');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE notification_type AS ENUM ('order', 'delivery', 'system', 'workflow', 'alert');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
"""

REVERSE = """
DROP TYPE IF EXISTS notification_type;
DROP TYPE IF EXISTS availability_status;
DROP TYPE IF EXISTS user_role;
"""


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
