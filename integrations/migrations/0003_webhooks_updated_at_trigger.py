"""Keep webhooks.updated_at current through update_updated_at_column() (owned by accounts)."""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS update_webhooks_updated_at ON webhooks;
CREATE TRIGGER update_webhooks_updated_at
    BEFORE UPDATE ON webhooks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
"""

REVERSE = """
DROP TRIGGER IF EXISTS update_webhooks_updated_at ON webhooks;
"""


class Migration(migrations.Migration):
    dependencies = [("integrations", "0002_initial"), ("accounts", "0003_updated_at_function_and_users_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
