"""Minimal rows inserted with raw SQL, relying on the schema's database defaults for the rest.

Used by tests that exercise the database on its own (triggers, foreign keys, defaults), the way
another program or a psql session would, without Django filling any column in.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

from django.db import connection

_counter = itertools.count(1)


def insert(table: str, **values) -> str:
    """INSERT one row with just these columns; return its id (as text)."""
    columns = ", ".join(values)
    placeholders = ", ".join(["%s"] * len(values))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id"
    if not values:
        sql = f"INSERT INTO {table} DEFAULT VALUES RETURNING id"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(values.values()))
        return str(cursor.fetchone()[0])


def _n() -> int:
    return next(_counter)


def user(role: str = "customer_rep") -> str:
    n = _n()
    return insert(
        "users", email=f"raw{n}-{uuid.uuid4().hex[:6]}@example.test", password_hash="!", full_name=f"Raw {n}", role=role
    )


def customer() -> str:
    n = _n()
    return insert("customers", full_name=f"Customer {n}", phone=f"+2126{n:08d}")


def order(customer_id: str | None = None, **values) -> str:
    return insert("orders", customer_id=customer_id or customer(), **values)


def workflow() -> str:
    return insert("workflows", name=f"Workflow {_n()}", trigger_type="manual")


def webhook() -> str:
    n = _n()
    return insert("webhooks", name=f"Hook {n}", source="custom", endpoint_url=f"/hooks/{uuid.uuid4().hex}/")


def product() -> str:
    n = _n()
    return insert("products", name=f"Product {n}", sku=f"RAW-{n}-{uuid.uuid4().hex[:6]}", price="50.00")


def delivery() -> str:
    return insert("deliveries", order_id=order(), agent_id=user("delivery_agent"))


def remittance(agent_id: str | None = None) -> str:
    return insert(
        "remittances",
        agent_id=agent_id or user("delivery_agent"),
        amount="100.00",
        held_before="100.00",
        difference="0",
    )


def transaction_row() -> str:
    return insert("financial_transactions", type="revenue", amount="10.00")


# How to make a row that references a given parent, for each table with foreign keys.
CHILD_ROWS: dict[str, Callable[[str, str], str]] = {
    "orders": lambda col, pid: order(**{col: pid}) if col != "customer_id" else order(customer_id=pid),
    "order_history": lambda col, pid: insert("order_history", **{"order_id": order(), "new_status": "new", col: pid}),
    "deliveries": lambda col, pid: insert(
        "deliveries", **{"order_id": order(), "agent_id": user("delivery_agent"), col: pid}
    ),
    "expenses": lambda col, pid: insert("expenses", category="fuel", amount="10.00", **{col: pid}),
    "financial_transactions": lambda col, pid: insert(
        "financial_transactions", type="revenue", amount="-10.00" if col == "reverses_id" else "10.00", **{col: pid}
    ),
    "workflows": lambda col, pid: insert("workflows", name="W", trigger_type="manual", **{col: pid}),
    "workflow_executions": lambda col, pid: insert("workflow_executions", **{"workflow_id": workflow(), col: pid}),
    "webhook_logs": lambda col, pid: insert("webhook_logs", **{col: pid}),
    "notifications": lambda col, pid: insert("notifications", title="Hello", **{col: pid}),
    "activity_logs": lambda col, pid: insert("activity_logs", action="test", entity_type="order", **{col: pid}),
    "customers": lambda col, pid: insert("customers", full_name="C", phone=f"+2127{_n():08d}", **{col: pid}),
    "call_attempts": lambda col, pid: insert(
        "call_attempts", **{"order_id": order(), "outcome": "no_answer", col: pid}
    ),
    "stock_movements": lambda col, pid: insert(
        "stock_movements",
        **{"product_id": product(), "quantity_delta": 1, "stock_after": 1, "reason": "restock", col: pid},
    ),
    "agent_areas": lambda col, pid: insert("agent_areas", **{"area": f"Area {_n()}", col: pid}),
    "remittances": lambda col, pid: insert(
        "remittances",
        **{"agent_id": user("delivery_agent"), "amount": "50.00", "held_before": "50.00", "difference": "0", col: pid},
    ),
    "remittance_allocations": lambda col, pid: insert(
        "remittance_allocations",
        **{"remittance_id": remittance(), "delivery_id": delivery(), "amount": "5.00", col: pid},
    ),
    "agent_cash_closes": lambda col, pid: insert(
        "agent_cash_closes",
        **{
            "agent_id": user("delivery_agent"),
            "date": f"2026-01-0{1 + _n() % 9}",
            "collected": "0",
            "remitted": "0",
            "held": "0",
            col: pid,
        },
    ),
    "two_factor_devices": lambda col, pid: insert("two_factor_devices", **{"secret": "fernet:x", col: pid}),
    "sessions": lambda col, pid: insert(
        "sessions", refresh_token=uuid.uuid4().hex, expires_at="2100-01-01T00:00:00Z", **{col: pid}
    ),
}

PARENT_ROWS: dict[str, Callable[[], str]] = {
    "users": lambda: user("delivery_agent"),
    "customers": customer,
    "orders": order,
    "workflows": workflow,
    "webhooks": webhook,
    "products": product,
    "financial_transactions": transaction_row,
    "deliveries": delivery,
    "remittances": remittance,
}
