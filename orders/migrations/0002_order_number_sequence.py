"""The order number sequence and next_order_number(), the database default of orders.order_number.

Numbers read ORD-000001, ORD-000002, ...; the padding grows past six digits instead of truncating,
so numbers stay unique forever. Being a column default, raw SQL inserts get a number too.
"""

from django.db import migrations

FORWARD = """
CREATE SEQUENCE IF NOT EXISTS order_number_seq;

CREATE OR REPLACE FUNCTION next_order_number() RETURNS varchar
LANGUAGE sql VOLATILE AS $$
    SELECT 'ORD-' || lpad(n::text, greatest(6, length(n::text)), '0')
    FROM nextval('order_number_seq') AS n
$$;
"""

REVERSE = """
DROP FUNCTION IF EXISTS next_order_number();
DROP SEQUENCE IF EXISTS order_number_seq;
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_order_enum_types")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
