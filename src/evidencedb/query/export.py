"""CSV export: every table and flat view as a file, the data dictionary, streamed writing."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, Boolean, Connection, Float, Integer, Numeric, select
from sqlalchemy import Enum as SAEnum

from evidencedb.errors import EvidenceError
from evidencedb.query.cells import CellTarget, csv_cell, csv_ready, with_json_cells
from evidencedb.query.datapackage import DATAPACKAGE, datapackage
from evidencedb.query.facts import FACT_VIEWS, fact_columns, fact_statement
from evidencedb.query.statement import AnySelect
from evidencedb.store.models import tables_in_order

FETCH_ROWS = 5000  # rows per fetch from the database cursor, and per write
BOM = "\ufeff"


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
class ExportColumn:
    """One column of an export, as the data dictionary describes it."""

    name: str
    type: Any  # the SQLAlchemy type
    nullable: bool
    description: str


@dataclass(frozen=True)
class Export:
    """A table or flat view that `export csv` writes: its SELECT and its columns."""

    name: str
    statement: AnySelect
    columns: Sequence[ExportColumn]


DATA_DICTIONARY = "data_dictionary"


def exports() -> list[Export]:
    """Every table, then the flat views, in the order they are written."""
    found = []
    for table in tables_in_order():
        columns = [
            ExportColumn(column.name, column.type, bool(column.nullable), column.comment or "")
            for column in table.columns
        ]
        table_statement: AnySelect = select(table).order_by(table.c.id)
        found.append(Export(table.name, table_statement, columns))
    for view in FACT_VIEWS:
        # A view's column may be NULL wherever it comes from (an outer join, a computed one).
        columns = [
            ExportColumn(column.name, column.type, True, column.description)
            for column in fact_columns(view)
        ]
        found.append(Export(view, fact_statement(view), columns))
    return found


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
        for column in item.columns:
            nullable = "yes" if column.nullable else "no"
            yield (item.name, column.name, friendly_type(column.type), nullable, column.description)


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
                writer.writerows(with_json_cells(batch, json_columns))
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
    raw.execute(
        "SET LOCAL extra_float_digits = 1"
    )  # shortest exact float text (see cells.csv_ready)
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
            with_json_cells(batch, json_columns) if json_columns else batch
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


def write_file_atomically(path: Path, write: Callable[[IO[str]], int], *, bom: bool = False) -> int:
    """Write through a temporary file in the same folder (created if missing, as `plot --out`
    does), then rename it into place, so a reader never sees half a file and an existing
    symlink at `path` is replaced, not followed. With `bom`, the file starts with a UTF-8 byte
    order mark (what Excel on Windows needs to read UTF-8)."""
    if path.is_dir():
        raise EvidenceError(f"cannot write {path}: it is a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise EvidenceError(f"cannot write {path}: {path.parent} is not a folder") from None
    except OSError as error:
        raise EvidenceError(f"cannot write {path}: {error.strerror}") from None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise EvidenceError(f"cannot write {path}: {error.strerror}") from None
    try:
        # mkstemp makes the file private (0600); an export is an ordinary file of the user's,
        # with the permissions their umask gives any new file.
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            if bom:
                stream.write(BOM)
            count = write(stream)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _umask() -> int:
    """The process's umask (only readable by setting it, so it is set back at once)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def export_all(connection: Connection, folder: Path, *, bom: bool = False) -> dict[str, int]:
    """Write every export into `folder` (created if missing), then its `datapackage.json`;
    returns rows written per CSV file."""
    if folder.exists() and not folder.is_dir():
        raise EvidenceError(f"{folder} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EvidenceError(f"cannot create {folder}: {error.strerror}") from None
    counts = {}
    for name in export_names():
        counts[name] = write_file_atomically(
            folder / f"{name}.csv", functools.partial(write_export, connection, name), bom=bom
        )
    descriptor = datapackage(exports(), DATA_DICTIONARY, bom=bom)
    write_file_atomically(folder / DATAPACKAGE, functools.partial(_write_json, descriptor))
    return counts


def _write_json(document: Any, stream: IO[str]) -> int:
    stream.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return 1
