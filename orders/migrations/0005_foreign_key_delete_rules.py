"""ON DELETE rules of the schema, enforced by PostgreSQL itself.

Django 5.2 emulates on_delete in Python and creates plain foreign keys; these replace them with the
schema's RESTRICT / CASCADE / SET NULL rules so raw SQL deletes behave as the schema says. The
models keep the matching on_delete so the ORM and the admin agree with the database.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_customer_id_b7016332_fk_customers_id;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_customer_id_fkey;
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_assigned_rep_id_e83f9888_fk_users_id;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_assigned_rep_id_fkey;
ALTER TABLE orders ADD CONSTRAINT orders_assigned_rep_id_fkey
    FOREIGN KEY (assigned_rep_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_assigned_agent_id_210a7488_fk_users_id;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_assigned_agent_id_fkey;
ALTER TABLE orders ADD CONSTRAINT orders_assigned_agent_id_fkey
    FOREIGN KEY (assigned_agent_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE order_history DROP CONSTRAINT IF EXISTS order_history_order_id_433e9d7e_fk_orders_id;
ALTER TABLE order_history DROP CONSTRAINT IF EXISTS order_history_order_id_fkey;
ALTER TABLE order_history ADD CONSTRAINT order_history_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE order_history DROP CONSTRAINT IF EXISTS order_history_changed_by_user_id_46d7cdcc_fk_users_id;
ALTER TABLE order_history DROP CONSTRAINT IF EXISTS order_history_changed_by_user_id_fkey;
ALTER TABLE order_history ADD CONSTRAINT order_history_changed_by_user_id_fkey
    FOREIGN KEY (changed_by_user_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_customer_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_customer_id_b7016332_fk_customers_id;
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_b7016332_fk_customers_id
    FOREIGN KEY (customer_id) REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_assigned_rep_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_assigned_rep_id_e83f9888_fk_users_id;
ALTER TABLE orders ADD CONSTRAINT orders_assigned_rep_id_e83f9888_fk_users_id
    FOREIGN KEY (assigned_rep_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_assigned_agent_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_assigned_agent_id_210a7488_fk_users_id;
ALTER TABLE orders ADD CONSTRAINT orders_assigned_agent_id_210a7488_fk_users_id
    FOREIGN KEY (assigned_agent_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE order_history DROP CONSTRAINT IF EXISTS order_history_order_id_fkey;
ALTER TABLE order_history DROP CONSTRAINT IF EXISTS order_history_order_id_433e9d7e_fk_orders_id;
ALTER TABLE order_history ADD CONSTRAINT order_history_order_id_433e9d7e_fk_orders_id
    FOREIGN KEY (order_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE order_history DROP CONSTRAINT IF EXISTS order_history_changed_by_user_id_fkey;
ALTER TABLE order_history DROP CONSTRAINT IF EXISTS order_history_changed_by_user_id_46d7cdcc_fk_users_id;
ALTER TABLE order_history ADD CONSTRAINT order_history_changed_by_user_id_46d7cdcc_fk_users_id
    FOREIGN KEY (changed_by_user_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_orders_updated_at_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
