"""seed_demo loads a coherent demo business, and loading it again changes nothing.

The business is seeded once for the module (committed, outside the per-test transactions) and
removed at the end, so the other test modules still start from an empty database.
"""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection

from accounts.models import Role, User
from core.demo import bulk
from core.demo.people import DEMO_LOGINS, DEMO_PASSWORD
from core.demo.seed import SUMMARY_TABLES
from orders.models import OrderStatus

pytestmark = pytest.mark.django_db

SEED_ORDERS = 300


@pytest.fixture(scope="module", autouse=True)
def demo_business(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", orders=SEED_ORDERS, reset=True, quiet=True)
        yield
        with connection.cursor() as cursor:
            tables = ", ".join(("users", "products", "workflows", "webhooks", *bulk.BUSINESS_TABLES))
            cursor.execute(f"TRUNCATE {tables} CASCADE")


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_every_role_has_a_demo_login_with_the_demo_password(rf):
    users = {user.email: user for user in User.objects.filter(email__in=list(DEMO_LOGINS))}
    assert set(users) == set(DEMO_LOGINS)
    assert {user.role for user in users.values()} == set(Role.values)
    # The password is hashed once and shared, so checking the hash is enough for all but a couple of users.
    assert len({user.password for user in users.values()}) == 1
    for email in ("admin@demo.cod", "agent1@demo.cod"):
        # A request, as every real login has: the lockout backend refuses calls without one.
        assert authenticate(rf.post("/"), username=email, password=DEMO_PASSWORD) == users[email]


def test_delivery_agents_cover_every_area_and_have_an_availability():
    agents = User.objects.filter(role=Role.DELIVERY_AGENT)
    assert agents.count() >= 12
    assert set(agents.values_list("availability_status", flat=True)) == {"available", "busy", "offline"}


def test_every_order_status_is_present():
    assert set(bulk.status_counts()) == set(OrderStatus.values)


def test_order_amounts_add_up_to_the_cent():
    assert scalar("SELECT count(*) FROM orders WHERE subtotal + delivery_fee <> total_amount") == 0
    mismatched_subtotals = """
        SELECT count(*) FROM orders o
        WHERE o.subtotal <> (SELECT sum((i->>'total')::numeric) FROM jsonb_array_elements(o.items) i)
    """
    assert scalar(mismatched_subtotals) == 0
    mismatched_lines = """
        SELECT count(*) FROM orders o, jsonb_array_elements(o.items) i
        WHERE (i->>'unit_price')::numeric * (i->>'quantity')::int <> (i->>'total')::numeric
           OR NOT i ?& array['product_id', 'variant_id', 'sku', 'name', 'quantity', 'unit_price', 'total', 'notes']
    """
    assert scalar(mismatched_lines) == 0


def test_customer_totals_match_a_recount_of_their_orders():
    wrong = """
        SELECT count(*) FROM customers c
        LEFT JOIN LATERAL (
            SELECT count(*) FILTER (WHERE status <> 'cancelled') AS counted,
                   COALESCE(sum(total_amount) FILTER (
                       WHERE status = 'delivered' AND payment_status = 'collected'), 0) AS spent,
                   count(*) FILTER (WHERE status = 'returned') AS returned
            FROM orders o WHERE o.customer_id = c.id
        ) r ON true
        WHERE c.total_orders <> r.counted OR c.total_spent <> r.spent
           OR c.return_rate <> CASE WHEN r.counted > 0 THEN round(100.0 * r.returned / r.counted, 2) ELSE 0 END
    """
    assert scalar(wrong) == 0
    assert scalar("SELECT count(*) FROM customers WHERE total_orders > 0") > 0


def test_order_history_follows_each_order_path():
    without_history = """
        SELECT count(*) FILTER (WHERE o.status <> 'new' AND NOT h.found),
               count(*) FILTER (WHERE o.status = 'new' AND h.found)
        FROM orders o, LATERAL (SELECT EXISTS (SELECT 1 FROM order_history WHERE order_id = o.id) AS found) h
    """
    with connection.cursor() as cursor:
        cursor.execute(without_history)
        # Like the status trigger, history records changes: a new order has none yet.
        assert cursor.fetchone() == (0, 0)
    broken_chains = """
        SELECT count(*) FROM (
            SELECT old_status, created_at,
                   lag(new_status) OVER w AS previous_status, lag(created_at) OVER w AS previous_at
            FROM order_history WINDOW w AS (PARTITION BY order_id ORDER BY created_at)
        ) h
        WHERE previous_at IS NOT NULL AND (previous_status <> old_status OR previous_at >= created_at)
    """
    assert scalar(broken_chains) == 0
    last_step_is_not_the_status = """
        SELECT count(*) FROM orders o
        WHERE o.status <> 'new' AND o.status <> (
            SELECT new_status FROM order_history h WHERE h.order_id = o.id ORDER BY created_at DESC LIMIT 1)
    """
    assert scalar(last_step_is_not_the_status) == 0


def test_assignments_dates_and_payments_agree_with_the_status():
    inconsistent = """
        SELECT count(*) FROM orders WHERE
            (status IN ('out_for_delivery', 'delivered', 'returned') AND assigned_agent_id IS NULL)
            OR (status <> 'new' AND assigned_rep_id IS NULL)
            OR (status NOT IN ('new', 'confirmation_pending', 'cancelled') AND confirmed_at IS NULL)
            OR (status = 'delivered' AND (delivered_at IS NULL OR delivery_proof IS NULL))
            OR (status NOT IN ('delivered', 'returned') AND delivered_at IS NOT NULL)
            OR (status = 'returned') <> (return_reason IS NOT NULL)
            OR (payment_status = 'collected' AND status <> 'delivered')
            OR (payment_status = 'refunded' AND status <> 'returned')
    """
    assert scalar(inconsistent) == 0
    collected_share = "SELECT avg((payment_status = 'collected')::int) FROM orders WHERE status = 'delivered'"
    assert scalar(collected_share) > 0.8
    # A delivery attempt for every picked-up order; revenue for every collected one.
    undelivered = """
        SELECT count(*) FROM orders o WHERE status IN ('out_for_delivery', 'delivered') AND NOT EXISTS (
            SELECT 1 FROM deliveries d WHERE d.order_id = o.id AND d.agent_id = o.assigned_agent_id)
    """
    assert scalar(undelivered) == 0
    unrecorded = """
        SELECT count(*) FROM orders o WHERE payment_status = 'collected' AND NOT EXISTS (
            SELECT 1 FROM financial_transactions t WHERE t.order_id = o.id AND t.type = 'revenue')
    """
    assert scalar(unrecorded) == 0


def test_orders_span_the_last_90_days_including_today():
    assert scalar("SELECT count(*) FROM orders WHERE created_at::date = CURRENT_DATE") > 0
    assert scalar("SELECT min(created_at) FROM orders") < scalar("SELECT now() - interval '80 days'")
    assert scalar("SELECT count(*) FROM orders WHERE created_at > now()") == 0


def test_dashboard_examples_have_data():
    assert scalar("SELECT count(*) FROM products WHERE sku = 'PROD-001' AND variants = '[]'") == 1
    assert scalar("SELECT count(*) FROM products WHERE is_active AND stock_quantity <= low_stock_threshold") > 0
    assert scalar("""SELECT count(*) FROM customers WHERE tags @> '[{"id": "vip"}]' AND area IS NOT NULL""") > 0
    assert scalar("SELECT count(DISTINCT source) FROM orders") == 4
    assert scalar("SELECT count(*) FROM workflows") >= 3
    assert scalar("SELECT count(DISTINCT source) FROM webhooks WHERE source IN ('shopify', 'woocommerce')") == 2


def test_seeding_again_adds_nothing():
    before = bulk.table_counts(SUMMARY_TABLES)
    call_command("seed_demo", orders=SEED_ORDERS, quiet=True)
    assert bulk.table_counts(SUMMARY_TABLES) == before


def schema_objects() -> list[tuple]:
    """Every index and constraint with its definition, and the enabled state of the orders triggers."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL
            SELECT 'constraint', conname, pg_get_constraintdef(oid) || ' validated=' || convalidated
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'trigger', tgname, tgenabled::text FROM pg_trigger
            WHERE tgrelid = 'orders'::regclass AND NOT tgisinternal
            ORDER BY 1, 2, 3
        """)
        return cursor.fetchall()


def test_reset_reloads_the_same_business_and_leaves_the_schema_as_it_was():
    before = bulk.table_counts(("users", "products", "customers", "orders", "workflows", "webhooks"))
    schema = schema_objects()
    call_command("seed_demo", orders=SEED_ORDERS, reset=True, quiet=True)
    assert bulk.table_counts(before) == before
    # The load drops and rebuilds the tables' indexes and keys and disables the orders triggers.
    assert schema_objects() == schema
    assert ("trigger", "update_customer_stats_on_insert_delete", "O") in schema
    assert scalar("SELECT min(order_number) FROM orders") == "ORD-000001"
    assert set(bulk.status_counts()) == set(OrderStatus.values)
