"""The migrated database matches docs/spec/SCHEMA.md, item by item.

SCHEMA.md is parsed when the tests are collected (core/tests/schema_spec.py), so the contract
document is the only source of the expected enums, tables, columns, indexes, foreign keys,
triggers and views. What this module adds is interpretation the document leaves open: how its
type names map onto PostgreSQL, and the few places where the database deliberately goes beyond it,
each listed with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from core.tests import schema_spec

pytestmark = pytest.mark.django_db

SPEC = schema_spec.load()

# SCHEMA.md type names -> information_schema.columns.data_type.
SPEC_TYPE_TO_PG = {
    "UUID": "uuid",
    "VARCHAR": "character varying",
    "TEXT": "text",
    "INTEGER": "integer",
    "DECIMAL": "numeric",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "JSONB": "jsonb",
    # Documented decision: the spec says TIMESTAMP, but the application is timezone-aware
    # (USE_TZ = True) and every such column records an instant, so the columns are timestamptz.
    # A plain timestamp would silently drop the offset Django sends and shift values by the
    # session time zone.
    "TIMESTAMP": "timestamp with time zone",
}

# Defaults that mean "the time of this statement/transaction" as PostgreSQL reports them.
NOW_DEFAULTS = frozenset({"now()", "statement_timestamp()", "transaction_timestamp()", "current_timestamp"})

# Columns the database has beyond the spec, each with the reason it must exist. A column missing
# from this list fails test_extra_columns_are_all_accounted_for, so nothing undocumented creeps in.
EXTRA_COLUMNS = {
    "users.last_login": "django.contrib.auth's AbstractBaseUser field, written on every login",
    "users.security_stamp": "part of every session's auth hash: rotating it logs the user out everywhere",
    "customers.returned_orders": (
        "count of returned orders kept by update_customer_stats() so return_rate stays exact "
        "without re-reading the customer's whole order history on every change"
    ),
    "customers.refused_orders": "refusals at the call or the door, feeding the customer's risk band",
    "customers.is_blacklisted": "blacklist flag: new orders from the customer are flagged for review",
    "customers.blacklist_reason": "why the customer was blacklisted",
    "customers.blacklisted_by_id": "who blacklisted the customer",
    "customers.blacklisted_at": "when the customer was blacklisted",
    "orders.external_source": "source platform of an imported order, for idempotent intake",
    "orders.external_id": "the platform's id of the order: a retry or re-import finds the same order",
    "orders.prices_from_source": "imported orders keep the source's prices instead of the catalog's",
    "orders.risk_band": "risk of the incoming order (low/medium/high), computed at intake",
    "orders.risk_reasons": "why the order got its risk band",
    "orders.is_possible_duplicate": "flag for an order that looks like a duplicate of an earlier one",
    "orders.duplicate_of_id": "the earlier order a possible duplicate is linked to",
    "orders.stock_reserved": "the order holds catalog stock, released on cancel or return",
    "orders.unanswered_calls": "unanswered confirmation calls so far (auto-cancel after a limit)",
    "orders.callback_at": "when the customer asked to be called back (rep queue order)",
    "financial_transactions.reverses_id": "a correction points at the entry it reverses (entries are never edited)",
    "deliveries.attempt_number": "which attempt of the order this delivery row is",
    "deliveries.outcome": "in progress, delivered or failed: each attempt has its own row",
    "deliveries.failure_reason": "why an attempt failed (customer not available, refused, ...)",
    "deliveries.failure_note": "the agent's words about a failed attempt",
    "deliveries.postponed_to": "the date the customer asked to be delivered instead",
    "deliveries.ended_at": "when the attempt ended (delivered or failed)",
    "deliveries.cash_collected": "the cash the agent took at the door, reconciled by finance",
    "deliveries.client_token": "the agent form's token: a double tap or retry takes effect once",
    # Inbound webhooks are answered at once and processed by a worker (integrations migration 0006).
    "webhook_logs.processing_state": "received/processed/failed/ignored/duplicate/rejected: what became of the request",
    "webhook_logs.attempts": "processing attempts, so transient failures retry and then give up",
    "webhook_logs.processed_at": "when the worker last handled the request; the sweep skips fresh ones",
    "webhook_logs.topic": "the platform's event (orders/create, order.updated...): create, update or cancel",
    "webhook_logs.delivery_id": "the platform's delivery id: a retried delivery is answered duplicate, processed once",
    "webhook_logs.request_headers": "the request's non-secret headers (shop, topic, delivery ids) for support",
}

# Enums whose database declaration order is the reverse of the spec's listing. The spec lists
# priority_level high-first, but its dashboard queries 1-3 sort with `ORDER BY o.priority DESC`
# and expect high priority first, which needs the enum declared low < medium < high.
DESCENDING_ENUMS = {"priority_level": "ORDER BY priority DESC must put high first (dashboard queries 1-3)"}

# Indexes the spec describes as serving two columns without saying "Composite": a rep's or agent's
# orders "by status", an area's "status queries", a user "timeline" (user, created_at), "entity"
# (entity_type, entity_id) and agent performance over time (agent, delivery_time).
COMPOSITE_BY_DESCRIPTION = {
    "idx_orders_agent_status": "Agent's orders by status",
    "idx_orders_rep_status": "Rep's orders by status",
    "idx_orders_area_status": "Area-based status queries",
    "idx_activity_logs_user_created": "User activity timeline",
    "idx_activity_logs_entity": "Entity-based queries: entity_type + entity_id",
    "idx_deliveries_agent_delivery_time": "Agent performance: agent + delivery_time",
}

# FK lines of the tables section that the "## Relationships" section does not repeat (a gap in the
# document, not in the database); any other difference between the two sections fails.
RELATIONSHIPS_SECTION_OMITS = {"order_history.changed_by_user_id"}

# "**Applied to:**" lists carry no timing. update_updated_at_column() assigns NEW.updated_at,
# which only has an effect in a BEFORE UPDATE row trigger.
UNSTATED_TRIGGER_TIMING = ("BEFORE", frozenset({"UPDATE"}))

# Trigger events beyond the spec's, with the reason.
EXTRA_TRIGGER_EVENTS = {
    "orders.update_customer_stats": {"DELETE": "totals stay right if an order is ever deleted"},
}

# Indexes beyond the spec's, with the reason.
EXTRA_INDEXES = {
    "idx_orders_open_queue": (
        "partial (priority DESC, created_at DESC) index over the open statuses for dashboard query 1; "
        "idx_orders_status_created cannot serve its ORDER BY priority DESC, created_at DESC"
    ),
    "idx_orders_rep_queue": "partial index serving a rep's confirmation queue (callbacks, priority, age)",
    "idx_orders_duplicate_of": "partial index finding the possible duplicates of an order",
    "orders_external_ref_unique": "unique (external_source, external_id): one order per source order",
    "deliveries_client_token_unique": "one delivery action per form token (idempotent submissions)",
    "deliveries_one_in_progress_per_order": "at most one attempt on the way per order",
    "idx_deliveries_agent_open": "partial index of each agent's attempts on the way",
    "idx_webhook_logs_webhook_created": "(webhook_id, created_at DESC): a webhook configuration's latest requests",
    "idx_webhook_logs_received": "partial index of the few requests still waiting, for the sweep",
    "webhook_logs_delivery_unique": "partial unique (webhook_id, delivery_id): one accepted log per platform delivery",
    "financial_transactions_reverses_id_key": "an entry is reversed at most once (one-to-one reverses_id)",
}

# Spec indexes the database makes unique although the spec names no UNIQUE column for them.
EXTRA_UNIQUE_INDEXES = {
    "idx_webhooks_endpoint_url": "each webhook configuration answers at its own URL (integrations.models)",
    "idx_customers_phone": "phones are stored normalised (E.164): one phone is one customer",
}

# Foreign keys on the spec's tables beyond the spec's, with the ON DELETE rule they carry and why.
EXTRA_FOREIGN_KEYS = {
    "customers.blacklisted_by_id": ("n", "who blacklisted the customer; SET NULL when that user is deleted"),
    "orders.duplicate_of_id": ("n", "a possible duplicate's earlier order; SET NULL when that order is deleted"),
    "financial_transactions.reverses_id": ("r", "a reversed entry cannot be deleted: RESTRICT"),
}

ON_DELETE_CODES = {"RESTRICT": "r", "CASCADE": "c", "SET NULL": "n", "NO ACTION": "a"}

# pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h).
TRIGGER_ROW, TRIGGER_BEFORE, TRIGGER_INSTEAD = 1 << 0, 1 << 1, 1 << 6
TRIGGER_EVENT_BITS = {"INSERT": 1 << 2, "DELETE": 1 << 3, "UPDATE": 1 << 4, "TRUNCATE": 1 << 5}


def _params(items, key):
    return [pytest.param(item, id=key(item)) for item in items]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# --- Catalog readers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DbColumn:
    data_type: str
    udt_name: str
    default: str | None


def db_columns(raw_sql, table: str) -> dict[str, DbColumn]:
    rows = raw_sql(
        "SELECT column_name, data_type, udt_name, column_default FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s",
        [table],
    )
    return {name: DbColumn(data_type, udt, default) for name, data_type, udt, default in rows}


@dataclass(frozen=True)
class DbIndex:
    table: str
    definition: str
    method: str
    key_columns: int
    unique: bool
    columns: list[str]  # plain key columns, in order; expression keys are left out


def db_index(raw_sql, name: str) -> DbIndex | None:
    rows = raw_sql(
        """
        SELECT x.tablename, x.indexdef, am.amname, i.indnkeyatts, i.indisunique,
               ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.ord)
        FROM pg_indexes x
        JOIN pg_class ic ON ic.oid = (quote_ident(x.schemaname) || '.' || quote_ident(x.indexname))::regclass
        JOIN pg_index i ON i.indexrelid = ic.oid
        JOIN pg_am am ON am.oid = ic.relam
        WHERE x.schemaname = current_schema() AND x.indexname = %s
        """,
        [name],
    )
    return DbIndex(*rows[0]) if rows else None


@dataclass(frozen=True)
class DbForeignKey:
    name: str
    columns: list[str]
    ref_table: str
    ref_columns: list[str]
    on_delete: str


def db_foreign_keys(raw_sql, table: str) -> list[DbForeignKey]:
    rows = raw_sql(
        """
        SELECT c.conname,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.ord),
               rt.relname,
               ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.ord),
               c.confdeltype
        FROM pg_constraint c
        JOIN pg_class rt ON rt.oid = c.confrelid
        WHERE c.contype = 'f' AND c.conrelid = %s::regclass
        """,
        [table],
    )
    return [DbForeignKey(*row) for row in rows]


@dataclass(frozen=True)
class DbTrigger:
    name: str
    function: str
    tgtype: int
    enabled: str

    @property
    def timing(self) -> str:
        if self.tgtype & TRIGGER_INSTEAD:
            return "INSTEAD OF"
        return "BEFORE" if self.tgtype & TRIGGER_BEFORE else "AFTER"

    @property
    def events(self) -> frozenset[str]:
        return frozenset(event for event, bit in TRIGGER_EVENT_BITS.items() if self.tgtype & bit)

    @property
    def for_each_row(self) -> bool:
        return bool(self.tgtype & TRIGGER_ROW)


def db_triggers(raw_sql, table: str) -> list[DbTrigger]:
    rows = raw_sql(
        "SELECT t.tgname, p.proname, t.tgtype, t.tgenabled FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal",
        [table],
    )
    return [DbTrigger(*row) for row in rows]


# --- Guard: the parser read the whole contract --------------------------------------------------


def test_parser_found_the_whole_contract():
    """A parser bug must fail loudly, not leave the parametrized tests below with nothing to check."""
    assert len(SPEC.enums) == 12
    assert all(len(enum.values) >= 3 for enum in SPEC.enums.values())
    assert len(SPEC.tables) == 15
    assert [table.number for table in SPEC.tables.values()] == list(range(1, 16))
    assert all(any(column.name == "id" for column in table.columns) for table in SPEC.tables.values())
    assert len(SPEC.indexes) > 70
    # 19 "**Foreign Keys:**" lines under the tables; the Relationships section repeats 18 of them.
    assert len(SPEC.foreign_keys) == 19
    assert len(SPEC.relationships) == 18
    # Every column the spec marks FK has its FK line, and nothing else does.
    assert {c.key for c in SPEC.columns if "FK" in c.flags} == {fk.key for fk in SPEC.foreign_keys}
    assert len({c.key for c in SPEC.columns if "UNIQUE" in c.flags}) == 4
    assert len(SPEC.gin_columns) == 5
    assert {t.function for t in SPEC.triggers} == {
        "update_updated_at_column",
        "update_customer_stats",
        "log_order_status_change",
    }
    assert len(SPEC.views) == 3
    assert all(view.queried_columns and view.include_facets() for view in SPEC.views.values())
    # The interpretation tables above must name things the spec still has.
    spec_indexes = {index.name for index in SPEC.indexes}
    assert set(COMPOSITE_BY_DESCRIPTION) <= spec_indexes
    assert set(DESCENDING_ENUMS) <= set(SPEC.enums)
    assert {fk.key for fk in SPEC.foreign_keys} >= RELATIONSHIPS_SECTION_OMITS


# --- Enums --------------------------------------------------------------------------------------


def _enum_labels(raw_sql, name: str, descending: bool = False) -> list[str]:
    """The enum's labels sorted by the enum's own ordering (what ORDER BY on such a column does)."""
    direction = "DESC" if descending else "ASC"
    # ORDER BY the enum value, not its text: the alias keeps ORDER BY from picking the text column.
    rows = raw_sql(
        f"SELECT e.value::text AS label FROM unnest(enum_range(NULL::{_q(name)})) AS e(value) "
        f"ORDER BY e.value {direction}"
    )
    return [label for (label,) in rows]


@pytest.mark.parametrize("enum", _params(SPEC.enums.values(), lambda e: e.name))
def test_enum(raw_sql, enum):
    rows = raw_sql(
        "SELECT e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
        "WHERE t.typname = %s AND t.typnamespace = current_schema()::regnamespace",
        [enum.name],
    )
    assert rows, f"enum type {enum.name} does not exist"
    assert {label for (label,) in rows} == set(enum.values)


@pytest.mark.parametrize("enum", _params(SPEC.enums.values(), lambda e: e.name))
def test_enum_order(raw_sql, enum):
    descending = enum.name in DESCENDING_ENUMS
    assert _enum_labels(raw_sql, enum.name, descending=descending) == list(enum.values), (
        f"{enum.name} must sort {'descending' if descending else 'ascending'} in the spec's listed order"
    )


def test_priority_level_sorts_high_above_medium_above_low(raw_sql):
    # Stated outright because the dashboard's queue ordering depends on it.
    [(ordered,)] = raw_sql(
        "SELECT 'high'::priority_level > 'medium'::priority_level AND 'medium'::priority_level > 'low'::priority_level"
    )
    assert ordered


# --- Tables and columns -------------------------------------------------------------------------


@pytest.mark.parametrize("table", _params(SPEC.tables.values(), lambda t: t.name))
def test_table(raw_sql, table):
    rows = raw_sql(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = %s",
        [table.name],
    )
    assert rows == [("BASE TABLE",)]


@pytest.mark.parametrize("column", _params(SPEC.columns, lambda c: c.key))
def test_column(raw_sql, column):
    db = db_columns(raw_sql, column.table).get(column.name)
    assert db is not None, f"column {column.key} does not exist"
    if column.type in SPEC.enums:
        assert (db.data_type, db.udt_name) == ("USER-DEFINED", column.type)
    else:
        assert column.type in SPEC_TYPE_TO_PG, f"spec type {column.type!r} of {column.key} has no mapping"
        assert db.data_type == SPEC_TYPE_TO_PG[column.type]


def test_extra_columns_are_all_accounted_for(raw_sql):
    extra = set()
    for table in SPEC.tables.values():
        documented = {column.name for column in table.columns}
        extra |= {f"{table.name}.{name}" for name in db_columns(raw_sql, table.name) if name not in documented}
    assert extra == set(EXTRA_COLUMNS), (
        f"undocumented: {sorted(extra - set(EXTRA_COLUMNS))}, listed but gone: {sorted(set(EXTRA_COLUMNS) - extra)}"
    )


@pytest.mark.parametrize("table", _params(SPEC.tables.values(), lambda t: t.name))
def test_primary_key(raw_sql, table):
    [spec_pk] = [column.name for column in table.columns if "PK" in column.flags]
    rows = raw_sql(
        "SELECT ARRAY(SELECT a.attname FROM unnest(c.conkey) k(num) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num) "
        "FROM pg_constraint c WHERE c.contype = 'p' AND c.conrelid = %s::regclass",
        [table.name],
    )
    assert rows == [([spec_pk],)]
    db = db_columns(raw_sql, table.name)[spec_pk]
    assert db.data_type == "uuid"
    assert db.default == "gen_random_uuid()", "raw SQL inserts must get an id from the database"


TIMESTAMP_DEFAULT_COLUMNS = [c for c in SPEC.columns if c.name in {"created_at", "updated_at"}]


@pytest.mark.parametrize("column", _params(TIMESTAMP_DEFAULT_COLUMNS, lambda c: c.key))
def test_timestamp_default(raw_sql, column):
    default = db_columns(raw_sql, column.table)[column.name].default
    assert (default or "").lower() in NOW_DEFAULTS, f"{column.key} defaults to {default!r}"


# --- Indexes and unique constraints -------------------------------------------------------------


UNIQUE_COLUMNS = [column for column in SPEC.columns if "UNIQUE" in column.flags]


def _is_composite(index: schema_spec.Index) -> bool:
    return index.marked_composite or index.name in COMPOSITE_BY_DESCRIPTION


@pytest.mark.parametrize("index", _params(SPEC.indexes, lambda i: i.name))
def test_index(raw_sql, index):
    db = db_index(raw_sql, index.name)
    assert db is not None, f"index {index.name} does not exist"
    assert db.table == index.table
    if index.marked_gin:
        assert db.method == "gin", db.definition
        assert "USING gin" in db.definition
    else:
        # PostgreSQL's default index type, which the spec means when it says nothing.
        assert db.method == "btree", db.definition
    if index.marked_fulltext:
        assert "to_tsvector" in db.definition
    if _is_composite(index):
        assert db.key_columns > 1, f"{index.name} should be composite: {db.definition}"
    if db.unique:
        # Unique only where the spec has a UNIQUE column, or where EXTRA_UNIQUE_INDEXES says why.
        unique_columns = {column.key for column in UNIQUE_COLUMNS}
        on_unique_column = len(db.columns) == 1 and f"{index.table}.{db.columns[0]}" in unique_columns
        assert on_unique_column or index.name in EXTRA_UNIQUE_INDEXES, f"{index.name} is unique: {db.definition}"


def test_no_undocumented_indexes(raw_sql):
    rows = raw_sql(
        """
        SELECT ic.relname FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s) AND NOT i.indisprimary
        """,
        [list(SPEC.tables)],
    )
    extra = {name for (name,) in rows} - {index.name for index in SPEC.indexes}
    assert extra == set(EXTRA_INDEXES), f"undocumented indexes: {sorted(extra - set(EXTRA_INDEXES))}"


@pytest.mark.parametrize("table_column", _params(SPEC.gin_columns, lambda tc: ".".join(tc)))
def test_jsonb_gin_index(raw_sql, table_column):
    table, column = table_column
    rows = raw_sql(
        """
        SELECT ic.relname FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_am am ON am.oid = ic.relam
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[])
        WHERE i.indrelid = %s::regclass AND am.amname = 'gin' AND a.attname = %s
        """,
        [table, column],
    )
    named = {index.name for index in SPEC.tables[table].indexes}
    assert {name for (name,) in rows} & named, f"no spec-named GIN index on {table}.{column} (found {rows})"


@pytest.mark.parametrize("column", _params(UNIQUE_COLUMNS, lambda c: c.key))
def test_unique(raw_sql, column):
    # A full (not partial, not expression) unique index on exactly this one column.
    rows = raw_sql(
        """
        SELECT ic.relname FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indnkeyatts = 1
          AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attname = %s
        """,
        [column.table, column.name],
    )
    assert rows, f"{column.key} is not unique"


# --- Foreign keys -------------------------------------------------------------------------------


@pytest.mark.parametrize("fk", _params(SPEC.foreign_keys, lambda fk: fk.key))
def test_fk(raw_sql, fk):
    matching = [db for db in db_foreign_keys(raw_sql, fk.table) if db.columns == [fk.column]]
    # Exactly one: a leftover Django-named FK beside the rule-carrying one would be a second rule.
    assert len(matching) == 1, f"{fk.key}: expected one foreign key, found {matching}"
    [db] = matching
    assert (db.ref_table, db.ref_columns) == (fk.ref_table, [fk.ref_column])
    assert db.on_delete == ON_DELETE_CODES[fk.on_delete], f"{db.name} is not ON DELETE {fk.on_delete}"


@pytest.mark.parametrize("relationship", _params(SPEC.relationships, lambda r: r.key))
def test_relationship_agrees_with_fk_line(relationship):
    lines = {fk.key: fk for fk in SPEC.foreign_keys}
    assert relationship.key in lines, f"{relationship.key} is in Relationships but has no FK line"
    assert relationship == lines[relationship.key]


def test_relationships_section_omits_only_known_fk_lines():
    omitted = {fk.key for fk in SPEC.foreign_keys} - {r.key for r in SPEC.relationships}
    assert omitted == RELATIONSHIPS_SECTION_OMITS


def test_no_undocumented_foreign_keys(raw_sql):
    in_db = {
        f"{table}.{col}": db for table in SPEC.tables for db in db_foreign_keys(raw_sql, table) for col in db.columns
    }
    assert set(in_db) == {fk.key for fk in SPEC.foreign_keys} | set(EXTRA_FOREIGN_KEYS)
    for key, (rule, _why) in EXTRA_FOREIGN_KEYS.items():
        assert in_db[key].on_delete == rule, key


# --- Triggers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", _params(SPEC.triggers, lambda t: t.key))
def test_trigger(raw_sql, trigger):
    timing, events = (trigger.timing, trigger.events) if trigger.timing else UNSTATED_TRIGGER_TIMING
    found = [db for db in db_triggers(raw_sql, trigger.table) if db.function == trigger.function]
    assert found, f"no trigger on {trigger.table} executes {trigger.function}()"
    # The function may be attached by several triggers (e.g. one per event, with its own WHEN).
    for db in found:
        assert db.for_each_row, f"{db.name} is not FOR EACH ROW"
        assert db.timing == timing, f"{db.name} fires {db.timing}, spec says {timing}"
        assert db.enabled != "D", f"{db.name} is disabled"
    fired_on = frozenset().union(*(db.events for db in found))
    assert events <= fired_on, f"{trigger.key} fires on {sorted(fired_on)}, spec says {sorted(events)}"
    unexplained = fired_on - events - set(EXTRA_TRIGGER_EVENTS.get(trigger.key, {}))
    assert not unexplained, f"{trigger.key} also fires on {sorted(unexplained)}"


# Triggers on the spec's tables beyond the spec's three functions, with the reason.
EXTRA_TRIGGERS = {
    "activity_logs.activity_logs_append_only": "the audit trail refuses UPDATE and DELETE (accounts migration 0005)",
}


def test_no_undocumented_triggers(raw_sql):
    in_db = {f"{table}.{db.function}" for table in SPEC.tables for db in db_triggers(raw_sql, table)}
    assert in_db == {trigger.key for trigger in SPEC.triggers} | set(EXTRA_TRIGGERS)


# --- Views --------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", _params(SPEC.views.values(), lambda v: v.name))
def test_view(raw_sql, view):
    assert raw_sql(
        "SELECT 1 FROM information_schema.views WHERE table_schema = current_schema() AND table_name = %s",
        [view.name],
    ), f"view {view.name} does not exist"
    columns = set(db_columns(raw_sql, view.name))
    # Columns the spec's own example queries filter and sort on.
    assert view.queried_columns <= columns, f"missing {sorted(view.queried_columns - columns)}"
    # Every "Includes:" facet is a column: e.g. "Completed deliveries count" -> completed_deliveries.
    for facet, words in view.include_facets():
        assert any(words <= set(name.split("_")) for name in columns), f"{view.name}: no column for {facet!r}"


# --- CHECK constraints --------------------------------------------------------------------------


@pytest.fixture
def one_row_each(raw_sql):
    """One valid row in each table that has a CHECK constraint under test, by table name."""

    def insert(sql, params=()):
        [(row_id,)] = raw_sql(sql + " RETURNING id", params)
        return row_id

    agent = insert(
        "INSERT INTO users (email, password_hash, full_name, role) "
        "VALUES ('checks@example.test', 'x', 'Check Agent', 'delivery_agent')"
    )
    customer = insert("INSERT INTO customers (full_name, phone) VALUES ('Check Customer', '+10000000000')")
    order = insert("INSERT INTO orders (customer_id) VALUES (%s)", [customer])
    return {
        "orders": order,
        "products": insert("INSERT INTO products (name, sku, price) VALUES ('Check', 'CHECK-1', 1)"),
        "deliveries": insert("INSERT INTO deliveries (order_id, agent_id) VALUES (%s, %s)", [order, agent]),
        "expenses": insert("INSERT INTO expenses (category, amount) VALUES ('fuel', 1)"),
        "financial_transactions": insert("INSERT INTO financial_transactions (type, amount) VALUES ('revenue', 1)"),
    }


CENT = Decimal("0.01")
# (table, column, an allowed boundary value, the value just beyond it)
CHECKS = [
    ("deliveries", "rating", 1, 0),
    ("deliveries", "rating", 5, 6),
    ("products", "price", Decimal(0), -CENT),
    ("products", "cost_price", Decimal(0), -CENT),
    ("products", "stock_quantity", 0, -1),
    ("orders", "subtotal", Decimal(0), -CENT),
    ("orders", "delivery_fee", Decimal(0), -CENT),
    ("orders", "total_amount", Decimal(0), -CENT),
    ("expenses", "amount", Decimal(0), -CENT),
    ("financial_transactions", "amount", Decimal(0), -CENT),
]


@pytest.mark.parametrize(
    ("table", "column", "allowed", "rejected"), [pytest.param(*c, id=f"{c[0]}.{c[1]}={c[3]}") for c in CHECKS]
)
def test_check_constraint(raw_sql, one_row_each, table, column, allowed, rejected):
    update = f"UPDATE {_q(table)} SET {_q(column)} = %s WHERE id = %s"
    row_id = one_row_each[table]
    # The boundary value is accepted, so the rejection below is the CHECK and nothing else.
    raw_sql(update, [allowed, row_id])
    # The savepoint keeps the test's transaction usable after the error.
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        raw_sql(update, [rejected, row_id])
    assert isinstance(raised.value.__cause__, psycopg.errors.CheckViolation), raised.value
