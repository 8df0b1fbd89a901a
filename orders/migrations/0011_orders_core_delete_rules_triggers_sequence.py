"""Database rules for the orders core additions.

- orders.duplicate_of_id -> orders: SET NULL (deleting the original keeps the flagged order).
- call_attempts.order_id -> orders: CASCADE (calls are part of the order); rep_id -> users: SET NULL.
- delivery_areas.updated_at kept by update_updated_at_column().
- rep_round_robin_seq: the shared, lock-free cursor that spreads new orders over available reps.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_duplicate_of_id_69175f3c_fk_orders_id;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_duplicate_of_id_fkey;
ALTER TABLE orders ADD CONSTRAINT orders_duplicate_of_id_fkey
    FOREIGN KEY (duplicate_of_id) REFERENCES orders(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE call_attempts DROP CONSTRAINT IF EXISTS call_attempts_order_id_3d67c970_fk_orders_id;
ALTER TABLE call_attempts DROP CONSTRAINT IF EXISTS call_attempts_order_id_fkey;
ALTER TABLE call_attempts ADD CONSTRAINT call_attempts_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE call_attempts DROP CONSTRAINT IF EXISTS call_attempts_rep_id_c293a5db_fk_users_id;
ALTER TABLE call_attempts DROP CONSTRAINT IF EXISTS call_attempts_rep_id_fkey;
ALTER TABLE call_attempts ADD CONSTRAINT call_attempts_rep_id_fkey
    FOREIGN KEY (rep_id) REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

DROP TRIGGER IF EXISTS update_delivery_areas_updated_at ON delivery_areas;
CREATE TRIGGER update_delivery_areas_updated_at
    BEFORE UPDATE ON delivery_areas
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE SEQUENCE IF NOT EXISTS rep_round_robin_seq;
"""

REVERSE = """
DROP SEQUENCE IF EXISTS rep_round_robin_seq;
DROP TRIGGER IF EXISTS update_delivery_areas_updated_at ON delivery_areas;

ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_duplicate_of_id_fkey;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_duplicate_of_id_69175f3c_fk_orders_id;
ALTER TABLE orders ADD CONSTRAINT orders_duplicate_of_id_69175f3c_fk_orders_id
    FOREIGN KEY (duplicate_of_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE call_attempts DROP CONSTRAINT IF EXISTS call_attempts_order_id_fkey;
ALTER TABLE call_attempts DROP CONSTRAINT IF EXISTS call_attempts_order_id_3d67c970_fk_orders_id;
ALTER TABLE call_attempts ADD CONSTRAINT call_attempts_order_id_3d67c970_fk_orders_id
    FOREIGN KEY (order_id) REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE call_attempts DROP CONSTRAINT IF EXISTS call_attempts_rep_id_fkey;
ALTER TABLE call_attempts DROP CONSTRAINT IF EXISTS call_attempts_rep_id_c293a5db_fk_users_id;
ALTER TABLE call_attempts ADD CONSTRAINT call_attempts_rep_id_c293a5db_fk_users_id
    FOREIGN KEY (rep_id) REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0010_orders_core_columns_call_attempts_delivery_areas")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
