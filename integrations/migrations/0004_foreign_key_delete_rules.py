"""ON DELETE rules of the schema, enforced by PostgreSQL itself.

Django 5.2 emulates on_delete in Python and creates plain foreign keys; these replace them with the
schema's RESTRICT / CASCADE / SET NULL rules so raw SQL deletes behave as the schema says. The
models keep the matching on_delete so the ORM and the admin agree with the database.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_webhook_id_53707b3d_fk_webhooks_id;
ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_webhook_id_fkey;
ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_webhook_id_fkey
    FOREIGN KEY (webhook_id) REFERENCES webhooks(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_order_created_id_9a3b872c_fk_orders_id;
ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_order_created_id_fkey;
ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_order_created_id_fkey
    FOREIGN KEY (order_created_id) REFERENCES orders(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_webhook_id_fkey;
ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_webhook_id_53707b3d_fk_webhooks_id;
ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_webhook_id_53707b3d_fk_webhooks_id
    FOREIGN KEY (webhook_id) REFERENCES webhooks(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_order_created_id_fkey;
ALTER TABLE webhook_logs DROP CONSTRAINT IF EXISTS webhook_logs_order_created_id_9a3b872c_fk_orders_id;
ALTER TABLE webhook_logs ADD CONSTRAINT webhook_logs_order_created_id_9a3b872c_fk_orders_id
    FOREIGN KEY (order_created_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("integrations", "0003_webhooks_updated_at_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
