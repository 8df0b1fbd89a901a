"""order_details_view: an order with its customer, rep and agent, read by orders.models.OrderDetail."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE VIEW order_details_view AS
SELECT
    o.id,
    o.order_number,
    o.status,
    o.priority,
    o.subtotal,
    o.delivery_fee,
    o.total_amount,
    o.payment_status,
    o.payment_method,
    o.source,
    o.delivery_address,
    o.delivery_area,
    o.created_at,
    o.updated_at,
    o.confirmed_at,
    o.delivered_at,
    o.customer_id,
    c.full_name AS customer_name,
    c.phone AS customer_phone,
    c.email AS customer_email,
    o.assigned_rep_id,
    rep.full_name AS rep_name,
    o.assigned_agent_id,
    agent.full_name AS agent_name,
    agent.availability_status AS agent_availability
FROM orders o
JOIN customers c ON c.id = o.customer_id
LEFT JOIN users rep ON rep.id = o.assigned_rep_id
LEFT JOIN users agent ON agent.id = o.assigned_agent_id;
"""

REVERSE = "DROP VIEW IF EXISTS order_details_view;"


class Migration(migrations.Migration):
    dependencies = [("orders", "0007_order_status_history_trigger")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
