"""`evidencedb sql`: arbitrary SELECTs that the database itself keeps from writing.

SQLite: the file is opened read-only (`mode=ro`) and an authorizer allows only reading,
so ATTACH, PRAGMA, writes and extension loading are refused even inside a CTE.
PostgreSQL: the statement runs in a READ ONLY transaction, which refuses every write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError, StatementError

from evidencedb import migrate
from evidencedb.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, sqlite_path
from evidencedb.errors import DatabaseNotReady, EvidenceError

_ALLOWED_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),
}
# Functions that reach outside the database file, where a build of SQLite has them.
_REFUSED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}


def _authorize(action: int, first: str | None, second: str | None, *_: Any) -> int:
    if action not in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (second or "").lower() in _REFUSED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@contextmanager
def read_only_connection(url: URL) -> Iterator[Connection]:
    path = sqlite_path(url)
    if url.get_backend_name() == "sqlite":
        if path is None or not path.exists():
            raise DatabaseNotReady(f"no database at {path}; create one with `evidencedb load`")

        def connect() -> sqlite3.Connection:
            connection = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
            )
            return connection

        engine = create_engine("sqlite://", creator=connect)
        try:
            with engine.connect() as connection:
                migrate.ensure_ready(connection, create=False)
                raw = connection.connection.dbapi_connection
                assert isinstance(raw, sqlite3.Connection)
                raw.set_authorizer(_authorize)
                yield connection
        finally:
            engine.dispose()
        return
    engine = make_engine(url, write=False)
    try:
        with engine.connect() as connection:
            migrate.ensure_ready(connection, create=False)
            connection.rollback()
            with connection.begin():
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield connection
    finally:
        engine.dispose()


def run_sql(connection: Connection, statement: str) -> tuple[list[str], Iterator[Any]]:
    """Execute one statement; returns its column names and a lazy iterator of its rows."""
    try:
        result = connection.exec_driver_sql(statement)
    except (DBAPIError, StatementError) as error:
        message = str(getattr(error, "orig", error)).splitlines()[0]
        raise EvidenceError(f"SQL refused: {message}") from None
    if not result.returns_rows:
        raise EvidenceError("SQL refused: only statements that return rows are allowed")
    return list(result.keys()), iter(result)
