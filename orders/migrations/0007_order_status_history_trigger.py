"""log_order_status_change(): one order_history row per status change, from the ORM or raw SQL.

Who made the change and why come from two transaction-local settings that the application sets
just before it updates the order (common.db.change_context):

    SELECT set_config('cod.actor_id', '<user uuid>', true), set_config('cod.change_note', '...', true);

A plain SQL UPDATE without them still gets a history row, with no actor and no note.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION log_order_status_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_history (order_id, changed_by_user_id, old_status, new_status, notes)
    VALUES (
        NEW.id,
        NULLIF(current_setting('cod.actor_id', true), '')::uuid,
        OLD.status,
        NEW.status,
        NULLIF(current_setting('cod.change_note', true), '')
    );
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS log_order_status_change ON orders;
CREATE TRIGGER log_order_status_change
    AFTER UPDATE OF status ON orders
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION log_order_status_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS log_order_status_change ON orders;
DROP FUNCTION IF EXISTS log_order_status_change();
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0006_customer_stats_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
