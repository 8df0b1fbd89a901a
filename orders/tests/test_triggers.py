"""The order triggers, exercised with raw SQL as another program would: history and customer totals."""

from decimal import Decimal

import pytest

from common.db import change_context
from core.tests import rows

pytestmark = pytest.mark.django_db


def history(raw_sql, order_id):
    return raw_sql(
        "SELECT old_status::text, new_status::text, changed_by_user_id::text, notes "
        "FROM order_history WHERE order_id = %s ORDER BY created_at, id",
        [order_id],
    )


def customer_stats(raw_sql, customer_id):
    ((orders, spent, rate, returned),) = raw_sql(
        "SELECT total_orders, total_spent, return_rate, returned_orders FROM customers WHERE id = %s", [customer_id]
    )
    return orders, spent, rate, returned


def test_a_status_change_by_plain_sql_is_recorded_without_actor(raw_sql):
    order_id = rows.order()
    raw_sql("UPDATE orders SET status = 'confirmed' WHERE id = %s", [order_id])
    assert history(raw_sql, order_id) == [("new", "confirmed", None, None)]


def test_the_application_records_who_changed_the_status_and_why(raw_sql):
    order_id = rows.order()
    rep_id = rows.user("customer_rep")
    rep = type("Actor", (), {"pk": rep_id})()
    with change_context(actor=rep, note="Customer confirmed by phone"):
        raw_sql("UPDATE orders SET status = 'confirmed' WHERE id = %s", [order_id])
    # Outside the context the settings are cleared: the next change has no actor.
    raw_sql("UPDATE orders SET status = 'being_prepared' WHERE id = %s", [order_id])
    assert history(raw_sql, order_id) == [
        ("new", "confirmed", rep_id, "Customer confirmed by phone"),
        ("confirmed", "being_prepared", None, None),
    ]


def test_transaction_local_settings_from_raw_sql_are_honoured(raw_sql):
    order_id = rows.order()
    agent_id = rows.user("delivery_agent")
    raw_sql(
        "SELECT set_config('cod.actor_id', %s, true), set_config('cod.change_note', 'left at door', true)", [agent_id]
    )
    raw_sql("UPDATE orders SET status = 'out_for_delivery' WHERE id = %s", [order_id])
    assert history(raw_sql, order_id) == [("new", "out_for_delivery", agent_id, "left at door")]


def test_an_update_that_keeps_the_status_writes_no_history(raw_sql):
    order_id = rows.order()
    raw_sql("UPDATE orders SET internal_notes = 'call after 6pm', priority = 'high' WHERE id = %s", [order_id])
    raw_sql("UPDATE orders SET status = 'new' WHERE id = %s", [order_id])
    assert history(raw_sql, order_id) == []


def test_customer_totals_follow_inserts_and_status_changes(raw_sql):
    customer_id = rows.customer()
    first = rows.order(customer_id, total_amount="100.50")
    second = rows.order(customer_id, total_amount="49.25")
    third = rows.order(customer_id, total_amount="20.00")
    assert customer_stats(raw_sql, customer_id) == (3, Decimal("0.00"), Decimal("0.00"), 0)

    # Delivered but not yet collected: counted, not yet spent.
    raw_sql("UPDATE orders SET status = 'delivered' WHERE id = %s", [first])
    assert customer_stats(raw_sql, customer_id)[1] == Decimal("0.00")
    raw_sql("UPDATE orders SET payment_status = 'collected' WHERE id = %s", [first])
    assert customer_stats(raw_sql, customer_id) == (3, Decimal("100.50"), Decimal("0.00"), 0)

    raw_sql("UPDATE orders SET status = 'returned' WHERE id = %s", [second])
    assert customer_stats(raw_sql, customer_id) == (3, Decimal("100.50"), Decimal("33.33"), 1)

    # A cancelled order no longer counts: 1 returned out of 2 orders.
    raw_sql("UPDATE orders SET status = 'cancelled' WHERE id = %s", [third])
    assert customer_stats(raw_sql, customer_id) == (2, Decimal("100.50"), Decimal("50.00"), 1)

    # A delivered order returned later gives its money back.
    raw_sql("UPDATE orders SET status = 'returned', payment_status = 'refunded' WHERE id = %s", [first])
    assert customer_stats(raw_sql, customer_id) == (2, Decimal("0.00"), Decimal("100.00"), 2)


def test_changing_the_amount_of_a_collected_order_adjusts_spend(raw_sql):
    customer_id = rows.customer()
    order_id = rows.order(customer_id, total_amount="80.00", status="delivered", payment_status="collected")
    assert customer_stats(raw_sql, customer_id)[:2] == (1, Decimal("80.00"))
    raw_sql("UPDATE orders SET total_amount = 95.10 WHERE id = %s", [order_id])
    assert customer_stats(raw_sql, customer_id)[:2] == (1, Decimal("95.10"))


def test_moving_an_order_to_another_customer_moves_its_totals(raw_sql):
    old_customer, new_customer = rows.customer(), rows.customer()
    order_id = rows.order(old_customer, total_amount="60.00", status="delivered", payment_status="collected")
    raw_sql("UPDATE orders SET customer_id = %s WHERE id = %s", [new_customer, order_id])
    assert customer_stats(raw_sql, old_customer) == (0, Decimal("0.00"), Decimal("0.00"), 0)
    assert customer_stats(raw_sql, new_customer) == (1, Decimal("60.00"), Decimal("0.00"), 0)


def test_deleting_an_order_removes_it_from_the_totals(raw_sql):
    customer_id = rows.customer()
    rows.order(customer_id, total_amount="10.00")
    doomed = rows.order(customer_id, status="returned", total_amount="30.00")
    assert customer_stats(raw_sql, customer_id) == (2, Decimal("0.00"), Decimal("50.00"), 1)
    raw_sql("DELETE FROM orders WHERE id = %s", [doomed])
    assert customer_stats(raw_sql, customer_id) == (1, Decimal("0.00"), Decimal("0.00"), 0)


def test_recalculate_customer_stats_repairs_drifted_totals(raw_sql):
    customer_id = rows.customer()
    rows.order(customer_id, total_amount="70.00", status="delivered", payment_status="collected")
    rows.order(customer_id, status="returned")
    raw_sql("UPDATE customers SET total_orders = 99, total_spent = 1, returned_orders = 0 WHERE id = %s", [customer_id])
    assert raw_sql("SELECT recalculate_customer_stats()")[0][0] >= 1
    assert customer_stats(raw_sql, customer_id) == (2, Decimal("70.00"), Decimal("50.00"), 1)


def orders_rows_read(raw_sql) -> int:
    """Rows of `orders` this transaction has read so far (sequential and index fetches)."""
    ((seq, idx),) = raw_sql(
        "SELECT COALESCE(seq_tup_read, 0), COALESCE(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables "
        "WHERE relname = 'orders'"
    )
    return seq + idx


def cost_of_a_status_change(raw_sql, order_id) -> int:
    before = orders_rows_read(raw_sql)
    raw_sql("UPDATE orders SET status = 'delivered', payment_status = 'collected' WHERE id = %s", [order_id])
    return orders_rows_read(raw_sql) - before


def test_trigger_cost_does_not_grow_with_the_customers_history(raw_sql):
    loyal, newcomer = rows.customer(), rows.customer()
    raw_sql("INSERT INTO orders (customer_id, total_amount) SELECT %s, 10 FROM generate_series(1, 3000)", [loyal])
    loyal_order = rows.order(loyal, total_amount="25.00")
    newcomer_order = rows.order(newcomer, total_amount="25.00")

    assert cost_of_a_status_change(raw_sql, loyal_order) == cost_of_a_status_change(raw_sql, newcomer_order)
    assert customer_stats(raw_sql, loyal)[:2] == (3001, Decimal("25.00"))
