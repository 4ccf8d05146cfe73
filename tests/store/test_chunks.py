"""Chunked IN lookups: every row found, in few enough queries, under SQLite's old variable limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, event, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from evidencedb.store.chunks import IN_LIST_SIZE, in_chunks, rows_where_in
from evidencedb.store.engine import make_engine
from tests.support.databases import TestDatabase

STORED = 2 * IN_LIST_SIZE + 234  # three chunks' worth of rows, the last one partial
metadata = MetaData()
numbers = Table(
    "chunk_test_numbers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
)


def test_chunks_drop_repeats_and_keep_the_first_order() -> None:
    values = [5, 3, 5, 1, 3, 4, 2]
    assert list(in_chunks(values, size=2)) == [[5, 3], [1, 4], [2]]
    assert list(in_chunks([])) == []
    assert [len(chunk) for chunk in in_chunks(range(STORED))] == [500, 500, 234]


@pytest.fixture
def connection(database: TestDatabase) -> Iterator[Connection]:
    engine = make_engine(make_url(database.url))
    try:
        with engine.begin() as connection:
            metadata.create_all(connection)
            connection.execute(
                insert(numbers), [{"id": n, "name": f"n{n}"} for n in range(1, STORED + 1)]
            )
            yield connection
            connection.rollback()  # the scratch table goes with the test's transaction
    finally:
        engine.dispose()


def _statements(connection: Connection) -> list[str]:
    """The SQL statements `connection` executes from now on."""
    seen: list[str] = []

    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", _record)
    return seen


def test_rows_of_more_values_than_one_chunk(connection: Connection) -> None:
    # Every stored id twice, in reverse, plus ids that match nothing.
    wanted = [*range(STORED, 0, -1), *range(1, STORED + 1), *range(STORED + 1, STORED + 50)]
    statements = _statements(connection)
    rows = list(rows_where_in(connection, select(numbers), numbers.c.id, wanted))
    assert sorted(row.id for row in rows) == list(range(1, STORED + 1))  # each row once
    assert all(row.name == f"n{row.id}" for row in rows)
    distinct = STORED + 49
    assert len(statements) == -(-distinct // IN_LIST_SIZE)


def test_the_statement_keeps_its_own_conditions(connection: Connection) -> None:
    statement = select(numbers.c.name).where(numbers.c.id % 2 == 0)
    names = {name for (name,) in rows_where_in(connection, statement, numbers.c.id, range(1, 1100))}
    assert names == {f"n{n}" for n in range(2, 1100, 2)}


def test_no_values_no_query(connection: Connection) -> None:
    statements = _statements(connection)
    assert list(rows_where_in(connection, select(numbers), numbers.c.id, [])) == []
    assert statements == []


def test_fits_under_sqlite_s_old_variable_limit(sqlite_database: TestDatabase) -> None:
    """SQLite before 3.32 bound at most 999 variables in one statement: one IN list of all the
    values would fail there; the chunks do not."""
    engine = make_engine(make_url(sqlite_database.url))
    try:
        with engine.begin() as connection:
            driver = connection.connection.dbapi_connection
            assert isinstance(driver, sqlite3.Connection)
            driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
            metadata.create_all(connection)
            for chunk in in_chunks(range(1, STORED + 1)):
                connection.execute(insert(numbers), [{"id": n, "name": f"n{n}"} for n in chunk])
            with pytest.raises(OperationalError, match="too many SQL variables"):
                connection.execute(select(numbers).where(numbers.c.id.in_(range(STORED))))
            found = rows_where_in(connection, select(numbers.c.id), numbers.c.id, range(STORED))
            assert len(list(found)) == STORED - 1
    finally:
        engine.dispose()
