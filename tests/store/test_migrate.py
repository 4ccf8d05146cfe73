"""The migrations create exactly the models' schema, and walk up and down on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from evidencedb.operations import service
from evidencedb.store import migrate
from evidencedb.store.engine import transaction
from evidencedb.store.models import metadata
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase


def _diff(database: TestDatabase) -> list[object]:
    with service.open_engine(database.url, write=True) as engine, engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=migrate.comparison_options())
        return list(compare_metadata(context, metadata))


def test_models_and_migrations_do_not_drift(empty_database: TestDatabase) -> None:
    assert run_cli("db", "upgrade", db=empty_database).exit_code == 0
    assert _diff(empty_database) == []


def test_upgrade_downgrade_upgrade(empty_database: TestDatabase) -> None:
    with service.open_engine(empty_database.url, write=True) as engine:
        with transaction(engine) as connection:
            migrate.upgrade(connection)
            assert migrate.current_revision(connection) == migrate.head_revision()
        with transaction(engine) as connection:
            migrate.downgrade(connection, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        with transaction(engine) as connection:
            migrate.upgrade(connection)
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
    assert {table.name for table in metadata.sorted_tables} <= tables
    assert _diff(empty_database) == []


def test_db_commands(empty_database: TestDatabase) -> None:
    before = run_cli("db", "current", db=empty_database)
    assert before.exit_code == 0
    assert "current: none" in before.stdout
    assert run_cli("db", "upgrade", db=empty_database).exit_code == 0
    after = run_cli("db", "current", db=empty_database)
    assert f"current: {migrate.head_revision()}" in after.stdout
    assert run_cli("db", "downgrade", "base", db=empty_database).exit_code == 0
    refused = run_cli("summary", db=empty_database)
    assert refused.exit_code == 1
    assert "has no evidencedb schema yet" in refused.stderr
    assert "evidencedb db upgrade" in refused.stderr
    # A write creates the schema again on a database whose revisions were all downgraded.
    assert run_cli("load", "seeds", db=empty_database).exit_code == 0
    assert run_cli("summary", db=empty_database).exit_code == 0


def test_downgrade_to_unknown_revision_is_a_user_error(empty_database: TestDatabase) -> None:
    assert run_cli("db", "upgrade", db=empty_database).exit_code == 0
    outcome = run_cli("db", "downgrade", "nonexistent", db=empty_database)
    assert outcome.exit_code == 1
    assert "cannot downgrade" in outcome.stderr
