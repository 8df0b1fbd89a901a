"""update_updated_at_column(): keeps updated_at current on every UPDATE, from the ORM or raw SQL.

The function lives in accounts, the bottom of the app graph; each app attaches it to its own tables.
It stamps statement_timestamp() rather than CURRENT_TIMESTAMP (the transaction's start): rows are
created with statement_timestamp() too, so an update later in the same transaction can never
carry an updated_at earlier than the row's created_at.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = statement_timestamp();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS update_users_updated_at ON users;
CREATE TRIGGER update_users_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
"""

REVERSE = """
DROP TRIGGER IF EXISTS update_users_updated_at ON users;
DROP FUNCTION IF EXISTS update_updated_at_column();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
