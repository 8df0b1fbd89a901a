"""ON DELETE rules of the schema, enforced by PostgreSQL itself.

Django 5.2 emulates on_delete in Python and creates plain foreign keys; these replace them with the
schema's RESTRICT / CASCADE / SET NULL rules so raw SQL deletes behave as the schema says. The
models keep the matching on_delete so the ORM and the admin agree with the database.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_order_id_26490c59_fk_orders_id;
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_order_id_fkey;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_agent_id_b4b9a8da_fk_users_id;
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_agent_id_fkey;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_agent_id_fkey
    FOREIGN KEY (agent_id) REFERENCES users(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_order_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_order_id_26490c59_fk_orders_id;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_order_id_26490c59_fk_orders_id
    FOREIGN KEY (order_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_agent_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_agent_id_b4b9a8da_fk_users_id;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_agent_id_b4b9a8da_fk_users_id
    FOREIGN KEY (agent_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("logistics", "0002_deliveries_updated_at_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
