"""Keep products.updated_at current through update_updated_at_column() (owned by accounts)."""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS update_products_updated_at ON products;
CREATE TRIGGER update_products_updated_at
    BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
"""

REVERSE = """
DROP TRIGGER IF EXISTS update_products_updated_at ON products;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial"), ("accounts", "0003_updated_at_function_and_users_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
