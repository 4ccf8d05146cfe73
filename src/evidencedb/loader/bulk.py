"""Bulk writes in Core: many rows per statement, inserted, updated or upserted by their key.

Nothing here flushes ORM objects or commits: every write runs in the caller's transaction.
Rows whose ids are needed go through multi-row INSERT ... RETURNING; rows whose ids nobody
needs go through the driver (executemany of tuples on SQLite, COPY on PostgreSQL), under the
same constraints.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, Row, Table, bindparam, insert, update
from sqlalchemy import Enum as SAEnum

from evidencedb.loader.report import TableChanges
from evidencedb.loader.resolution import rows_by_key

# The bound parameter that carries a row's id in an UPDATE: `id` itself is a column name.
_ROW_ID = "b_id"


def differs(stored: Row[Any], desired: dict[str, Any]) -> bool:
    """Whether writing `desired` over the stored row would change a column other than its key."""
    mapping = stored._mapping
    return any(mapping[column] != value for column, value in desired.items() if column != "key")


def key_getter(columns: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """What gives a row's natural key (a dict or a row's mapping): the tuple of its values of
    `columns`. An itemgetter, in C: a generator per row was a tenth of the writing's time."""
    if len(columns) == 1:
        column = columns[0]
        return lambda row: (row[column],)
    return operator.itemgetter(*columns)


def update_rows(
    connection: Connection, table: Table, changed: Iterable[tuple[int, dict[str, Any]]]
) -> None:
    """Set the columns of each (id, values) pair on the row with that id."""
    # executemany needs one statement shape: group rows by the columns they set.
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row_id, values in changed:
        shapes[tuple(sorted(values))].append({**values, _ROW_ID: row_id})
    for columns, group in shapes.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam(_ROW_ID))
            .values({column: bindparam(column) for column in columns})
        )
        connection.execute(statement, group)


def insert_returning_ids(
    connection: Connection, table: Table, rows: list[dict[str, Any]], key_columns: tuple[str, ...]
) -> dict[Any, int]:
    """Insert rows and give their ids by natural key: the value of the one key column, or the
    tuple of the values of several."""
    key_cols = [table.c[name] for name in key_columns]
    # Ids are matched to rows by the key columns returned beside them, so the RETURNING rows
    # may come in any order: asking SQLAlchemy to sort them by parameter (sort_by_parameter_
    # order) made it send one INSERT per row on SQLite, 16,000 statements for 1,000 records.
    result = connection.execute(insert(table).returning(table.c.id, *key_cols), rows)
    ids: dict[Any, int] = {}
    for row in result:
        key = tuple(row[1:]) if len(key_columns) > 1 else row[1]
        ids[key] = row[0]
    return ids


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows whose ids nobody needs: on SQLite by the driver's executemany of tuples,
    on PostgreSQL by COPY, both inside the command's transaction (constraints are checked
    as for INSERT); elsewhere, and for tables with JSON columns, by Core executemany."""
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql") or any(
        isinstance(column.type, JSON) for column in table.columns
    ):
        connection.execute(insert(table), rows)
        return
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        shapes[tuple(row)].append(row)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for shape, group in shapes.items():
            columns = [name for name in shape if name in table.c]
            getter = operator.itemgetter(*columns)
            if len(columns) > 1:
                tuples = [getter(row) for row in group]
            else:  # itemgetter of one name gives the value, not a tuple
                tuples = [(getter(row),) for row in group]
            if dialect == "sqlite":
                _executemany_sqlite(cursor, table, columns, tuples)
            else:
                _copy_postgresql(cursor, table, columns, tuples)
    finally:
        cursor.close()


def _executemany_sqlite(cursor: Any, table: Table, columns: list[str], tuples: list[Any]) -> None:
    # Enum members are str subclasses: sqlite3 binds them as their values.
    marks = ", ".join("?" * len(columns))
    cursor.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", tuples)


def _copy_postgresql(cursor: Any, table: Table, columns: list[str], tuples: list[Any]) -> None:
    # psycopg would dump an Enum member by its name: give it the value.
    enums = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, SAEnum)]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for values in tuples:
            if enums:
                values = list(values)
                for i in enums:
                    if values[i] is not None:
                        values[i] = str.__str__(values[i])
            copy.write_row(values)


@dataclass(frozen=True)
class KeyedUpsert:
    """What `upsert_by_key` did: the id of every row by key, and which keys were new."""

    ids: dict[str, int]
    inserted: set[str]
    changes: TableChanges


def upsert_by_key(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> KeyedUpsert:
    """Insert or update rows of a table whose natural key is the single column `key`."""
    if not rows:
        return KeyedUpsert({}, set(), TableChanges())
    existing = rows_by_key(connection, table, [row["key"] for row in rows], *table.c)
    ids = {key: row.id for key, row in existing.items()}
    inserts = [row for row in rows if row["key"] not in existing]
    updates = [
        (existing[row["key"]].id, row)
        for row in rows
        if row["key"] in existing and differs(existing[row["key"]], row)
    ]
    if updates:
        update_rows(connection, table, updates)
    if inserts:
        ids |= insert_returning_ids(connection, table, inserts, ("key",))
    inserted = {row["key"] for row in inserts}
    return KeyedUpsert(ids, inserted, TableChanges(inserted=len(inserts), updated=len(updates)))
