"""`evidencedb sql`: arbitrary SELECTs that the database itself keeps from writing.

SQLite: the file is opened read-only (`mode=ro`) and an authorizer allows only reading,
so ATTACH, PRAGMA, writes and extension loading are refused even inside a CTE.
PostgreSQL: the statement runs in a READ ONLY transaction, which refuses every write (and is
rolled back, never committed: it may still create large objects or queue notifications, which
only a commit would keep), sent as a prepared statement, which holds exactly one statement (so
`COMMIT; DELETE ...` cannot end the read-only transaction), and, where the login may, as the
predefined role `pg_read_all_data`, which can read every table but not the server's files. A
login that is a superuser, or may become one, or may touch the server's files, is refused
outright: the statement itself could switch back to that role (`set_config('role', ...)`), so
no role switch made for it is a boundary.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import URL, Connection

from evidencedb.errors import EvidenceError
from evidencedb.store.database import reading

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
def read_only_connection(
    url: str | URL | None, *, time_limit: float | None = None
) -> Iterator[Connection]:
    """A read-only transaction (`store.database.reading`) with the guards above on top.

    `time_limit` (seconds) stops a statement that runs longer, with an `EvidenceError`:
    PostgreSQL's `statement_timeout` for this transaction, SQLite's progress handler (which
    also stops the reading of rows after the statement began answering)."""
    with reading(url, read_only=True) as connection:
        if connection.dialect.name == "postgresql":
            _refuse_powerful_login(connection)
            if time_limit is not None:
                connection.exec_driver_sql(
                    f"SET LOCAL statement_timeout = {max(1, round(time_limit * 1000))}"
                )
            _drop_to_read_role(connection)
            yield connection
            return
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.set_authorizer(_authorize)
        if time_limit is not None:
            deadline = time.monotonic() + time_limit
            raw.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_STEPS)
        try:
            yield connection
        finally:
            raw.set_authorizer(None)  # ending the transaction is not the statement's doing
            raw.set_progress_handler(None, 0)


# SQLite calls the progress handler every this many virtual-machine steps (well under 1 ms).
_PROGRESS_STEPS = 10_000


# Predefined roles whose members may read, write or execute on the server's file system.
_SERVER_FILE_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")


def _refuse_powerful_login(connection: Connection) -> None:
    """Refuse a login that is, or is a member of, a superuser role or a server-files role."""
    login, powerful = connection.exec_driver_sql(
        "SELECT session_user, coalesce(bool_or(rolsuper OR rolname = ANY(%(file_roles)s)), false) "
        "FROM pg_roles WHERE pg_has_role(session_user, oid, 'MEMBER')",
        {"file_roles": list(_SERVER_FILE_ROLES)},
    ).one()
    if powerful:
        raise EvidenceError(
            f"SQL refused: the login {login!r} is a superuser or may read the server's files, "
            "and a statement could use that; connect `sql` with a read-only login (README: "
            "Beyond one machine)"
        )


def _drop_to_read_role(connection: Connection) -> None:
    """Become pg_read_all_data for this transaction when the login is a member: the statement
    then runs with read rights only, whatever else the login may do."""
    member = connection.exec_driver_sql(
        "SELECT pg_has_role(current_user, 'pg_read_all_data', 'MEMBER')"
    ).scalar()
    if member:
        connection.exec_driver_sql("SET LOCAL ROLE pg_read_all_data")


def run_sql(connection: Connection, statement: str) -> tuple[list[str], Iterator[Any]]:
    """Execute one statement; returns its column names and a lazy iterator of its rows.

    The driver's cursor is used directly so that exactly one statement is sent: sqlite3
    refuses more than one, and a prepared statement on PostgreSQL can hold only one (a
    simple-protocol query could say `COMMIT; DELETE ...` and escape the read-only transaction).
    """
    cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with _refusing_driver_errors(connection):
        if connection.dialect.name == "postgresql":
            cursor.execute(statement, prepare=True)
        else:
            cursor.execute(statement)
    if cursor.description is None or not _returned_rows(cursor, connection):
        raise EvidenceError("SQL refused: only statements that return rows are allowed")
    rows: Iterator[Any] = iter(cursor)
    return [column[0] for column in cursor.description], rows


def first_rows(
    connection: Connection, statement: str, limit: int
) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    """`run_sql`'s columns and its first `limit` rows, and whether more rows follow; an error
    while the rows are read (a time limit reached) is refused as the statement's own is."""
    columns, rows = run_sql(connection, statement)
    with _refusing_driver_errors(connection):
        first = [tuple(row) for row in itertools.islice(rows, limit + 1)]
    return columns, first[:limit], len(first) > limit


@contextmanager
def _refusing_driver_errors(connection: Connection) -> Iterator[None]:
    """A driver error is the user's statement being refused: one line, no traceback."""
    try:
        yield
    except Exception as error:  # any driver error; anything else is re-raised below
        if not isinstance(error, _driver_errors(connection)):
            raise
        _discard_if_busy(connection)
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if message == "interrupted":  # SQLite's progress handler stopped it
            message = "the statement ran past its time limit"
        raise EvidenceError(f"SQL refused: {message}") from None


def _returned_rows(cursor: Any, connection: Connection) -> bool:
    """False for a PostgreSQL statement that answered with something else than rows."""
    if connection.dialect.name != "postgresql":
        return True
    from psycopg import pq

    if cursor.pgresult is not None and cursor.pgresult.status == pq.ExecStatus.TUPLES_OK:
        return True
    _discard_if_busy(connection)
    return False


def _discard_if_busy(connection: Connection) -> None:
    """A PostgreSQL connection left mid-command (`COPY ... TO STDOUT` starts streaming data
    that the driver refuses to read this way) can take no ROLLBACK: close it unused."""
    if connection.dialect.name != "postgresql":
        return
    from psycopg.pq import TransactionStatus

    raw: Any = connection.connection.dbapi_connection
    if raw is not None and raw.info.transaction_status == TransactionStatus.ACTIVE:
        connection.invalidate()


def _driver_errors(connection: Connection) -> tuple[type[Exception], ...]:
    if connection.dialect.name == "postgresql":
        import psycopg

        return (psycopg.Error,)
    return (sqlite3.Error, sqlite3.Warning)
