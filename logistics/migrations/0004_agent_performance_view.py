"""agent_performance_view: one row per delivery agent with delivery and order outcomes.

Each agent's figures come from LATERAL subqueries over that agent's rows only (idx_deliveries_agent_id,
idx_orders_agent_status), so `WHERE agent_id = $1` reads one agent's history, not every delivery.

- total_deliveries: delivery attempts (deliveries rows); completed_deliveries: those delivered
- average_rating: mean customer rating (1-5) over rated deliveries, 2 decimals, NULL when none
- total_assigned_orders / successful_orders (delivered) / returned_orders, success_rate in %
- cash_collected: total_amount of the agent's delivered orders with payment collected
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE VIEW agent_performance_view AS
SELECT
    u.id AS agent_id,
    u.full_name AS agent_name,
    u.email,
    u.phone,
    u.availability_status,
    u.is_active,
    d.total_deliveries,
    d.completed_deliveries,
    d.average_rating,
    o.total_assigned_orders,
    o.successful_orders,
    o.returned_orders,
    CASE WHEN o.successful_orders + o.returned_orders > 0
         THEN round(100.0 * o.successful_orders / (o.successful_orders + o.returned_orders), 2)
    END AS success_rate,
    o.cash_collected
FROM users u
CROSS JOIN LATERAL (
    SELECT count(*)::integer AS total_deliveries,
           count(*) FILTER (WHERE dl.delivery_time IS NOT NULL)::integer AS completed_deliveries,
           round(avg(dl.rating), 2) AS average_rating
    FROM deliveries dl
    WHERE dl.agent_id = u.id
) d
CROSS JOIN LATERAL (
    SELECT count(*)::integer AS total_assigned_orders,
           count(*) FILTER (WHERE ord.status = 'delivered')::integer AS successful_orders,
           count(*) FILTER (WHERE ord.status = 'returned')::integer AS returned_orders,
           COALESCE(sum(ord.total_amount) FILTER (
               WHERE ord.status = 'delivered' AND ord.payment_status = 'collected'), 0)::numeric(14, 2)
               AS cash_collected
    FROM orders ord
    WHERE ord.assigned_agent_id = u.id
) o
WHERE u.role = 'delivery_agent';
"""

REVERSE = "DROP VIEW IF EXISTS agent_performance_view;"


class Migration(migrations.Migration):
    dependencies = [("logistics", "0003_foreign_key_delete_rules"), ("orders", "0008_order_details_view")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
