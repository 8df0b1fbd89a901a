"""Keep orders.updated_at current through update_updated_at_column() (owned by accounts)."""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS update_orders_updated_at ON orders;
CREATE TRIGGER update_orders_updated_at
    BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
"""

REVERSE = """
DROP TRIGGER IF EXISTS update_orders_updated_at ON orders;
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_initial"), ("accounts", "0003_updated_at_function_and_users_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
