"""Reliability and security (issue 8): fuzzing, crash safety, concurrency, migrations, security.

Budgets come from the environment so that CI stays fast and `make fuzz` can go further:

- EVIDENCEDB_FUZZ_EXAMPLES: fuzzed inputs in all, shared out among the fuzz tests and the two
  backends (default 200: 100 on SQLite, 100 on PostgreSQL);
- EVIDENCEDB_CRASH_KILLS: SIGKILLed loads in the crash test (default 8);
- EVIDENCEDB_CONCURRENCY_ROUNDS: rounds of simultaneous loads and exports (default 1).

The helpers below are shared by the modules of this package: the content of a database (to
prove that a refused input changed nothing), an independent check of every rule the design
says the database enforces (to prove that an accepted input broke none), and a generator of
large seed files (so that a load lasts long enough to be killed or overlapped).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import os
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from sqlalchemy import CheckConstraint, ForeignKeyConstraint, UniqueConstraint, select, text
from sqlalchemy.engine import make_url

from evidencedb.enums import AE_GRADES
from evidencedb.store.database import open_engine
from evidencedb.store.models import metadata
from tests.conftest import TestDatabase


def _budget(name: str, default: int) -> int:
    value = int(os.environ.get(name, default))
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


FUZZ_EXAMPLES = _budget("EVIDENCEDB_FUZZ_EXAMPLES", 200)
CRASH_KILLS = _budget("EVIDENCEDB_CRASH_KILLS", 8)
CONCURRENCY_ROUNDS = _budget("EVIDENCEDB_CONCURRENCY_ROUNDS", 1)


def fuzz_examples(share: float) -> int:
    """A fuzz test's examples on each backend: its `share` of the budget, halved between
    SQLite and PostgreSQL (the shares of all fuzz tests add up to 1)."""
    return max(5, round(FUZZ_EXAMPLES * share / 2))


def script() -> Path:
    """The installed `evidencedb` command, for tests that need a real process."""
    return Path(sys.executable).parent / "evidencedb"


def sqlite_file(database: TestDatabase) -> Path | None:
    url = make_url(database.url)
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


# Content ------------------------------------------------------------------------------------


def content(database: TestDatabase) -> Any:
    """Everything a database holds, in a form that compares equal only when the content is.

    SQLite: the SQL text of `iterdump` (schema, every row, the schema version), which is the
    file's content byte for byte; a missing file and an empty one hold the same (nothing).
    PostgreSQL: every row of every table, and the schema version.
    """
    path = sqlite_file(database)
    if path is not None:
        if not path.exists():
            return []
        connection = sqlite3.connect(path)
        try:
            return [
                line
                for line in connection.iterdump()
                if line not in ("BEGIN TRANSACTION;", "COMMIT;")
            ]
        finally:
            connection.close()
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        tables = set(
            connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "current_schema()"
                )
            ).scalars()
        )
        rows: dict[str, Any] = {}
        for name in sorted(tables):
            result = connection.execute(text(f'SELECT * FROM "{name}"'))
            rows[name] = sorted(
                (tuple(row) for row in result), key=lambda row: tuple(map(repr, row))
            )
        return rows


def digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:16]


# Constraints --------------------------------------------------------------------------------

COUNTS = {
    "enrollment",
    "n_enrolled",
    "n_analyzed",
    "numerator",
    "denominator",
    "participants_affected",
    "participants_at_risk",
    "event_count",
}
RATIOS = {"hazard_ratio", "risk_ratio", "odds_ratio"}
FACT_TABLES = ("results", "comparisons", "adverse_events")


def _rows(database: TestDatabase) -> dict[str, list[dict[str, Any]]]:
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        return {
            table.name: [
                dict(row._mapping) for row in connection.execute(select(table).order_by(table.c.id))
            ]
            for table in metadata.sorted_tables
        }


def constraint_violations(database: TestDatabase) -> list[str]:
    """Every way the stored rows break a rule of the design, checked three times over:

    1. each CHECK constraint of the models, evaluated as a query over the stored rows;
    2. on SQLite, which types loosely, the storage class of every value, foreign keys and
       `PRAGMA integrity_check`;
    3. the design's rules restated in Python over the rows (counts, fractions, percentages,
       intervals, grades, references, natural keys, provenance), independent of the schema.
    """
    found: list[str] = []
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        dialect = connection.dialect
        for table in metadata.sorted_tables:
            for constraint in table.constraints:
                if not isinstance(constraint, CheckConstraint):
                    continue
                condition = str(
                    constraint.sqltext.compile(
                        dialect=dialect, compile_kwargs={"literal_binds": True}
                    )
                )
                bad = connection.execute(
                    text(f"SELECT count(*) FROM {table.name} WHERE NOT ({condition})")
                ).scalar_one()
                if bad:
                    found.append(f"{table.name}: {bad} row(s) break CHECK {condition}")
        if dialect.name == "sqlite":
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            if integrity != ["ok"]:
                found.append(f"integrity_check: {integrity}")
            orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if orphans:
                found.append(f"foreign_key_check: {orphans[:5]}")
            found += _sqlite_storage_classes(connection)
    rows = _rows(database)
    found += _python_rules(rows)
    return found


def _sqlite_storage_classes(connection: Any) -> list[str]:
    from sqlalchemy import Boolean, Double, Float, Integer

    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Boolean | Integer):
                allowed = "('integer', 'null')"
            elif isinstance(column.type, Double | Float):
                allowed = "('real', 'integer', 'null')"
            else:
                allowed = "('text', 'null')"
            bad = connection.exec_driver_sql(
                f"SELECT count(*) FROM {table.name} WHERE typeof({column.name}) NOT IN {allowed}"
            ).scalar_one()
            if bad:
                found.append(f"{table.name}.{column.name}: {bad} value(s) of the wrong type")
    return found


def _python_rules(rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    found: list[str] = []

    def bad(table: str, row: dict[str, Any], rule: str) -> None:
        found.append(f"{table} id={row.get('id')}: {rule}")

    for table in metadata.sorted_tables:
        name = table.name
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                columns = [column.name for column in constraint.columns]
                keys = Counter(tuple(row[c] for c in columns) for row in rows[name])
                for key, count in keys.items():
                    if count > 1:
                        found.append(f"{name}: natural key {columns}={key} appears {count} times")
            if isinstance(constraint, ForeignKeyConstraint):
                local = [element.parent.name for element in constraint.elements]
                remote = [element.column.name for element in constraint.elements]
                target = constraint.referred_table.name
                present = {tuple(row[c] for c in remote) for row in rows[target]}
                for row in rows[name]:
                    key = tuple(row[c] for c in local)
                    if None not in key and key not in present:
                        bad(name, row, f"{local} -> {target}{remote} {key} does not exist")
        for row in rows[name]:
            for column in table.columns:
                value = row[column.name]
                if value is None and not column.nullable:
                    bad(name, row, f"{column.name} is NULL")
                if isinstance(value, float) and not math.isfinite(value):
                    bad(name, row, f"{column.name} is {value}")
                if column.name in COUNTS and value is not None and value < 0:
                    bad(name, row, f"{column.name} = {value} < 0")
            _interval(name, row, bad)
    kinds = {row["id"]: str(row["kind"]) for row in rows["sources"]}
    for row in rows["results"]:
        numerator, denominator = row["numerator"], row["denominator"]
        if numerator is not None and denominator is not None and numerator > denominator:
            bad("results", row, "numerator above denominator")
        if row["unit"] == "%":
            for column in ("value", "ci_lower", "ci_upper"):
                if row[column] is not None and not 0 <= row[column] <= 100:
                    bad("results", row, f"{column} {row[column]} is not a percentage")
    for row in rows["comparisons"]:
        if row["p_value"] is not None and not 0 <= row["p_value"] <= 1:
            bad("comparisons", row, f"p_value {row['p_value']}")
        if str(row["measure"]) in RATIOS:  # an estimate above 0, a lower bound of 0 or more
            if row["value"] is not None and row["value"] <= 0:
                bad("comparisons", row, f"ratio of {row['value']}")
            if row["ci_lower"] is not None and row["ci_lower"] < 0:
                bad("comparisons", row, f"ratio with a lower bound of {row['ci_lower']}")
    for row in rows["adverse_events"]:
        affected, at_risk = row["participants_affected"], row["participants_at_risk"]
        if affected is not None and at_risk is not None and affected > at_risk:
            bad("adverse_events", row, "more participants affected than at risk")
        if row["grade"] not in ("", *AE_GRADES):
            bad("adverse_events", row, f"grade {row['grade']!r}")
    for name in FACT_TABLES:
        for row in rows[name]:
            if row["source_id"] is None:
                bad(name, row, "no source")
                continue
            is_document = kinds[row["source_id"]] != "registry_record"
            reported = str(row.get("origin", "reported")) == "reported"
            if is_document and reported and not row["quote"]:
                bad(name, row, "a fact from a document without its quote")
    return found


def _interval(name: str, row: dict[str, Any], bad: Any) -> None:
    lower, upper, level = row.get("ci_lower"), row.get("ci_upper"), row.get("ci_level")
    if lower is not None and upper is not None and lower > upper:
        bad(name, row, f"ci_lower {lower} above ci_upper {upper}")
    if level is not None and not 0 < level < 1:
        bad(name, row, f"ci_level {level} is not a fraction")


# Generated seed files -----------------------------------------------------------------------


def generated_seed(
    *,
    arms: int,
    endpoints: int,
    value: int | Callable[[int], int] = 0,
    key: str = "generated-trial",
    note: int = 0,
) -> str:
    """A valid seed file of one trial with `arms` x `endpoints` results (and the comparisons
    the loader derives from them). `value` shifts the results (of every arm, or of arm n by
    `value(n)`), so that variants of the file differ in chosen rows and keep their keys.
    `note` gives every result a note of that many characters (bulk for the transaction)."""
    lines = [
        "schema_version: 1",
        "sources:",
        f"  - key: {key}-source",
        "    kind: other",
        "    title: A generated source (reliability tests)",
        "trial:",
        f"  key: {key}",
        "  title: A generated trial (reliability tests)",
        "  design: randomized",
        f"  source: {key}-source",
        "  quote: generated",
        "arms:",
    ]
    for arm in range(arms):
        role = "placebo_comparator" if arm == 0 else "experimental"
        lines += [
            f"  - key: arm-{arm}",
            f"    label: Arm {arm}",
            f"    role: {role}",
            "    n_enrolled: 100",
            f"    source: {key}-source",
            "    quote: an arm",
        ]
    lines.append("endpoints:")
    for endpoint in range(endpoints):
        lines += [
            f"  - key: endpoint-{endpoint}",
            f"    name: Endpoint {endpoint}",
            "    kind: response",
            "    measure: proportion",
            f"    source: {key}-source",
            "    quote: an endpoint",
        ]
    lines.append("results:")
    for arm in range(arms):
        for endpoint in range(endpoints):
            shift = value(arm) if callable(value) else value
            count = (arm * 7 + endpoint * 3 + shift) % 100
            lines += [
                f"  - endpoint: endpoint-{endpoint}",
                f"    arm: arm-{arm}",
                f"    value: {count}",
                '    unit: "%"',
                f"    numerator: {count}",
                "    denominator: 100",
                f"    source: {key}-source",
                f"    quote: result {arm} {endpoint}",
            ]
            if note:
                lines.append(f"    note: {'n' * note}")
    return "\n".join(lines) + "\n"


# Mutations ----------------------------------------------------------------------------------
#
# Hypothesis strategies that damage a valid input the ways the issue lists: keys removed, types
# changed, enum values garbled, numbers made negative or huge, strings with control characters,
# truncated files, invalid UTF-8, anchors, aliases and alias bombs, deeply nested documents,
# duplicate keys. Each returns the damaged bytes and the names of the mutations applied (they
# become Hypothesis events, counted by `--hypothesis-show-statistics`).

CONTROL_CHARACTERS = [
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\t",
    "\r",
    "\n",
]
NUMBERS: list[Any] = [
    -1,
    -100,
    0,
    1,
    101,
    2**31,
    2**63,
    10**18,
    10**300,
    -(10**300),
    0.5,
    -0.5,
    1e308,
    -1e308,
    5e-324,
    float("inf"),
    float("-inf"),
    float("nan"),
]
OTHER_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    "",
    "text",
    "2023-13-45",
    [],
    {},
    ["a"],
    {"a": 1},
    [[1]],
]
SURROGATE = b"\xed\xa0\x80"  # U+D800 encoded: json.loads(bytes) lets it through
INVALID_UTF8 = [
    b"\xff",
    b"\xfe\xff",
    b"\xc3\x28",
    b"\xa0\xa1",
    b"\xe2\x28\xa1",
    SURROGATE,
    b"\xf0\x28\x8c\x28",
    b"\xc0\xaf",  # overlong '/'
    b"\x00",
]
TREE_OPERATIONS = [
    "remove",
    "retype",
    "number",
    "negate",
    "garble",
    "control",
    "long",
    "duplicate",
    "unknown-key",
    "rename-key",
    "swap",
    "empty",
]
BYTE_OPERATIONS = [
    "truncate",
    "insert-bytes",
    "invalid-utf8",
    "flip-byte",
    "delete-line",
    "duplicate-line",
    "swap-lines",
    "crlf",
    "bom",
    "empty-file",
]
YAML_OPERATIONS = [
    "tag",
    "alias-bomb",
    "anchor-alias",
    "nest",
    "merge-key",
    "second-document",
    "duplicate-key",
    "indent",
    "huge-integer",
]
JSON_OPERATIONS = ["nest", "duplicate-key", "literal", "escape", "huge-number", "number-text"]
YAML_TAGS = [
    "!!python/object/apply:os.system",
    "!!python/object:builtins.dict",
    "!!python/name:os.system",
    "!!python/tuple",
    "!!binary",
    "!!set",
    "!!omap",
    "!!timestamp",
    "!!str",
    "!!null",
    "!local",
]


def _children(node: Any) -> list[tuple[Any, Any]]:
    if isinstance(node, dict):
        return list(node.items())
    if isinstance(node, list):
        return list(enumerate(node))
    return []


def tree_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every node below the root, parents before children."""
    found = []
    for key, child in _children(node):
        found.append((*prefix, key))
        found += tree_paths(child, (*prefix, key))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def tree_strings(node: Any) -> list[str]:
    """Every string of a document, keys included: the pool that garbling borrows from, so that
    a reference can point at the wrong thing and an enum take another field's value."""
    found = []
    for key, child in _children(node):
        if isinstance(key, str):
            found.append(key)
        if isinstance(child, str):
            found.append(child)
        found += tree_strings(child)
    return sorted(set(found))


def _text_strategy(*, nul: bool) -> st.SearchStrategy[str]:
    excluded = [] if nul else ["\x00"]
    return st.text(st.characters(exclude_characters=excluded), max_size=30)


@st.composite
def tree_mutation(draw: st.DrawFn, data: Any, *, nul: bool, surrogates: bool) -> tuple[Any, str]:
    """One structural change to a parsed document (a deep copy of it)."""
    data = copy.deepcopy(data)
    paths = tree_paths(data)
    if not paths:
        return data, "nothing-to-mutate"
    path = draw(st.sampled_from(paths))
    parent, key = _at(data, path[:-1]), path[-1]
    value = parent[key]
    operation = draw(st.sampled_from(TREE_OPERATIONS))
    controls = [c for c in CONTROL_CHARACTERS if nul or c != "\x00"]
    if surrogates:
        controls += ["\ud800", "\udfff"]
    if operation == "remove":
        del parent[key]
    elif operation == "retype":
        parent[key] = copy.deepcopy(draw(st.sampled_from(OTHER_VALUES)))
    elif operation == "number":
        parent[key] = draw(
            st.sampled_from(NUMBERS)
            | st.integers(min_value=-(10**20), max_value=10**20)
            | st.floats()
        )
    elif operation == "negate":
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        parent[key] = -value if is_number else -1
    elif operation == "garble":
        parent[key] = draw(_garbled(value, tree_strings(data), nul=nul))
    elif operation == "control":
        text_value = value if isinstance(value, str) else str(value)
        position = draw(st.integers(0, len(text_value)))
        character = draw(st.sampled_from(controls))
        parent[key] = text_value[:position] + character + text_value[position:]
    elif operation == "long":
        parent[key] = "x" * draw(st.sampled_from([20_000, 20_001, 100_000]))
    elif operation == "duplicate":
        if isinstance(parent, list):
            parent.insert(key, copy.deepcopy(value))
        elif isinstance(value, list) and value:
            value.append(copy.deepcopy(value[0]))
        else:
            parent[key] = [value, value]
    elif operation == "unknown-key":
        target = value if isinstance(value, dict) else parent
        if isinstance(target, dict):
            target[draw(st.sampled_from(["unexpected", "note_", "Key", "quote ", "id"]))] = 1
        else:
            parent[key] = {"unexpected": value}
    elif operation == "rename-key":
        if isinstance(parent, dict):
            parent[draw(_garbled(key, tree_strings(data), nul=nul))] = parent.pop(key)
        else:
            parent[key] = {"renamed": value}
    elif operation == "swap":
        parent[key] = copy.deepcopy(_at(data, draw(st.sampled_from(paths))))
    elif operation == "empty":
        parent[key] = "" if isinstance(value, str) else [] if isinstance(value, list) else {}
    return data, operation


@st.composite
def _garbled(draw: st.DrawFn, value: Any, pool: list[str], *, nul: bool) -> Any:
    text_value = value if isinstance(value, str) else str(value)
    how = draw(st.sampled_from(["typo", "case", "suffix", "pool", "random"]))
    if how == "typo" and text_value:
        position = draw(st.integers(0, len(text_value) - 1))
        return text_value[:position] + text_value[position + 1 :]
    if how == "case":
        return text_value.upper() if text_value != text_value.upper() else text_value.lower()
    if how == "pool" and pool:
        return draw(st.sampled_from(pool))
    if how == "random":
        return draw(_text_strategy(nul=nul))
    return text_value + "x"


def _value_lines(lines: list[bytes]) -> list[int]:
    """Lines of a YAML block that hold `key: value` with a value on the same line."""
    return [
        index
        for index, line in enumerate(lines)
        if re.match(rb"^\s*(- )?[A-Za-z_][A-Za-z0-9_]*: \S", line)
    ]


def _replace_value(line: bytes, value: bytes) -> bytes:
    cut = line.index(b": ") + 2
    return line[:cut] + value


def alias_bomb(levels: int = 9, width: int = 9, *, prefix: str = "") -> str:
    """The billion laughs: `levels` anchors, each a list of `width` aliases of the previous;
    the last one expands to width**levels leaves (9, 9: 387,420,489)."""
    names = [f"{prefix}{chr(ord('a') + level)}" for level in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * width) + "]")
    return "\n".join(lines) + "\n"


@st.composite
def byte_mutation(
    draw: st.DrawFn, raw: bytes, *, language: str, nul: bool, surrogates: bool
) -> tuple[bytes, str]:
    """One change to the bytes of a file, generic or specific to YAML or JSON."""
    specific = YAML_OPERATIONS if language == "yaml" else JSON_OPERATIONS
    operation = draw(st.sampled_from(BYTE_OPERATIONS + specific))
    lines = raw.split(b"\n")
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    position = draw(st.integers(0, len(raw)))
    if operation == "truncate":
        return raw[:position], operation
    if operation in ("insert-bytes", "invalid-utf8"):
        invalid = [b for b in INVALID_UTF8 if surrogates or language != "json" or b != SURROGATE]
        inserted = (
            draw(st.binary(min_size=1, max_size=8))
            if operation == "insert-bytes"
            else draw(st.sampled_from(invalid))
        )
        return raw[:position] + inserted + raw[position:], operation
    if operation == "flip-byte" and raw:
        index = min(position, len(raw) - 1)
        return raw[:index] + bytes([draw(st.integers(0, 255))]) + raw[index + 1 :], operation
    if operation == "delete-line":
        return b"\n".join(lines[:line] + lines[line + 1 :]), operation
    if operation in ("duplicate-line", "duplicate-key") and language == "yaml":
        candidates = _value_lines(lines) if operation == "duplicate-key" else [line]
        chosen = draw(st.sampled_from(candidates)) if candidates else line
        return b"\n".join(lines[: chosen + 1] + lines[chosen:]), operation
    if operation == "duplicate-line":
        return b"\n".join(lines[: line + 1] + lines[line:]), operation
    if operation == "swap-lines":
        other = draw(st.integers(0, max(len(lines) - 1, 0)))
        swapped = list(lines)
        swapped[line], swapped[other] = swapped[other], swapped[line]
        return b"\n".join(swapped), operation
    if operation == "crlf":
        return raw.replace(b"\n", b"\r\n"), operation
    if operation == "bom":
        return b"\xef\xbb\xbf" + raw, operation
    if operation == "empty-file":
        return draw(
            st.sampled_from([b"", b"\n", b"   \n", b"~\n", b"[]\n", b"null", b"{}"])
        ), operation
    if language == "yaml":
        return draw(_yaml_mutation(raw, lines, operation)), operation
    return draw(_json_mutation(raw, operation, nul=nul, surrogates=surrogates)), operation


@st.composite
def _yaml_mutation(draw: st.DrawFn, raw: bytes, lines: list[bytes], operation: str) -> bytes:
    values = _value_lines(lines)
    if not values:
        return raw
    chosen = draw(st.sampled_from(values))
    changed = list(lines)
    if operation == "tag":
        tags = [*YAML_TAGS, "!!int", "!!float", "!!bool"]
        tag = draw(st.sampled_from(tags)).encode()
        cut = changed[chosen].index(b": ") + 2
        changed[chosen] = changed[chosen][:cut] + tag + b" " + changed[chosen][cut:]
    elif operation == "alias-bomb":
        levels, width = draw(st.integers(1, 9)), draw(st.integers(2, 9))
        bomb = alias_bomb(levels, width, prefix="bomb_").encode()
        last = f"bomb_{chr(ord('a') + levels - 1)}".encode()
        changed[chosen] = _replace_value(changed[chosen], b"*" + last)
        return bomb + b"\n".join(changed)
    elif operation == "anchor-alias":
        later = draw(st.sampled_from(values))
        first, second = sorted((chosen, later))
        cut = changed[first].index(b": ") + 2
        changed[first] = changed[first][:cut] + b"&fuzz " + changed[first][cut:]
        if second != first:
            changed[second] = _replace_value(changed[second], b"*fuzz")
    elif operation == "nest":
        depth = draw(st.integers(1, 2000))
        opening, closing = draw(st.sampled_from([(b"[", b"]"), (b"{a: ", b"}")]))
        changed[chosen] = _replace_value(changed[chosen], opening * depth + closing * depth)
    elif operation == "merge-key":
        indent = re.match(rb"^\s*(- )?", changed[chosen])
        width = len(indent.group(0)) if indent else 0
        changed.insert(chosen, b" " * width + b"<<: {merged: 1}")
    elif operation == "second-document":
        changed.insert(chosen, draw(st.sampled_from([b"---", b"...", b"--- !!str"])))
    elif operation == "indent":
        changed[chosen] = draw(st.sampled_from([b" ", b"\t", b"   "])) + changed[chosen]
    elif operation == "huge-integer":
        digits = 5000  # past the 4300 digits at which int() of a string raises
        changed[chosen] = _replace_value(changed[chosen], b"9" * digits)
    return b"\n".join(changed)


_JSON_NUMBER = re.compile(rb"(?<=[:\[,] )-?\d+(\.\d+)?([eE][-+]?\d+)?|(?<=[:\[,])-?\d+(\.\d+)?")
_JSON_STRING_START = re.compile(rb'(?<=: )"')


@st.composite
def _json_mutation(
    draw: st.DrawFn, raw: bytes, operation: str, *, nul: bool, surrogates: bool
) -> bytes:
    if operation == "nest":
        depth = draw(st.integers(1, 1500) | st.integers(1, 100_000))
        spots = [match.end() for match in re.finditer(rb": ", raw)]
        if not spots:
            return raw
        cut = draw(st.sampled_from(spots))
        return raw[:cut] + b"[" * depth + b"0" + b"]" * depth + b', "_x": ' + raw[cut:]
    if operation == "duplicate-key":
        spots = [match.end() for match in re.finditer(rb"\{", raw)]
        if not spots:
            return raw
        cut = draw(st.sampled_from(spots))
        pair = draw(
            st.sampled_from(
                [
                    b'"nctId": "NCT00000000", ',
                    b'"protocolSection": {}, ',
                    b'"type": "NOT_A_TYPE", ',
                    b'"value": "-1", ',
                    b'"count": -1, ',
                    b'"groupId": "OG999", ',
                ]
            )
        )
        return raw[:cut] + pair + raw[cut:]
    numbers = list(_JSON_NUMBER.finditer(raw))
    if operation in ("literal", "huge-number") and numbers:
        match = draw(st.sampled_from(numbers))
        choices = [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-0", b"1e-400", b"-1", b"0.5"]
        if operation == "huge-number":
            choices = [b"9" * 5000]
        replacement = draw(st.sampled_from(choices))
        return raw[: match.start()] + replacement + raw[match.end() :]
    if operation == "number-text":  # the registry writes most numbers as strings: "92", "0.62"
        texts = list(re.finditer(rb'"-?[0-9]+(\.[0-9]+)?"', raw))
        if not texts:
            return raw
        match = draw(st.sampled_from(texts))
        choices = [b'"-1"', b'"1e400"', b'"NaN"', b'"0x10"', b'"1,000"', b'"\\u0661\\u0662"', b'""']
        digits = 5000  # past the 4300 digits at which int() of a string raises
        choices += [b'"' + b"9" * digits + b'"', b'"0.' + b"0" * digits + b'1"']
        return raw[: match.start()] + draw(st.sampled_from(choices)) + raw[match.end() :]
    if operation == "escape":
        spots = [match.end() for match in _JSON_STRING_START.finditer(raw)]
        if not spots:
            return raw
        escapes = [b"\\u001b", b"\\u202e", b"\\u0085", b"\\t", b"\\n", b"\\u2028"]
        if nul:
            escapes.append(b"\\u0000")
        if surrogates:
            escapes += [b"\\ud800", b"\\udfff"]
        cut = draw(st.sampled_from(spots))
        return raw[:cut] + draw(st.sampled_from(escapes)) + raw[cut:]
    return raw


def serialise(data: Any, language: str) -> bytes:
    if language == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20).encode(
            "utf-8", "surrogatepass"
        )
    return json.dumps(data, ensure_ascii=True, indent=1).encode("utf-8")


@st.composite
def mutated(
    draw: st.DrawFn, original: bytes, *, language: str, nul: bool, surrogates: bool = False
) -> tuple[bytes, list[str]]:
    """A damaged copy of `original`: up to two structural changes (then re-serialised) and up
    to two byte-level ones, at least one change in all."""
    structural = draw(st.integers(0, 2))
    textual = draw(st.integers(0 if structural else 1, 2))
    applied: list[str] = []
    raw = original
    if structural:
        loaded = yaml.safe_load(original) if language == "yaml" else json.loads(original)
        for _ in range(structural):
            loaded, name = draw(tree_mutation(loaded, nul=nul, surrogates=surrogates))
            applied.append(name)
        raw = serialise(loaded, language)
    for _ in range(textual):
        raw, name = draw(byte_mutation(raw, language=language, nul=nul, surrogates=surrogates))
        applied.append(name)
    return raw, applied


__all__ = [
    "CONCURRENCY_ROUNDS",
    "CRASH_KILLS",
    "FUZZ_EXAMPLES",
    "alias_bomb",
    "constraint_violations",
    "content",
    "digest",
    "fuzz_examples",
    "generated_seed",
    "mutated",
    "script",
    "sqlite_file",
]
