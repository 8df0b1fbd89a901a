"""ON DELETE rules of the schema, enforced by PostgreSQL itself.

Django 5.2 emulates on_delete in Python and creates plain foreign keys; these replace them with the
schema's RESTRICT / CASCADE / SET NULL rules so raw SQL deletes behave as the schema says. The
models keep the matching on_delete so the ORM and the admin agree with the database.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE expenses DROP CONSTRAINT IF EXISTS expenses_recorded_by_user_id_7c645e82_fk_users_id;
ALTER TABLE expenses DROP CONSTRAINT IF EXISTS expenses_recorded_by_user_id_fkey;
ALTER TABLE expenses ADD CONSTRAINT expenses_recorded_by_user_id_fkey
    FOREIGN KEY (recorded_by_user_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_order_id_eb4b27f2_fk_orders_id;
ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_order_id_fkey;
ALTER TABLE financial_transactions ADD CONSTRAINT financial_transactions_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_recorded_by_user_id_952b06ae_fk_users_id;
ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_recorded_by_user_id_fkey;
ALTER TABLE financial_transactions ADD CONSTRAINT financial_transactions_recorded_by_user_id_fkey
    FOREIGN KEY (recorded_by_user_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE expenses DROP CONSTRAINT IF EXISTS expenses_recorded_by_user_id_fkey;
ALTER TABLE expenses DROP CONSTRAINT IF EXISTS expenses_recorded_by_user_id_7c645e82_fk_users_id;
ALTER TABLE expenses ADD CONSTRAINT expenses_recorded_by_user_id_7c645e82_fk_users_id
    FOREIGN KEY (recorded_by_user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_order_id_fkey;
ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_order_id_eb4b27f2_fk_orders_id;
ALTER TABLE financial_transactions ADD CONSTRAINT financial_transactions_order_id_eb4b27f2_fk_orders_id
    FOREIGN KEY (order_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_recorded_by_user_id_fkey;
ALTER TABLE financial_transactions DROP CONSTRAINT IF EXISTS financial_transactions_recorded_by_user_id_952b06ae_fk_users_id;
ALTER TABLE financial_transactions ADD CONSTRAINT financial_transactions_recorded_by_user_id_952b06ae_fk_users_id
    FOREIGN KEY (recorded_by_user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
