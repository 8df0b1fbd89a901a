"""Delete rules of the stock ledger: a product with movements cannot be deleted (RESTRICT: the
ledger is its history); a deleted order or user leaves the movement in place (SET NULL)."""

from django.db import migrations

FORWARD = """
ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_product_id_5bacd6d9_fk_products_id;
ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_product_id_fkey;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_product_id_fkey
    FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_order_id_0d379a60_fk_orders_id;
ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_order_id_fkey;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_actor_id_d66756a5_fk_users_id;
ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_actor_id_fkey;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_actor_id_fkey
    FOREIGN KEY (actor_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REVERSE = """
ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_product_id_fkey;
ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_product_id_5bacd6d9_fk_products_id;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_product_id_5bacd6d9_fk_products_id
    FOREIGN KEY (product_id) REFERENCES products(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_order_id_fkey;
ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_order_id_0d379a60_fk_orders_id;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_order_id_0d379a60_fk_orders_id
    FOREIGN KEY (order_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_actor_id_fkey;
ALTER TABLE stock_movements DROP CONSTRAINT IF EXISTS stock_movements_actor_id_d66756a5_fk_users_id;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_actor_id_d66756a5_fk_users_id
    FOREIGN KEY (actor_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_stock_movements_ledger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
