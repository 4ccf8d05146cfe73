"""Opening a database for a command: the one way to write, read, read only, or migrate it.

Every way checks the same things in the same order: the URL, that a SQLite file exists where
it must, and the schema revision (creating the schema in a new database when writing). Each
yields one connection in one transaction (`store.transaction`), which the caller owns.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from evidencedb.errors import DatabaseNotReady, DatabaseReadOnly, EvidenceError
from evidencedb.store import revision
from evidencedb.store.engine import display_url, make_engine, resolve_url, sqlite_path
from evidencedb.store.transaction import transaction

IN_MEMORY = "sqlite://"
# PostgreSQL's insufficient_privilege (no INSERT grant) and read_only_sql_transaction (a role
# whose default_transaction_read_only is on).
_READ_ONLY_SQLSTATES = frozenset({"42501", "25006"})
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


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
    instead, so that it creates no file. A new SQLite file is written under a temporary name
    and put in place when the transaction commits (`created_atomically`): a failed first
    write leaves no file behind. A login that may not write is one line
    (`DatabaseReadOnly`), and the transaction is rolled back."""
    resolved = _resolved(url)
    path = sqlite_path(resolved)
    if dry_run and not database_exists(resolved):
        resolved = _resolved(IN_MEMORY)
    elif path is not None and not path.exists():
        with (
            created_atomically(path) as temporary,
            _writing(resolved.set(database=str(temporary)), dry_run) as connection,
        ):
            yield connection
        return
    with _writing(resolved, dry_run) as connection:
        yield connection


@contextmanager
def _writing(url: URL, dry_run: bool) -> Iterator[Connection]:
    with (
        open_engine(url, write=True) as engine,
        _refusals_of_writes(engine.url),
        transaction(engine) as connection,
    ):
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
def created_atomically(path: Path) -> Iterator[Path]:
    """A temporary file name beside `path` to create a new SQLite database in; when the block
    ends without error, the file is put at `path`, else removed with its journal.

    The temporary file is linked to `path` (`os.link`), which fails where `path` exists: a
    database another process created meanwhile is never overwritten, and this one is then
    refused with a message (nothing of it was visible). Where the filesystem has no hard
    links, it is renamed into place after a check that `path` is still free (a window of
    microseconds instead of none). Deleting a failed `path` instead would race with a
    concurrent writer that opened the same new file."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.creating")
    try:
        yield temporary
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise EvidenceError(
                f"{path} was created by another process during this command; nothing was "
                "written: run it again"
            ) from None
        except OSError:  # no hard links here (some network and FAT filesystems)
            if path.exists():
                raise EvidenceError(
                    f"{path} was created by another process during this command; nothing "
                    "was written: run it again"
                ) from None
            os.replace(temporary, path)
    finally:
        for leftover in (temporary, *(Path(f"{temporary}{end}") for end in _SQLITE_SIDE_FILES)):
            leftover.unlink(missing_ok=True)


@contextmanager
def _refusals_of_writes(url: URL) -> Iterator[None]:
    """A write the database refuses for want of privilege becomes one line naming the login."""
    try:
        yield
    except DBAPIError as error:
        if not _is_refused_write(error):
            raise
        login = f"the login {url.username!r}" if url.username else "this login"
        if url.get_backend_name() == "sqlite":
            raise DatabaseReadOnly(
                f"{display_url(url)} is read-only for this user: nothing was written"
            ) from None
        raise DatabaseReadOnly(
            f"{login} is read-only on {display_url(url)}: nothing was written; "
            "use a login that may write (the README's evidencedb_writer)"
        ) from None


def _is_refused_write(error: DBAPIError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) in _READ_ONLY_SQLSTATES:
        return True
    return getattr(original, "sqlite_errorname", "").startswith("SQLITE_READONLY")


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
