"""Keep deliveries.updated_at current through update_updated_at_column() (owned by accounts)."""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS update_deliveries_updated_at ON deliveries;
CREATE TRIGGER update_deliveries_updated_at
    BEFORE UPDATE ON deliveries
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
"""

REVERSE = """
DROP TRIGGER IF EXISTS update_deliveries_updated_at ON deliveries;
"""


class Migration(migrations.Migration):
    dependencies = [("logistics", "0001_initial"), ("accounts", "0003_updated_at_function_and_users_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
