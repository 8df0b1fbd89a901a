"""update_customer_stats(): customers.total_orders / total_spent / return_rate follow their orders.

The schema recalculates the metrics whenever orders change. Recounting a customer's whole history on
every change would make the trigger's cost grow with the customer's order count, so each change
applies a delta instead: the old row's contribution is removed and the new row's added.

- total_orders    = orders not cancelled
- total_spent     = sum of total_amount of orders delivered with payment collected
- returned_orders = orders returned (an extra column, needed to keep the rate exact)
- return_rate     = returned_orders / total_orders, as a percentage with 2 decimals

The UPDATE trigger fires only when a column that feeds the metrics changes (WHEN clause), so a
note or an assignment change costs nothing. DELETE is covered too, so totals stay right if an order
is ever removed. recalculate_customer_stats() recounts everything in one set-based statement, for
bulk loads that disable the triggers and for repairs.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION apply_customer_stats_delta(
    p_customer_id uuid, d_orders integer, d_spent numeric, d_returned integer
) RETURNS void
LANGUAGE sql AS $$
    UPDATE customers SET
        total_orders = total_orders + d_orders,
        total_spent = total_spent + d_spent,
        returned_orders = returned_orders + d_returned,
        return_rate = CASE
            WHEN total_orders + d_orders > 0
            THEN round(100.0 * (returned_orders + d_returned) / (total_orders + d_orders), 2)
            ELSE 0
        END
    WHERE id = p_customer_id
      AND (d_orders <> 0 OR d_spent <> 0 OR d_returned <> 0);
$$;

CREATE OR REPLACE FUNCTION update_customer_stats() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_orders integer := 0;
    old_spent numeric := 0;
    old_returned integer := 0;
    new_orders integer := 0;
    new_spent numeric := 0;
    new_returned integer := 0;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_orders := (OLD.status <> 'cancelled')::integer;
        old_returned := (OLD.status = 'returned')::integer;
        IF OLD.status = 'delivered' AND OLD.payment_status = 'collected' THEN
            old_spent := OLD.total_amount;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_orders := (NEW.status <> 'cancelled')::integer;
        new_returned := (NEW.status = 'returned')::integer;
        IF NEW.status = 'delivered' AND NEW.payment_status = 'collected' THEN
            new_spent := NEW.total_amount;
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id THEN
        PERFORM apply_customer_stats_delta(
            NEW.customer_id, new_orders - old_orders, new_spent - old_spent, new_returned - old_returned);
    ELSE
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM apply_customer_stats_delta(OLD.customer_id, -old_orders, -old_spent, -old_returned);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM apply_customer_stats_delta(NEW.customer_id, new_orders, new_spent, new_returned);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS update_customer_stats_on_insert_delete ON orders;
CREATE TRIGGER update_customer_stats_on_insert_delete
    AFTER INSERT OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION update_customer_stats();

DROP TRIGGER IF EXISTS update_customer_stats_on_update ON orders;
CREATE TRIGGER update_customer_stats_on_update
    AFTER UPDATE OF status, payment_status, total_amount, customer_id ON orders
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.payment_status IS DISTINCT FROM NEW.payment_status
          OR OLD.total_amount IS DISTINCT FROM NEW.total_amount
          OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION update_customer_stats();

CREATE OR REPLACE FUNCTION recalculate_customer_stats() RETURNS integer
LANGUAGE sql AS $$
    WITH stats AS (
        SELECT c.id,
               count(o.id) FILTER (WHERE o.status <> 'cancelled') AS total_orders,
               COALESCE(sum(o.total_amount) FILTER (
                   WHERE o.status = 'delivered' AND o.payment_status = 'collected'), 0) AS total_spent,
               count(o.id) FILTER (WHERE o.status = 'returned') AS returned_orders
        FROM customers c
        LEFT JOIN orders o ON o.customer_id = c.id
        GROUP BY c.id
    ), changed AS (
        UPDATE customers c SET
            total_orders = s.total_orders,
            total_spent = s.total_spent,
            returned_orders = s.returned_orders,
            return_rate = CASE WHEN s.total_orders > 0
                               THEN round(100.0 * s.returned_orders / s.total_orders, 2) ELSE 0 END
        FROM stats s
        WHERE c.id = s.id
          AND (c.total_orders, c.total_spent, c.returned_orders)
              IS DISTINCT FROM (s.total_orders::integer, s.total_spent, s.returned_orders::integer)
        RETURNING 1
    )
    SELECT count(*)::integer FROM changed;
$$;
"""

REVERSE = """
DROP TRIGGER IF EXISTS update_customer_stats_on_update ON orders;
DROP TRIGGER IF EXISTS update_customer_stats_on_insert_delete ON orders;
DROP FUNCTION IF EXISTS recalculate_customer_stats();
DROP FUNCTION IF EXISTS update_customer_stats();
DROP FUNCTION IF EXISTS apply_customer_stats_delta(uuid, integer, numeric, integer);
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_foreign_key_delete_rules"), ("customers", "0002_customers_updated_at_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
