"""Operations that a command runs as one unit: open the database, do the work in one
transaction, report. The CLI calls these; so can any Python program."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import URL

from evidencedb.errors import DatabaseNotReady
from evidencedb.loader.load import load
from evidencedb.loader.report import LoadReport
from evidencedb.records.bundle import Bundle
from evidencedb.seedfiles.jsonschema import json_schema
from evidencedb.seedfiles.reading import read_seed_files
from evidencedb.store import migrate
from evidencedb.store.engine import make_engine, resolve_url, sqlite_path, transaction
from evidencedb.store.models import metadata


@contextmanager
def open_engine(url: str | URL | None, *, write: bool) -> Iterator[Engine]:
    resolved = url if isinstance(url, URL) else resolve_url(url)
    engine = make_engine(resolved, write=write)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def writing(url: str | URL | None) -> Iterator[Connection]:
    """A write transaction on a database at head, created if it does not exist yet."""
    with open_engine(url, write=True) as engine, transaction(engine) as connection:
        take_write_lock(connection)
        migrate.ensure_ready(connection, create=True)
        yield connection
        refresh_statistics(connection)


def refresh_statistics(connection: Connection) -> None:
    """Give SQLite's planner the statistics it plans joins with, in the same transaction as
    the rows. Without them it takes every index as equally selective, and a filter such as
    `--intervention KEY --endpoint-kind K` starts from the few-valued index on endpoint kind
    (60 ms at 20,000 records instead of 2). `analysis_limit` samples each index (milliseconds
    at any size). PostgreSQL's autovacuum keeps its own statistics."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit = 400")
        connection.exec_driver_sql("ANALYZE")


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


@contextmanager
def reading(url: str | URL | None, *, snapshot: bool = False) -> Iterator[Connection]:
    """A read transaction on an existing database at head. `snapshot=True` makes every
    statement of it see the same data on PostgreSQL too (SQLite's read transaction does)."""
    with open_engine(url, write=False) as engine:
        path = sqlite_path(engine.url)
        if path is not None and not path.exists():
            raise DatabaseNotReady(
                f"no database at {path}; create one with `evidencedb load seeds/` "
                "or `evidencedb db upgrade`"
            )
        if snapshot and engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        with transaction(engine) as connection:
            migrate.ensure_ready(connection, create=False)
            yield connection


def load_seed_paths(url: str | URL | None, paths: Sequence[Path], *, dry_run: bool) -> LoadReport:
    """Validate seed files, then (unless `dry_run`) load them all in one transaction.

    A dry run still resolves references against the database when it exists, and writes
    nothing: its transaction is rolled back.
    """
    bundles = read_seed_files(paths)
    return load_bundles(url, bundles, dry_run=dry_run)


class DryRun(Exception):
    """Raised inside a write transaction to roll a dry run back, carrying its report."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report


def load_bundles(url: str | URL | None, bundles: Sequence[Bundle], *, dry_run: bool) -> LoadReport:
    resolved = url if isinstance(url, URL) else resolve_url(url)
    path = sqlite_path(resolved)
    if dry_run and path is not None and not path.exists():
        resolved = resolve_url("sqlite://")  # validate against an empty schema; create no file
    try:
        with writing(resolved) as connection:
            report = load(connection, bundles)
            if dry_run:
                raise DryRun(report)  # leaves the transaction by rollback
    except DryRun as rolled_back:
        return rolled_back.report
    return report


def table_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }


def write_json_schema(path: Path | None) -> str:
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text
