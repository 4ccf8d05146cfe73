"""CSV export: RFC 4180, UTF-8, '.' decimals, empty cell for NULL, no spreadsheet formulas."""

from __future__ import annotations

import csv
import functools
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

from sqlalchemy import JSON, Boolean, Connection, Float, Integer, Numeric, select
from sqlalchemy import Enum as SAEnum

from evidencedb import queries
from evidencedb.errors import EvidenceError
from evidencedb.models import Base

# A cell a spreadsheet would evaluate starts with one of these (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


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


_FORMULA_FIRST = frozenset("".join(_FORMULA_START))
FETCH_ROWS = 5000  # rows per fetch from the database cursor


def _boolean_cell(value: Any) -> Any:
    return csv_cell(None if value is None else bool(value))


def _json_cell(value: Any) -> str:
    return csv_cell(json.loads(value) if isinstance(value, str | bytes) else value)


def _cell_writers(types: Sequence[Any]) -> tuple[list[int], list[tuple[int, Callable[[Any], Any]]]]:
    """For raw driver rows of columns of these SQLAlchemy types: the positions of text cells
    (checked for formulas) and the converters of the others that need one. Integers and finite
    floats go to the csv module as they are: it writes str(int) and repr(float), as csv_cell
    does, and None as an empty cell."""
    text: list[int] = []
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for position, column_type in enumerate(types):
        if isinstance(column_type, Boolean):
            converters.append((position, _boolean_cell))
        elif isinstance(column_type, JSON):
            converters.append((position, _json_cell))
        elif isinstance(column_type, Integer):
            converters.append((position, _integer_cell))
        elif isinstance(column_type, Float | Numeric):
            converters.append((position, _number_cell))
        else:
            text.append(position)
    return text, converters


def _integer_cell(value: Any) -> Any:
    return value if value.__class__ is int or value is None else csv_cell(value)


def _number_cell(value: Any) -> Any:
    if value.__class__ is float:
        return value if math.isfinite(value) else ""
    return value if value is None else csv_cell(value)


def write_raw_rows(
    stream: IO[str],
    columns: Sequence[str],
    types: Sequence[Any],
    batches: Iterable[Sequence[Sequence[Any]]],
) -> int:
    """Write a header and the rows of a driver cursor, batch by batch, cell by cell as
    `csv_cell` would: the hot path of the export, with the least work per cell."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    text, converters = _cell_writers(types)
    formula_first = _FORMULA_FIRST
    count = 0
    for batch in batches:
        out = []
        for raw in batch:
            row = list(raw)
            for i in text:
                value = row[i]
                if value.__class__ is str:
                    if value and value[0] in formula_first:
                        row[i] = csv_cell(value)
                elif value is not None:
                    row[i] = csv_cell(value)
            for i, convert in converters:
                row[i] = convert(row[i])
            out.append(row)
        writer.writerows(out)
        count += len(out)
    return count


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
    statement: queries.AnySelect
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
    for table in Base.metadata.sorted_tables:
        descriptions = {column.name: column.comment or "" for column in table.columns}
        table_statement: queries.AnySelect = select(table).order_by(table.c.id)
        found.append(Export(table.name, "table", table_statement, descriptions))
    for name, build in (
        ("results_flat", queries.results_flat),
        ("comparisons_flat", queries.comparisons_flat),
        ("adverse_events_flat", queries.adverse_events_flat),
    ):
        statement = build()
        found.append(Export(name, "view", statement, _view_descriptions(statement)))
    return found


def _view_descriptions(statement: queries.AnySelect) -> dict[str, str]:
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
            table = Base.metadata.tables[item.name]
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
            return _write_statement(connection, item.statement, stream)
    raise EvidenceError(
        f"nothing to export named {name!r}; choose from: {', '.join(export_names())}"
    )


def _write_statement(connection: Connection, statement: queries.AnySelect, stream: IO[str]) -> int:
    """Stream a SELECT as CSV straight from the driver's cursor (a server-side cursor on
    PostgreSQL), in the connection's transaction, converting only the cells that need it: the
    rows never go through SQLAlchemy's result processing, which costs more than writing them.
    The export statements hold no user input, so their few constants are rendered inline."""
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    columns = [str(column.key) for column in statement.selected_columns]
    types = [column.type for column in statement.selected_columns]
    raw: Any = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        cursor = raw.cursor(name="evidencedb_export")  # server-side
        cursor.itersize = FETCH_ROWS
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(sql)

        def batches() -> Iterator[Sequence[Sequence[Any]]]:
            while batch := cursor.fetchmany(FETCH_ROWS):
                yield batch

        return write_raw_rows(stream, columns, types, batches())
    finally:
        cursor.close()


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
