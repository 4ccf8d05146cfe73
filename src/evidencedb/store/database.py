"""Opening a database for a command: the one way to write, read, read only, or migrate it.

Every way checks the same things in the same order: the URL, that a SQLite file exists where
it must, and the schema revision (creating the schema in a new database when writing). Each
yields one connection in one transaction (`store.transaction`), which the caller owns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from evidencedb.errors import DatabaseNotReady
from evidencedb.store import revision
from evidencedb.store.engine import make_engine, resolve_url, sqlite_path
from evidencedb.store.transaction import transaction

IN_MEMORY = "sqlite://"


@contextmanager
def open_engine(
    url: str | URL | None, *, write: bool, read_only_file: bool = False
) -> Iterator[Engine]:
    """An engine for `url` (see `resolve_url`), disposed of when the block ends."""
    engine = make_engine(_resolved(url), write=write, read_only_file=read_only_file)
    try:
        yield engine
    finally:
        engine.dispose()


def database_exists(url: str | URL | None) -> bool:
    """False only for a SQLite file that does not exist (a server database may be reachable)."""
    path = sqlite_path(_resolved(url))
    return path is None or path.exists()


@contextmanager
def writing(url: str | URL | None, *, dry_run: bool = False) -> Iterator[Connection]:
    """A write transaction on a database at head, created at head if it is new.

    Writers are serialised (`take_write_lock`). A dry run does the same work and then rolls
    back; where its SQLite file does not exist, it works on an empty in-memory database
    instead, so that it creates no file."""
    if dry_run and not database_exists(url):
        url = IN_MEMORY
    with open_engine(url, write=True) as engine, transaction(engine) as connection:
        take_write_lock(connection)
        if revision.needs_schema(connection):
            from evidencedb.store import migrate  # Alembic, only where a schema is created

            migrate.upgrade(connection)
        yield connection
        if dry_run:
            connection.rollback()
        elif connection.in_transaction():
            refresh_statistics(connection)


@contextmanager
def reading(
    url: str | URL | None, *, snapshot: bool = False, read_only: bool = False
) -> Iterator[Connection]:
    """A read transaction on an existing database at head; rolled back at the end, since a
    read has nothing to commit.

    `snapshot=True` makes every statement of it see the same data on PostgreSQL too (SQLite's
    read transaction does). `read_only=True` has the database itself refuse writes: SQLite
    opens the file read-only, PostgreSQL begins the transaction READ ONLY."""
    with (
        read_engine(url, read_only=read_only) as engine,
        read_transaction(engine, snapshot=snapshot, read_only=read_only) as connection,
    ):
        yield connection


@contextmanager
def read_engine(url: str | URL | None, *, read_only: bool = False) -> Iterator[Engine]:
    """The engine of `reading`, for a program that reads many times (the web view keeps one
    for its lifetime, so that a request does not connect anew): the same checks."""
    _require_file(url)
    with open_engine(url, write=False, read_only_file=read_only) as engine:
        yield engine


@contextmanager
def read_transaction(
    engine: Engine, *, snapshot: bool = False, read_only: bool = False
) -> Iterator[Connection]:
    """One read transaction of `reading` on an engine of `read_engine`."""
    if engine.dialect.name == "postgresql" and (snapshot or read_only):
        options: dict[str, object] = {"postgresql_readonly": read_only}
        if snapshot:
            options["isolation_level"] = "REPEATABLE READ"
        engine = engine.execution_options(**options)
    with transaction(engine) as connection:
        revision.require_head(connection)
        yield connection
        connection.rollback()


@contextmanager
def migrating(url: str | URL | None) -> Iterator[Connection]:
    """A write transaction for changing the schema itself (`evidencedb db ...`): the writer's
    lock, but no revision check, since moving between revisions is the point."""
    with open_engine(url, write=True) as engine, transaction(engine) as connection:
        take_write_lock(connection)
        yield connection


def take_write_lock(connection: Connection) -> None:
    """Serialise writers, as SQLite's BEGIN IMMEDIATE does: on PostgreSQL two loads that
    overlapped would both sync against the state before either, and the second would fail
    on a duplicate or leave a mixture of both. The lock ends with the transaction. Its key is
    the schema's name, hashed: evidencedb databases in other schemas of the same PostgreSQL
    database are independent, and their writers need not wait for each other."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(hashtext('evidencedb writer: ' || current_schema()))"
        )


def refresh_statistics(connection: Connection) -> None:
    """Give SQLite's planner the statistics it plans joins with, in the same transaction as
    the rows. Without them it takes every index as equally selective, and a filter such as
    `--intervention KEY --endpoint-kind K` starts from the few-valued index on endpoint kind
    (60 ms at 20,000 records instead of 2). `analysis_limit` samples each index (milliseconds
    at any size). PostgreSQL's autovacuum keeps its own statistics."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit = 400")
        connection.exec_driver_sql("ANALYZE")


def _resolved(url: str | URL | None) -> URL:
    return url if isinstance(url, URL) else resolve_url(url)


def _require_file(url: str | URL | None) -> None:
    path = sqlite_path(_resolved(url))
    if path is not None and not path.exists():
        raise DatabaseNotReady(
            f"no database at {path}; create one with `evidencedb load seeds/` "
            "or `evidencedb db upgrade`"
        )
