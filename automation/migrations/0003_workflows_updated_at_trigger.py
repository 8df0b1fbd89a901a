"""Keep workflows.updated_at current through update_updated_at_column() (owned by accounts)."""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS update_workflows_updated_at ON workflows;
CREATE TRIGGER update_workflows_updated_at
    BEFORE UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
"""

REVERSE = """
DROP TRIGGER IF EXISTS update_workflows_updated_at ON workflows;
"""


class Migration(migrations.Migration):
    dependencies = [("automation", "0002_initial"), ("accounts", "0003_updated_at_function_and_users_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
