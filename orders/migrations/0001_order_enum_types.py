"""Enum types owned by orders.

priority_level is declared low -> high (the schema lists it high first) so that the seed's
`ORDER BY o.priority DESC` puts high-priority orders first."""

from django.db import migrations

FORWARD = """
DO $$ BEGIN
    CREATE TYPE order_status AS ENUM ('new', 'confirmation_pending', 'confirmed', 'being_prepared', 'ready_for_pickup', 'out_for_delivery', 'delivered', 'returned', 'cancelled');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE priority_level AS ENUM ('low', 'medium', 'high');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE payment_status AS ENUM ('pending', 'collected', 'refunded');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE payment_method AS ENUM ('COD', 'bank_transfer', 'cash');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
    CREATE TYPE order_source AS ENUM ('manual', 'webhook', 'csv', 'api');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
"""

REVERSE = """
DROP TYPE IF EXISTS order_source;
DROP TYPE IF EXISTS payment_method;
DROP TYPE IF EXISTS payment_status;
DROP TYPE IF EXISTS priority_level;
DROP TYPE IF EXISTS order_status;
"""


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
