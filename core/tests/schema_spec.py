"""Read docs/spec/SCHEMA.md, the schema contract, into plain data for the schema fidelity tests.

The parser relies only on the document's own conventions (headings, bold labels such as
"**Columns:**", backticked list items), so the tests follow the document when it changes. It is
strict about those conventions: a list item inside a known block that does not have the expected
shape raises SpecFormatError instead of being skipped, so a wording change cannot silently make a
test check less.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SCHEMA_MD = Path(__file__).resolve().parents[2] / "docs" / "spec" / "SCHEMA.md"

_HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")
_ENUM_VALUE = re.compile(r"^- `([^`]+)` - .+$")
_TABLE_HEADING = re.compile(r"^(\d+)\. (\w+)$")
_COLUMN = re.compile(r"^- `(\w+)` \(([^)]+)\) - (.+)$")
_INDEX = re.compile(r"^- `(idx_\w+)` - (.+)$")
_FOREIGN_KEY = re.compile(r"^- `(\w+)` -> (\w+)\((\w+)\) - ON DELETE (RESTRICT|CASCADE|SET NULL|NO ACTION)$")
_RELATIONSHIP = re.compile(
    r"- FK: (\w+)\.(\w+) -> (\w+)\.(\w+)\s*\n\s*- ON DELETE: (RESTRICT|CASCADE|SET NULL|NO ACTION)\b"
)
_GIN_COLUMN = re.compile(r"^- `(\w+)\.(\w+)` - .+$")
_FUNCTION = re.compile(r"^\*\*Function:\*\* `(\w+)\(\)`$")
_APPLIED_INLINE = re.compile(r"^(\w+) \((BEFORE|AFTER) ([A-Z ]+)\)$")
_VIEW_HEADING = re.compile(r"^(\d+)\. (\w+)$")

# Words that can follow a view name in the spec's example queries without being column names.
_SQL_WORDS = frozenset(
    {
        *("where", "and", "or", "not", "order", "by", "asc", "desc", "limit", "offset", "is", "null", "in"),
        *("like", "between", "current_date", "current_timestamp", "interval", "true", "false", "nulls"),
        *("first", "last"),
    }
)
# Words of a view's "Includes:" items that describe rather than name a column.
_INCLUDES_FILLER = frozenset({"basic", "info", "details", "count", "assigned", "and"})


class SpecFormatError(ValueError):
    """SCHEMA.md no longer follows the conventions this parser reads."""


@dataclass(frozen=True)
class Enum:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    type: str  # as written in the spec: UUID, VARCHAR, ..., or an enum type name
    flags: frozenset[str]  # PK, FK, UNIQUE
    description: str

    @property
    def key(self) -> str:
        return f"{self.table}.{self.name}"


@dataclass(frozen=True)
class Index:
    table: str
    name: str
    description: str

    @property
    def marked_gin(self) -> bool:
        return "(GIN)" in self.description or "GIN index" in self.description

    @property
    def marked_fulltext(self) -> bool:
        return "full-text" in self.description.lower()

    @property
    def marked_composite(self) -> bool:
        return "composite" in self.description.lower()


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    ref_table: str
    ref_column: str
    on_delete: str  # RESTRICT, CASCADE, SET NULL

    @property
    def key(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class Table:
    number: int
    name: str
    columns: tuple[Column, ...]
    indexes: tuple[Index, ...]
    foreign_keys: tuple[ForeignKey, ...]


@dataclass(frozen=True)
class Trigger:
    function: str
    table: str
    timing: str | None  # BEFORE / AFTER when the spec states it
    events: frozenset[str]  # INSERT / UPDATE / DELETE when the spec states them

    @property
    def key(self) -> str:
        return f"{self.table}.{self.function}"


@dataclass(frozen=True)
class View:
    name: str
    includes: tuple[str, ...]  # the "Includes:" bullet points, verbatim
    queried_columns: frozenset[str]  # columns the spec's example queries read from the view

    def include_facets(self) -> list[tuple[str, frozenset[str]]]:
        """Split the "Includes:" items into facets, each a set of words one column name must contain.

        "Order basic info (number, status, priority, amount)" gives one facet per listed word;
        "Assigned agent name and availability" gives {agent, name} and {availability};
        "Completed deliveries count" gives {completed, deliveries}.
        """
        facets = []
        for item in self.includes:
            listed = re.search(r"\(([^)]*)\)", item)
            parts = listed.group(1).split(",") if listed else re.split(r"\band\b", item)
            for part in parts:
                words = frozenset(re.findall(r"[a-z]+", part.lower())) - _INCLUDES_FILLER
                if words:
                    facets.append((f"{item} -> {part.strip()}", words))
        return facets


@dataclass(frozen=True)
class Schema:
    enums: dict[str, Enum]
    tables: dict[str, Table]
    relationships: tuple[ForeignKey, ...]
    gin_columns: tuple[tuple[str, str], ...]  # (table, column) from "### JSONB Indexes (GIN)"
    triggers: tuple[Trigger, ...]
    views: dict[str, View]

    @property
    def columns(self) -> list[Column]:
        return [column for table in self.tables.values() for column in table.columns]

    @property
    def indexes(self) -> list[Index]:
        return [index for table in self.tables.values() for index in table.indexes]

    @property
    def foreign_keys(self) -> list[ForeignKey]:
        return [fk for table in self.tables.values() for fk in table.foreign_keys]


# --- Markdown structure -------------------------------------------------------------------------


def _sections(lines: list[str], level: int) -> list[tuple[str, list[str]]]:
    """(title, body lines) of each heading of exactly `level`; '#' lines in code blocks are not headings."""
    sections: list[tuple[str, list[str]]] = []
    title: str | None = None
    body: list[str] = []
    in_code = False
    for line in lines:
        if line.startswith("```"):
            in_code = not in_code
        heading = None if in_code else _HEADING.match(line)
        if heading and len(heading.group(1)) <= level:
            if title is not None:
                sections.append((title, body))
            # A higher-level heading ends the current section without starting a new one.
            title = heading.group(2) if len(heading.group(1)) == level else None
            body = []
        elif title is not None:
            body.append(line)
    if title is not None:
        sections.append((title, body))
    return sections


def _section(lines: list[str], level: int, title: str) -> list[str]:
    found = [body for heading, body in _sections(lines, level) if heading == title]
    if len(found) != 1:
        raise SpecFormatError(f"expected one {'#' * level} {title!r} section, found {len(found)}")
    return found[0]


def _labeled(body: list[str], label: str) -> tuple[str, list[str]] | None:
    """The text after "**label:**" on its line, and the "- " items that directly follow it."""
    prefix = f"**{label}:**"
    for i, line in enumerate(body):
        if line.startswith(prefix):
            items = []
            for following in body[i + 1 :]:
                if following.startswith("- "):
                    items.append(following.rstrip())
                elif following.strip() or items:
                    break
            return line[len(prefix) :].strip(), items
    return None


def _match_all(pattern: re.Pattern[str], items: list[str], where: str) -> list[re.Match[str]]:
    matches = []
    for item in items:
        match = pattern.match(item)
        if not match:
            raise SpecFormatError(f"{where}: unexpected line {item!r}")
        matches.append(match)
    return matches


# --- The document's parts -----------------------------------------------------------------------


def _parse_enums(lines: list[str]) -> dict[str, Enum]:
    enums = {}
    for name, body in _sections(_section(lines, 2, "Custom Types (Enums)"), 3):
        items = [line.rstrip() for line in body if line.startswith("- ")]
        values = tuple(m.group(1) for m in _match_all(_ENUM_VALUE, items, f"enum {name}"))
        enums[name] = Enum(name, values)
    return enums


def _parse_tables(lines: list[str]) -> dict[str, Table]:
    tables = {}
    for heading, body in _sections(_section(lines, 2, "Tables"), 3):
        title = _TABLE_HEADING.match(heading)
        if not title:
            raise SpecFormatError(f"table heading {heading!r} is not 'N. name'")
        name = title.group(2)
        columns_block = _labeled(body, "Columns")
        if columns_block is None:
            raise SpecFormatError(f"table {name} has no **Columns:** list")
        columns = []
        for m in _match_all(_COLUMN, columns_block[1], f"{name} columns"):
            type_, *flags = (part.strip() for part in m.group(2).split(","))
            columns.append(Column(name, m.group(1), type_, frozenset(flags), m.group(3)))
        indexes_block = _labeled(body, "Indexes") or ("", [])
        indexes = [Index(name, m.group(1), m.group(2)) for m in _match_all(_INDEX, indexes_block[1], f"{name} indexes")]
        fk_block = _labeled(body, "Foreign Keys") or ("", [])
        foreign_keys = [
            ForeignKey(name, m.group(1), m.group(2), m.group(3), m.group(4))
            for m in _match_all(_FOREIGN_KEY, fk_block[1], f"{name} foreign keys")
        ]
        tables[name] = Table(int(title.group(1)), name, tuple(columns), tuple(indexes), tuple(foreign_keys))
    return tables


def _parse_relationships(lines: list[str]) -> tuple[ForeignKey, ...]:
    text = "\n".join(_section(lines, 2, "Relationships"))
    relationships = tuple(
        ForeignKey(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)) for m in _RELATIONSHIP.finditer(text)
    )
    if len(relationships) != text.count("- FK: "):
        raise SpecFormatError("a Relationships entry has an 'FK:' line without a matching 'ON DELETE:' line")
    return relationships


def _parse_gin_columns(lines: list[str]) -> tuple[tuple[str, str], ...]:
    body = _section(_section(lines, 2, "Indexes"), 3, "JSONB Indexes (GIN)")
    items = [line.rstrip() for line in body if line.startswith("- ")]
    return tuple((m.group(1), m.group(2)) for m in _match_all(_GIN_COLUMN, items, "JSONB Indexes (GIN)"))


def _parse_triggers(lines: list[str]) -> tuple[Trigger, ...]:
    triggers = []
    for heading, body in _sections(_section(lines, 2, "Triggers"), 3):
        function = next((m.group(1) for line in body if (m := _FUNCTION.match(line.strip()))), None)
        applied = _labeled(body, "Applied to")
        if function is None or applied is None:
            raise SpecFormatError(f"trigger {heading!r} needs **Function:** and **Applied to:**")
        inline, items = applied
        if inline:  # "**Applied to:** orders (AFTER INSERT OR UPDATE)"
            m = _APPLIED_INLINE.match(inline)
            if not m:
                raise SpecFormatError(f"trigger {heading!r}: cannot read 'Applied to: {inline}'")
            events = frozenset(event.strip() for event in m.group(3).split(" OR "))
            triggers.append(Trigger(function, m.group(1), m.group(2), events))
        else:  # a list of tables, timing left to the function's purpose
            for item in items:
                triggers.append(Trigger(function, item[2:].strip(), None, frozenset()))
    return tuple(triggers)


def _sql_blocks(lines: list[str]) -> list[str]:
    blocks, current, in_sql = [], [], False
    for line in lines:
        if line.startswith("```"):
            if in_sql:
                blocks.append("\n".join(current))
            in_sql, current = (line.strip() == "```sql" and not in_sql), []
        elif in_sql:
            current.append(line)
    return blocks


def _queried_columns(view: str, sql_blocks: list[str]) -> frozenset[str]:
    """Identifiers that follow `FROM view` in the spec's example queries (WHERE / ORDER BY columns)."""
    columns: set[str] = set()
    for block in sql_blocks:
        code = re.sub(r"--[^\n]*", "", block)
        for statement in code.split(";"):
            found = re.search(rf"\bFROM\s+{view}\b(.*)", statement, re.IGNORECASE | re.DOTALL)
            if found:
                tail = re.sub(r"'[^']*'|\$\d+|\b\d+\b", " ", found.group(1))
                columns |= {word.lower() for word in re.findall(r"[A-Za-z_]\w*", tail)} - _SQL_WORDS
    return frozenset(columns)


def _parse_views(lines: list[str]) -> dict[str, View]:
    sql_blocks = _sql_blocks(lines)
    views = {}
    for heading, body in _sections(_section(lines, 2, "Views"), 3):
        title = _VIEW_HEADING.match(heading)
        includes = _labeled(body, "Includes")
        if not title or includes is None:
            raise SpecFormatError(f"view {heading!r} needs an 'N. name' heading and **Includes:**")
        name = title.group(2)
        views[name] = View(name, tuple(item[2:].strip() for item in includes[1]), _queried_columns(name, sql_blocks))
    return views


def parse(text: str) -> Schema:
    lines = text.splitlines()
    return Schema(
        enums=_parse_enums(lines),
        tables=_parse_tables(lines),
        relationships=_parse_relationships(lines),
        gin_columns=_parse_gin_columns(lines),
        triggers=_parse_triggers(lines),
        views=_parse_views(lines),
    )


@cache
def load() -> Schema:
    return parse(SCHEMA_MD.read_text(encoding="utf-8"))
