"""The database enforces the schema's rules on its own: raw SQL, no Django in between."""

import json

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from core.tests import rows

pytestmark = pytest.mark.django_db

# (child table, column, parent table, ON DELETE rule) for every foreign key of the schema.
FOREIGN_KEYS = [
    ("orders", "customer_id", "customers", "RESTRICT"),
    ("orders", "assigned_rep_id", "users", "SET NULL"),
    ("orders", "assigned_agent_id", "users", "SET NULL"),
    ("order_history", "order_id", "orders", "CASCADE"),
    ("order_history", "changed_by_user_id", "users", "SET NULL"),
    ("deliveries", "order_id", "orders", "CASCADE"),
    ("deliveries", "agent_id", "users", "RESTRICT"),
    ("expenses", "recorded_by_user_id", "users", "SET NULL"),
    ("financial_transactions", "order_id", "orders", "SET NULL"),
    ("financial_transactions", "recorded_by_user_id", "users", "SET NULL"),
    ("workflows", "created_by_user_id", "users", "SET NULL"),
    ("workflow_executions", "workflow_id", "workflows", "CASCADE"),
    ("workflow_executions", "order_id", "orders", "SET NULL"),
    ("workflow_executions", "customer_id", "customers", "SET NULL"),
    ("webhook_logs", "webhook_id", "webhooks", "SET NULL"),
    ("webhook_logs", "order_created_id", "orders", "SET NULL"),
    ("notifications", "user_id", "users", "CASCADE"),
    ("activity_logs", "user_id", "users", "SET NULL"),
    ("sessions", "user_id", "users", "CASCADE"),
    # Additions of the orders core.
    ("customers", "blacklisted_by_id", "users", "SET NULL"),
    ("orders", "duplicate_of_id", "orders", "SET NULL"),
    ("call_attempts", "order_id", "orders", "CASCADE"),
    ("call_attempts", "rep_id", "users", "SET NULL"),
    ("stock_movements", "product_id", "products", "RESTRICT"),
    ("stock_movements", "order_id", "orders", "SET NULL"),
    ("stock_movements", "actor_id", "users", "SET NULL"),
    # Additions of the delivery issue.
    ("agent_areas", "agent_id", "users", "CASCADE"),
    # Additions of finance.
    ("financial_transactions", "reverses_id", "financial_transactions", "RESTRICT"),
    ("remittances", "agent_id", "users", "RESTRICT"),
    ("remittances", "received_by_id", "users", "SET NULL"),
    ("remittance_allocations", "remittance_id", "remittances", "CASCADE"),
    ("remittance_allocations", "delivery_id", "deliveries", "RESTRICT"),
    ("agent_cash_closes", "agent_id", "users", "RESTRICT"),
    ("agent_cash_closes", "closed_by_id", "users", "SET NULL"),
    ("two_factor_devices", "user_id", "users", "CASCADE"),
]


@pytest.mark.parametrize(
    ("table", "column", "parent", "rule"), FOREIGN_KEYS, ids=[f"{t}.{c}" for t, c, _, _ in FOREIGN_KEYS]
)
def test_deleting_the_parent_applies_the_schemas_rule(raw_sql, table, column, parent, rule):
    parent_id = rows.PARENT_ROWS[parent]()
    child_id = rows.CHILD_ROWS[table](column, parent_id)

    if rule == "RESTRICT":
        with pytest.raises(IntegrityError), transaction.atomic():
            raw_sql(f"DELETE FROM {parent} WHERE id = %s", [parent_id])
        assert raw_sql(f"SELECT count(*) FROM {parent} WHERE id = %s", [parent_id]) == [(1,)]
        return

    raw_sql(f"DELETE FROM {parent} WHERE id = %s", [parent_id])
    remaining = raw_sql(f"SELECT {column} FROM {table} WHERE id = %s", [child_id])
    if rule == "CASCADE":
        assert remaining == []
    else:
        assert remaining == [(None,)]


@pytest.mark.parametrize(
    "table",
    [
        "users",
        "customers",
        "orders",
        "workflows",
        "webhooks",
        "order_history",
        "deliveries",
        "expenses",
        "financial_transactions",
        "workflow_executions",
        "webhook_logs",
        "notifications",
        "activity_logs",
        "sessions",
        "call_attempts",
        "stock_movements",
    ],
)
def test_a_minimal_raw_insert_gets_id_and_timestamps_from_the_database(raw_sql, table):
    if table in rows.PARENT_ROWS:
        row_id = rows.PARENT_ROWS[table]()
    else:
        fk_column = next(c for t, c, _, _ in FOREIGN_KEYS if t == table)
        parent = next(p for t, c, p, _ in FOREIGN_KEYS if t == table and c == fk_column)
        row_id = rows.CHILD_ROWS[table](fk_column, rows.PARENT_ROWS[parent]())
    time_column = "started_at" if table == "workflow_executions" else "created_at"
    (found,) = raw_sql(f"SELECT id, {time_column} FROM {table} WHERE id = %s", [row_id])
    assert found[1] is not None


def test_a_raw_order_insert_gets_the_schemas_defaults(raw_sql):
    order_id = rows.order()
    (row,) = raw_sql(
        "SELECT order_number, status, priority, payment_status, payment_method, source, items, total_amount "
        "FROM orders WHERE id = %s",
        [order_id],
    )
    number, status, priority, payment_status, method, source, items, total = row
    assert number.startswith("ORD-")
    assert (status, priority, payment_status, method, source) == ("new", "medium", "pending", "COD", "manual")
    assert json.loads(items) == []  # Django reads jsonb as text and decodes it itself
    assert total == 0


def test_order_numbers_come_from_the_sequence_and_never_repeat(raw_sql):
    customer_id = rows.customer()
    numbers = [
        raw_sql("SELECT order_number FROM orders WHERE id = %s", [rows.order(customer_id)])[0][0] for _ in range(3)
    ]
    assert len(set(numbers)) == 3
    assert [int(n.removeprefix("ORD-")) for n in numbers] == sorted(int(n.removeprefix("ORD-")) for n in numbers)


def test_order_numbers_keep_growing_past_six_digits(raw_sql):
    raw_sql("SELECT setval('order_number_seq', 999999)")
    assert raw_sql("SELECT next_order_number()") == [("ORD-1000000",)]


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE orders SET status = 'shipped' WHERE id = %s", None),
        ("UPDATE orders SET priority = 'urgent' WHERE id = %s", None),
        ("UPDATE orders SET payment_method = 'card' WHERE id = %s", None),
    ],
    ids=["status", "priority", "payment_method"],
)
def test_the_database_rejects_a_value_outside_the_enum(raw_sql, sql, params):
    order_id = rows.order()
    with pytest.raises(DatabaseError, match="invalid input value for enum"), transaction.atomic():
        raw_sql(sql, [order_id])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE products SET stock_quantity = -1 WHERE id = %s",
        "UPDATE products SET price = -0.01 WHERE id = %s",
        "UPDATE products SET cost_price = -5 WHERE id = %s",
    ],
    ids=["negative-stock", "negative-price", "negative-cost"],
)
def test_products_refuse_negative_money_and_stock(raw_sql, sql):
    product_id = rows.insert("products", name="Kettle", sku="KET-1", price="120.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql(sql, [product_id])


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_delivery_rating_must_be_between_1_and_5(raw_sql, rating):
    delivery_id = rows.CHILD_ROWS["deliveries"]("order_id", rows.order())
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("UPDATE deliveries SET rating = %s WHERE id = %s", [rating, delivery_id])
    raw_sql("UPDATE deliveries SET rating = 5 WHERE id = %s", [delivery_id])


UPDATED_AT_TABLES = {
    "users": rows.user,
    "customers": rows.customer,
    "products": lambda: rows.insert("products", name="Lamp", sku="LAMP-1", price="80.00"),
    "orders": rows.order,
    "deliveries": lambda: rows.CHILD_ROWS["deliveries"]("order_id", rows.order()),
    "workflows": rows.workflow,
    "webhooks": rows.webhook,
}


@pytest.mark.parametrize("table", list(UPDATED_AT_TABLES))
def test_updated_at_moves_on_every_update(raw_sql, table):
    row_id = UPDATED_AT_TABLES[table]()
    ((before,),) = raw_sql(f"SELECT updated_at FROM {table} WHERE id = %s", [row_id])
    # Even an UPDATE that tries to set updated_at itself gets the statement's time.
    raw_sql(f"UPDATE {table} SET updated_at = '2000-01-01T00:00:00Z' WHERE id = %s", [row_id])
    ((after,),) = raw_sql(f"SELECT updated_at FROM {table} WHERE id = %s", [row_id])
    assert after > before
