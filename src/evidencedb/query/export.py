"""CSV export: RFC 4180, UTF-8, '.' decimals, empty cell for NULL, no spreadsheet formulas."""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Float,
    Integer,
    Numeric,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    select,
    type_coerce,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import ScalarSelect, Select

from evidencedb.errors import EvidenceError
from evidencedb.query import facts
from evidencedb.query.statement import AnySelect
from evidencedb.store.models import metadata

# A cell a spreadsheet would evaluate starts with one of these (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number, which is data even when it starts with a sign. Written so that Python's `re`
# and PostgreSQL's regular expressions read it alike (\A, \Z: no match before a final newline).
PLAIN_NUMBER = r"\A[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)
_LARGEST_FLOAT = 1.7976931348623157e308
# What makes the csv module (QUOTE_MINIMAL) and PostgreSQL's COPY quote a cell.
_NEEDS_QUOTES = re.compile('[,"\r\n]')


def csv_cell(value: Any) -> str:
    """One value as CSV text: numbers as Python writes them (81.6 stays 81.6), booleans as
    true/false, NULL as empty, and text that a spreadsheet would run as a formula prefixed
    with a single quote. A plain negative number is data, not a formula, and stays as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


FETCH_ROWS = 5000  # rows per fetch from the database cursor, and per write


class CellTarget(Enum):
    """Who turns the prepared cells into CSV text (see csv_ready)."""

    COPY = "copy"  # PostgreSQL's COPY (FORMAT csv): every cell text, NULL for an empty cell
    JOINED = "joined"  # ",".join(map(str, row)): no NULL, floats left to repr()
    CSV_WRITER = "csv_writer"  # the csv module: None for an empty cell, floats left to repr()


def csv_ready(
    statement: AnySelect, target: CellTarget = CellTarget.CSV_WRITER
) -> tuple[AnySelect, list[int]]:
    """The statement with its cells computed by the database as `csv_cell` writes them, so
    that no Python code of ours runs per cell: the Python work per row is what bounds an
    export. Booleans become true/false, non-finite floats NULL, text starting like a formula
    gets its quote prefix; integers and enumerations whose values are all plain need nothing.
    For COPY, floats become their text and an empty text NULL (COPY would quote it); for
    JOINED, NULL becomes ''. Returns the positions of the JSON columns, which only Python
    can canonicalise (they are in small tables, never exported through COPY)."""
    ready: list[Any] = []
    json_columns: list[int] = []
    for position, column in enumerate(statement.selected_columns):
        value: Any = getattr(column, "element", column)  # a view's column is a Label
        column_type = column.type
        if isinstance(column_type, JSON):
            json_columns.append(position)  # NULL included: _canonical_json writes it
            ready.append(value.label(str(column.key)))
            continue
        is_text = False
        cell: Any
        if isinstance(column_type, Boolean):
            cell = case((value, literal("true")), (not_(value), literal("false")))
        elif isinstance(column_type, Integer):
            cell = value
        elif isinstance(column_type, Float | Numeric):
            finite = value.between(-_LARGEST_FLOAT, _LARGEST_FLOAT)
            cell = (
                _float_text(value, finite) if target is CellTarget.COPY else case((finite, value))
            )
        elif isinstance(value, ScalarSelect):
            # A computed column (registry_ids): made safe inside its subquery, where the value
            # is one aggregate that the database computes once however often it is named;
            # outside, each mention would run the subquery again.
            inner = value.element
            assert isinstance(inner, Select)
            [only] = inner.selected_columns
            cell = inner.with_only_columns(_formula_safe(only)).scalar_subquery()
            is_text = True
        elif isinstance(column_type, SAEnum) and _needs_no_preparing(column_type.enums):
            cell = value
        else:
            cell = _formula_safe(value)
            is_text = True
        if target is CellTarget.COPY and is_text:
            cell = func.nullif(cell, "")
        elif target is CellTarget.JOINED:
            cell = func.coalesce(cell, "")
        ready.append(cell.label(str(column.key)))
    return statement.with_only_columns(*ready), json_columns


class _first_character_code(FunctionElement[int]):
    """The code point of a text's first character (NULL for NULL or ''). Comparing it with a
    few integers is cheaper than comparing substr(text, 1, 1) with a few texts through the
    collation, and it runs for every text cell of an export."""

    type = Integer()
    inherit_cache = True
    name = "first_character_code"


@compiles(_first_character_code)
def _first_character_code_elsewhere(
    element: _first_character_code, compiler: SQLCompiler, **kw: Any
) -> str:
    return f"ascii({compiler.process(element.clauses, **kw)})"  # PostgreSQL: the code point


@compiles(_first_character_code, "sqlite")
def _first_character_code_sqlite(
    element: _first_character_code, compiler: SQLCompiler, **kw: Any
) -> str:
    return f"unicode({compiler.process(element.clauses, **kw)})"


_FORMULA_START_CODES = [ord(character) for character in _FORMULA_START]


def _needs_no_preparing(values: Sequence[str]) -> bool:
    """Whether every value of an enumeration is written as it is: none looks like a formula
    or holds a character that CSV quotes."""
    return not any(
        value == "" or value.startswith(_FORMULA_START) or _NEEDS_QUOTES.search(value)
        for value in values
    )


def _formula_safe(value: Any) -> Any:
    """Text (enums included, compared as plain text) with the quote prefix where a
    spreadsheet would read a formula, as csv_cell does. The regular expression only decides
    between the few cells that start like a formula."""
    value = type_coerce(value, Text())
    looks_like_formula = and_(
        _first_character_code(value).in_(_FORMULA_START_CODES),
        not_(value.regexp_match(PLAIN_NUMBER)),
    )
    return case((looks_like_formula, literal("'", Text()) + value), else_=value)


# PostgreSQL's float text is the shortest that reads back exactly (extra_float_digits >= 1,
# set for the export), like repr(), but it writes a whole number without repr()'s ".0"
# (93 for 93.0), which is added here. From 1e15 on the two may differ in form (1e+15 against
# 1000000000000000.0) or in a last digit of an exact integer, never in the number they read
# back as.
_WHOLE_FLOAT_LIMIT = 1e15


def _float_text(value: Any, finite: Any) -> Any:
    """`value`'s text where `finite` (NaN is above every number), else NULL."""
    whole = and_(value == func.trunc(value), func.abs(value) < _WHOLE_FLOAT_LIMIT)
    as_text = cast(value, Text())
    return case((whole, func.concat(as_text, ".0")), (finite, as_text))


def _canonical_json(value: Any) -> str:
    return csv_cell(json.loads(value) if isinstance(value, str | bytes) else value)


def _with_json_cells(
    rows: Iterable[Sequence[Any]], positions: Sequence[int]
) -> Iterator[Sequence[Any]]:
    for raw in rows:
        row = list(raw)
        for i in positions:
            row[i] = _canonical_json(row[i])
        yield row


def write_csv_rows(stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows; returns the number of rows written."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        count += 1
    return count


# What can be exported ----------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    name: str
    kind: str  # "table" or "view"
    statement: AnySelect
    descriptions: Mapping[str, str]


VIEW_DESCRIPTIONS = {
    "trial_key": "Natural key of the trial.",
    "trial_title": "Title of the trial.",
    "registry_ids": "Registry identifiers of the trial, '; '-separated (NCT ids bare).",
    "arm_key": "Natural key of the arm within its trial.",
    "arm_label": "Label of the arm.",
    "arm_role": "Role of the arm.",
    "endpoint_key": "Natural key of the endpoint within its trial.",
    "endpoint_name": "Name of the endpoint.",
    "endpoint_kind": "Kind of outcome.",
    "endpoint_role": "Primary, secondary, ... endpoint.",
    "comparator_arm_key": "Natural key of the comparator arm.",
    "comparator_role": "Role of the comparator arm (historical_control: not randomised).",
    "source_key": "Natural key of the source that states the fact.",
    "source_doi": "DOI of that source.",
}

DATA_DICTIONARY = "data_dictionary"


def exports() -> list[Export]:
    """Every table, then the flat views, in the order they are written."""
    found = []
    for table in metadata.sorted_tables:
        descriptions = {column.name: column.comment or "" for column in table.columns}
        table_statement: AnySelect = select(table).order_by(table.c.id)
        found.append(Export(table.name, "table", table_statement, descriptions))
    for name, build in (
        ("results_flat", facts.results_flat),
        ("comparisons_flat", facts.comparisons_flat),
        ("adverse_events_flat", facts.adverse_events_flat),
    ):
        statement = build()
        found.append(Export(name, "view", statement, _view_descriptions(statement)))
    return found


def _view_descriptions(statement: AnySelect) -> dict[str, str]:
    descriptions = {}
    for column in statement.selected_columns:
        name = str(column.key)
        element = getattr(column, "element", column)
        comment = getattr(element, "comment", None) or ""
        descriptions[name] = VIEW_DESCRIPTIONS.get(name, comment)
    return descriptions


def export_names() -> list[str]:
    return [item.name for item in exports()] + [DATA_DICTIONARY]


def friendly_type(column_type: Any) -> str:
    if isinstance(column_type, SAEnum):
        return "enum: " + " | ".join(column_type.enums)
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, Float | Numeric):
        return "number"
    if isinstance(column_type, JSON):
        return "json"
    return "text"


def data_dictionary_rows() -> Iterator[tuple[str, str, str, str, str]]:
    """(name, column, type, nullable, description) for every column of every export."""
    for item in exports():
        if item.kind == "table":
            table = metadata.tables[item.name]
            for column in table.columns:
                nullable = "yes" if column.nullable else "no"
                yield (
                    item.name,
                    column.name,
                    friendly_type(column.type),
                    nullable,
                    item.descriptions[column.name],
                )
        else:
            for selected in item.statement.selected_columns:
                name = str(selected.key)
                yield (
                    item.name,
                    name,
                    friendly_type(selected.type),
                    "yes",
                    item.descriptions[name],
                )


def write_export(connection: Connection, name: str, stream: IO[str]) -> int:
    """Write one table, view or the data dictionary as CSV to `stream`; returns rows written."""
    if name == DATA_DICTIONARY:
        columns = ["name", "column", "type", "nullable", "description"]
        return write_csv_rows(stream, columns, data_dictionary_rows())
    for item in exports():
        if item.name == name:
            return write_select(connection, item.statement, stream)
    raise EvidenceError(
        f"nothing to export named {name!r}; choose from: {', '.join(export_names())}"
    )


def write_select(connection: Connection, statement: AnySelect, stream: IO[str]) -> int:
    """Stream a SELECT as CSV, in the connection's transaction, with the cells made ready by
    the database (`csv_ready`), so that the rows never go through SQLAlchemy's result
    processing: on PostgreSQL, the server writes the CSV itself (COPY); on SQLite, each row
    from the driver's cursor is joined into a line, and only a line that needs quotes goes
    through the csv module. Returns the number of rows written. The export statements hold
    no user input, so their few constants are rendered inline."""
    columns = [str(column.key) for column in statement.selected_columns]
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    raw: Any = connection.connection.dbapi_connection
    on_postgresql = connection.dialect.name == "postgresql"
    has_json = any(isinstance(column.type, JSON) for column in statement.selected_columns)
    if on_postgresql and not has_json:
        ready, _ = csv_ready(statement, CellTarget.COPY)
        return _copy_csv(raw, _inline_sql(connection, ready), stream)
    if on_postgresql:
        # JSON columns (small tables): rows through the csv module, from a server-side cursor.
        ready, json_columns = csv_ready(statement, CellTarget.CSV_WRITER)
        # A cursor's plan is by default chosen for its first tenth of rows (nested loops);
        # an export reads them all, which hash joins do faster.
        raw.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        cursor = raw.cursor(name="evidencedb_export")
        cursor.itersize = FETCH_ROWS
        with cursor:
            cursor.execute(_inline_sql(connection, ready))
            count = 0
            while batch := cursor.fetchmany(FETCH_ROWS):
                writer.writerows(_with_json_cells(batch, json_columns))
                count += len(batch)
            return count
    ready, json_columns = csv_ready(statement, CellTarget.JOINED)
    cursor = raw.cursor()
    try:
        cursor.execute(_inline_sql(connection, ready))
        return _write_joined(cursor, len(columns), json_columns, stream)
    finally:
        cursor.close()


def _inline_sql(connection: Connection, statement: AnySelect) -> str:
    return str(
        statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    )


def _copy_csv(raw: Any, sql: str, stream: IO[str]) -> int:
    """COPY's CSV is csv.writer's (same quoting, NULL as an empty cell) but for its line
    ends: each row arrives as one message ending in LF, which becomes CRLF here."""
    raw.execute("SET LOCAL extra_float_digits = 1")  # shortest exact float text (_float_text)
    encoding = raw.info.encoding
    count = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
        lines: list[Any] = []
        for row in copy:
            lines.append(row[:-1])
            if len(lines) == FETCH_ROWS:
                _write_lines(stream, b"\r\n".join(lines).decode(encoding))
                count += len(lines)
                lines.clear()
        if lines:
            _write_lines(stream, b"\r\n".join(lines).decode(encoding))
            count += len(lines)
    return count


def _write_lines(stream: IO[str], joined: str) -> None:
    """Lines joined by CRLF, and the last one's CRLF."""
    stream.write(joined)
    stream.write("\r\n")


def _write_joined(cursor: Any, width: int, json_columns: Sequence[int], stream: IO[str]) -> int:
    """Rows without NULL (CellTarget.JOINED) as CSV lines: ",".join of their str()s, which is
    what csv.writer writes unless a cell holds a comma, a quote or a line break. One look at
    the joined line tells (one comma too many, a quote, a line break, or a lone empty cell);
    only such a row goes through the csv module."""
    commas = width - 1
    count = 0
    while batch := cursor.fetchmany(FETCH_ROWS):
        rows: Iterable[Sequence[Any]] = (
            _with_json_cells(batch, json_columns) if json_columns else batch
        )
        lines = []
        for row in rows:
            line = ",".join(map(str, row))
            if line.count(",") != commas or '"' in line or "\n" in line or "\r" in line or not line:
                line = _csv_line(row)
            lines.append(line)
        _write_lines(stream, "\r\n".join(lines))
        count += len(lines)
    return count


def _csv_line(cells: Sequence[Any]) -> str:
    buffer = io.StringIO()
    # With CRLF as its line end, which the csv module also reads as the characters to quote.
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()[:-2]


def write_file_atomically(path: Path, write: Callable[[IO[str]], int]) -> int:
    """Write through a temporary file in the same folder, then rename it into place, so a
    reader never sees half a file and an existing symlink at `path` is replaced, not followed."""
    if path.is_dir():
        raise EvidenceError(f"cannot write {path}: it is a folder")
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise EvidenceError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            count = write(stream)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def export_all(connection: Connection, folder: Path) -> dict[str, int]:
    """Write every export into `folder` (created if missing); returns rows written per file."""
    if folder.exists() and not folder.is_dir():
        raise EvidenceError(f"{folder} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EvidenceError(f"cannot create {folder}: {error.strerror}") from None
    counts = {}
    for name in export_names():
        counts[name] = write_file_atomically(
            folder / f"{name}.csv", functools.partial(write_export, connection, name)
        )
    return counts
