"""Every query of docs/spec/SCHEMA.md runs, as written, against the migrated schema and the demo data.

The ```sql blocks of the "Views" and "Query Optimization Notes" sections are read from the markdown
when the tests are collected, so a query added to or changed in the contract is tested as it is.
`$1` becomes a bound parameter whose value is picked from the demo data by the column it is compared
with: an agent with active deliveries, an area with a VIP customer, and so on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from core.demo import bulk

pytestmark = pytest.mark.django_db

SCHEMA_MD = Path(settings.BASE_DIR) / "docs" / "spec" / "SCHEMA.md"
SECTIONS = ("Views", "Query Optimization Notes")
_HEADING = re.compile(r"^(#{2,4}) (.+?)\s*$")
_COMPARED_WITH_PARAM = re.compile(r"(?:\w+\.)?(\w+)\s*=\s*\$1\b")

# Column compared with $1 -> how to pick a value for it that the demo data guarantees to have rows.
PARAMETER_SOURCES = {
    "assigned_agent_id": "SELECT assigned_agent_id FROM orders "
    "WHERE status IN ('ready_for_pickup', 'out_for_delivery') AND assigned_agent_id IS NOT NULL "
    "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    "delivery_area": "SELECT delivery_area FROM orders "
    "WHERE status = 'ready_for_pickup' AND assigned_agent_id IS NULL ORDER BY 1 LIMIT 1",
    "customer_id": "SELECT customer_id FROM orders GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    "agent_id": "SELECT agent_id FROM deliveries GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    "area": """SELECT area FROM customers WHERE tags @> '[{"id": "vip"}]'
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""",
    "user_id": "SELECT user_id FROM notifications WHERE NOT is_read GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
}
PRIORITY_RANK = {"high": 3, "medium": 2, "low": 1}


@dataclass(frozen=True)
class SpecQuery:
    kind: str  # view, dashboard or maintenance
    title: str  # the heading above the block
    sql: str

    @property
    def id(self) -> str:
        return f"{self.kind}-{re.sub(r'[^a-z0-9]+', '-', self.title.lower()).strip('-')}"

    @property
    def number(self) -> int | None:
        match = re.match(r"(\d+)\.", self.title)
        return int(match.group(1)) if match else None


def _code_lines(sql: str) -> list[str]:
    return [line.strip() for line in sql.splitlines() if line.strip() and not line.strip().startswith("--")]


def _is_only_comments(sql: str) -> bool:
    return not _code_lines(sql)


def _kind(headings: dict[int, str]) -> str:
    if headings.get(2) == "Views":
        return "view"
    return {"Dashboard Queries": "dashboard", "Maintenance Queries": "maintenance"}.get(headings.get(3), "other")


def parse_spec_queries(markdown: str) -> list[SpecQuery]:
    """The ```sql blocks of SECTIONS, minus blocks holding only comments, with the heading above each."""
    headings: dict[int, str] = {}
    queries, block = [], None
    for line in markdown.splitlines():
        if block is not None:
            if line.strip() == "```":
                sql = "\n".join(block).strip()
                if headings.get(2) in SECTIONS and not _is_only_comments(sql):
                    queries.append(SpecQuery(_kind(headings), headings.get(4) or headings.get(3, ""), sql))
                block = None
            else:
                block.append(line)
        elif line.strip() == "```sql":
            block = []
        elif match := _HEADING.match(line):
            level = len(match.group(1))
            headings = {lvl: title for lvl, title in headings.items() if lvl < level} | {level: match.group(2)}
    return queries


SPEC_QUERIES = parse_spec_queries(SCHEMA_MD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", autouse=True)
def demo_business(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", orders=300, reset=True, quiet=True)
        yield
        with connection.cursor() as cursor:
            tables = ", ".join(("users", "products", "workflows", "webhooks", *bulk.BUSINESS_TABLES))
            cursor.execute(f"TRUNCATE {tables} CASCADE")


def _parameter_for(sql: str) -> list:
    """[] for a query without $1; else a value for the column that $1 is compared with."""
    if "$1" not in sql:
        return []
    columns = set(_COMPARED_WITH_PARAM.findall(sql))
    assert len(columns) == 1, f"cannot tell which column $1 stands for in:\n{sql}"
    column = columns.pop()
    assert column in PARAMETER_SOURCES, f"no demo value known for a parameter compared with {column}"
    with connection.cursor() as cursor:
        cursor.execute(PARAMETER_SOURCES[column])
        row = cursor.fetchone()
    assert row is not None, f"the demo data has nothing to query by {column}"
    return [row[0]]


def run_verbatim(query: SpecQuery):
    """Run the block as written, $1 bound as a parameter. Returns (column names, rows) or rowcount."""
    params = _parameter_for(query.sql)
    # With parameters, a literal % must be doubled for the driver; the spec's queries have none today.
    sql = query.sql.replace("%", "%%").replace("$1", "%s") if params else query.sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params or None)
        if cursor.description is None:
            return cursor.rowcount
        return [column.name for column in cursor.description], cursor.fetchall()


def test_the_spec_still_has_every_query_this_module_tests():
    kinds = [query.kind for query in SPEC_QUERIES]
    assert kinds.count("dashboard") >= 10
    assert kinds.count("view") >= 3
    assert kinds.count("maintenance") >= 2


@pytest.mark.parametrize("query", SPEC_QUERIES, ids=[query.id for query in SPEC_QUERIES])
def test_spec_query_runs_verbatim_on_demo_data(query):
    result = run_verbatim(query)
    if _code_lines(query.sql)[0].upper().startswith("DELETE"):
        assert isinstance(result, int) and result >= 0
        return
    columns, rows = result
    assert rows, f"{query.id} returned no rows on the demo data"
    if query.kind == "dashboard" and query.number == 5:
        today = dict(zip(columns, rows[0], strict=True))
        # Today's first demo orders reach every status, so today's figures are never all zero.
        assert today["delivered_count"] > 0 and today["cancelled_count"] > 0 and today["returned_count"] > 0


def test_recent_orders_dashboard_puts_high_priority_first():
    recent = next(query for query in SPEC_QUERIES if query.kind == "dashboard" and query.number == 1)
    columns, rows = run_verbatim(recent)
    ranks = [PRIORITY_RANK[row[columns.index("priority")]] for row in rows]
    assert ranks == sorted(ranks, reverse=True)
    assert ranks[0] == PRIORITY_RANK["high"] and min(ranks) < PRIORITY_RANK["high"]
