"""customers.blacklisted_by_id -> users: ON DELETE SET NULL in PostgreSQL (who set the flag may leave)."""

from django.db import migrations

FORWARD = """
ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_blacklisted_by_id_1658ad69_fk_users_id;
ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_blacklisted_by_id_fkey;
ALTER TABLE customers ADD CONSTRAINT customers_blacklisted_by_id_fkey
    FOREIGN KEY (blacklisted_by_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_blacklisted_by_id_fkey;
ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_blacklisted_by_id_1658ad69_fk_users_id;
ALTER TABLE customers ADD CONSTRAINT customers_blacklisted_by_id_1658ad69_fk_users_id
    FOREIGN KEY (blacklisted_by_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_customer_refusals_and_blacklist")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
