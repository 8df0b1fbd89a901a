"""seed_demo's work: fixed rows by natural key, then (once) the generated business, in one transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from catalog.models import Product
from core.demo import bulk, extras, reference, schedule
from core.demo.catalog import PRODUCTS
from core.demo.customers import CUSTOMER_COLUMNS, CustomerPool, customer_count
from core.demo.lifecycle import (
    DELIVERY_COLUMNS,
    HISTORY_COLUMNS,
    ORDER_COLUMNS,
    READY,
    SHOWCASE,
    TRANSACTION_COLUMNS,
    Batch,
    Line,
    OrderMaker,
    Staff,
)
from core.demo.people import AREA_NAMES, DEMO_USERS

DEFAULT_ORDERS = 2000
DEFAULT_SEED = 2026
SUMMARY_TABLES = (
    "users", "products", "customers", "orders", "order_history", "deliveries", "financial_transactions",
    "expenses", "notifications", "activity_logs", "workflows", "workflow_executions", "webhooks", "webhook_logs",
)  # fmt: skip
# Reps differ in volume handled and in how many orders they lose at confirmation.
REP_WEIGHTS, REP_CANCEL_FACTORS = (1.0, 0.8, 0.6), (0.85, 1.0, 1.2)


@dataclass
class SeedResult:
    loaded_orders: bool  # False when orders existed already and were left alone
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def seed_demo(
    *,
    orders: int = DEFAULT_ORDERS,
    customers: int | None = None,
    reset: bool = False,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = lambda message: None,
) -> SeedResult:
    """Load the demo business. Idempotent: fixed rows are matched by natural key, and the generated
    customers and orders are only loaded when there are no orders yet (or after `reset`, which first
    empties the business tables). Same `seed`, same data, relative to the time of the run."""
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, nothing secret
    now = timezone.now()
    with transaction.atomic():
        if reset:
            log("Emptying the business tables")
            bulk.truncate_business_tables()
        users = reference.sync_users(overwrite=reset)
        products = reference.sync_products(overwrite=reset)
        webhooks = reference.sync_webhooks(overwrite=reset)
        shopify = next(webhook for webhook in webhooks.values() if webhook.source == "shopify")
        workflows = reference.sync_workflows(
            creator=users["admin@demo.cod"], shopify_webhook_id=str(shopify.id), overwrite=reset
        )
        loaded = not bulk.orders_exist()
        if loaded:
            _load_business(rng, now, orders, customers or customer_count(orders), users, products, log)
            log("Adding expenses, notifications, activity and workflow runs")
            extras.create_expenses(rng, users, orders, now, schedule.DAYS)
            extras.create_notifications(rng, users, now)
            extras.create_activity(rng, users, now)
            extras.create_workflow_runs(rng, workflows, now)
            extras.create_webhook_logs(webhooks)
        else:
            log("Orders exist already: left as they are (use --reset to reload them)")
    return SeedResult(loaded, bulk.table_counts(SUMMARY_TABLES), bulk.status_counts(), time.monotonic() - started)


def _load_business(rng, now, orders: int, customers: int, users, products, log) -> None:
    """Customers, then orders with their history, deliveries and ledger entries, one day per COPY batch."""
    now_ts = now.timestamp()
    log(f"Generating {customers:,} customers")
    pool = CustomerPool(rng, customers, now_ts, schedule.DAYS)
    maker = OrderMaker(rng, now_ts, pool, _lines(products), _staff(rng, users))
    with bulk.bulk_loading():
        bulk.copy_rows("customers", CUSTOMER_COLUMNS, pool.rows)
        days = schedule.plan(orders, now, minimum_today=len(SHOWCASE) + 6)
        for index, day in enumerate(days):
            batch = Batch()
            numbers = bulk.reserve_order_numbers(day.count)
            targets = _showcase(rng) if day.is_today else []
            for position, (number, created) in enumerate(zip(numbers, schedule.times(rng, day), strict=True)):
                target, priority = targets[position] if position < len(targets) else (None, None)
                # The high-priority ready_for_pickup showcase order waits for an agent (dashboard query 3).
                unassigned = target == READY and priority == "high"
                maker.make(batch, number, created, target=target, priority=priority, unassigned=unassigned)
            bulk.copy_rows("orders", ORDER_COLUMNS, batch.orders)
            bulk.copy_rows("order_history", HISTORY_COLUMNS, batch.history)
            bulk.copy_rows("deliveries", DELIVERY_COLUMNS, batch.deliveries)
            bulk.copy_rows("financial_transactions", TRANSACTION_COLUMNS, batch.transactions)
            if index % 10 == 9 or day.is_today:
                log(f"  {sum(d.count for d in days[: index + 1]):,} / {orders:,} orders")
    log("Dating and tagging customers, recounting their totals")
    bulk.finish_customers()


def _showcase(rng: random.Random) -> list[tuple[str, str]]:
    """(status, priority) for today's first orders, in random order: every status, high and low."""
    targets = list(SHOWCASE)
    rng.shuffle(targets)
    return targets


def _lines(products: dict[str, Product]) -> list[Line]:
    """What can be ordered: each active product, or each of its variants, with its share of sales."""
    lines = []
    for spec in PRODUCTS:
        product = products[spec.sku]
        if not product.is_active:
            continue
        variants = product.variants or [None]
        for variant in variants:
            if variant is None:
                lines.append(Line(str(product.id), None, product.sku, product.name, _cents(product.price),
                                  spec.popularity))  # fmt: skip
                continue
            name = f"{product.name} - {'/'.join(variant['attributes'].values())}"
            lines.append(
                Line(str(product.id), variant["id"], variant["sku"], name, _cents(variant["price"]),
                     spec.popularity / len(variants))
            )  # fmt: skip
    return lines


def _cents(amount) -> int:
    return int(Decimal(str(amount)) * 100)


def _staff(rng: random.Random, users: dict[str, User]) -> Staff:
    by_role: dict[str, list[User]] = {}
    for demo in DEMO_USERS:
        by_role.setdefault(demo.role, []).append(users[demo.email])
    agents: list[list] = [[] for _ in AREA_NAMES]
    for demo in DEMO_USERS:
        if demo.area:
            # Agents differ in how often their parcels come back.
            agents[AREA_NAMES.index(demo.area)].append((users[demo.email].id, rng.uniform(0.7, 1.3)))
    reps = [user.id for user in by_role[Role.CUSTOMER_REP]]
    return Staff(
        reps=reps,
        rep_weights=list(REP_WEIGHTS[: len(reps)]),
        rep_cancel_factor=list(REP_CANCEL_FACTORS[: len(reps)]),
        manager=by_role[Role.MANAGER][0].id,
        accountant=by_role[Role.ACCOUNTANT][0].id,
        agents=agents,
    )
