"""Engines: URL resolution, and the connection set-up every engine of evidencedb gets.

SQLite gets foreign keys switched on, a busy timeout, WAL, and transactions that really begin
where SQLAlchemy says they do (the sqlite3 module otherwise commits DDL on its own), so a
failed command leaves the file exactly as it was.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, InterfaceError

from evidencedb.errors import DatabaseUnavailable, EvidenceError
from evidencedb.store.urls import DEFAULT_URL, URL_ENVIRONMENT_VARIABLE

SQLITE_BUSY_TIMEOUT_MS = 30_000


def resolve_url(url: str | None = None) -> URL:
    """The database to use: the given URL, else $EVIDENCEDB_URL, else ./evidence.db.

    A plain path is taken as a SQLite file, and `postgresql://` means psycopg 3 (the driver we
    install) rather than SQLAlchemy's default psycopg2.
    """
    text = url or os.environ.get(URL_ENVIRONMENT_VARIABLE) or DEFAULT_URL
    if "://" not in text:
        text = f"sqlite:///{text}"
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):
        masked = re.sub(r"(://[^/:@]*:)[^@]*@", r"\1***@", text)
        raise EvidenceError(f"not a database URL: {masked!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise EvidenceError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///FILE "
            "or postgresql://USER@HOST/DB"
        )
    return parsed


def display_url(url: URL) -> str:
    """The URL as it may appear in messages: never with its password."""
    return url.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, or None for PostgreSQL and in-memory SQLite."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def make_engine(
    url: URL, *, write: bool = True, read_only_file: bool = False, **kwargs: Any
) -> Engine:
    """An engine for `url`. `write=True` makes SQLite transactions take the write lock at BEGIN,
    so that concurrent writers wait on the busy timeout instead of failing mid-transaction.
    `read_only_file=True` opens a SQLite file read-only (`mode=ro`): the file itself then
    refuses every write, whatever the statement."""
    if url.get_backend_name() == "sqlite":
        if read_only_file:
            kwargs["creator"] = _read_only_opener(url)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(
            engine, begin="BEGIN IMMEDIATE" if write else "BEGIN", journal=not read_only_file
        )
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    _report_connection_failures(engine)
    return engine


def _read_only_opener(url: URL) -> Callable[[], sqlite3.Connection]:
    path = sqlite_path(url)
    if path is None:
        raise EvidenceError(f"{display_url(url)} is not a file that can be opened read-only")
    uri = f"{path.resolve().as_uri()}?mode=ro"

    def connect() -> sqlite3.Connection:
        # The pool hands a connection to one thread at a time, not always the one that opened
        # it (the web view serves requests from a pool of threads).
        return sqlite3.connect(
            uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )

    return connect


def _report_connection_failures(engine: Engine) -> None:
    """A database that cannot be reached or opened is the user's to fix (a server that does not
    answer, a file that is not a SQLite database): one line naming the URL, with its password
    masked, instead of the driver's traceback."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if context.connection is not None or not isinstance(
            context.sqlalchemy_exception, DatabaseError | InterfaceError
        ):
            return  # an error of a statement, not of connecting
        detail = str(context.original_exception).strip().splitlines()
        reason = detail[0] if detail else type(context.original_exception).__name__
        raise DatabaseUnavailable(f"cannot connect to {display_url(engine.url)}: {reason}")


def _configure_sqlite(engine: Engine, *, begin: str, journal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level; SQLAlchemy's "begin" event below emits BEGIN itself,
        # which makes DDL transactional too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # Reads the file's header: a file that is not a SQLite database fails here, while
        # connecting, where it is reported as one line (`_report_connection_failures`).
        cursor.execute("PRAGMA schema_version")
        # A read-only file keeps the journal mode it was written with (WAL, set below).
        if journal and cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cursor.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable in WAL mode except for the last commits before a power loss,
            # and never corrupts the file.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)
