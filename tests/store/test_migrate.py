"""The migrations create exactly the models' schema, and walk up and down on both databases."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from evidencedb.store import migrate
from evidencedb.store.database import open_engine
from evidencedb.store.models import metadata
from evidencedb.store.revision import current_revision
from evidencedb.store.transaction import transaction
from tests.support.cli import installed_script, run_cli
from tests.support.databases import TestDatabase


def _diff(database: TestDatabase) -> list[object]:
    with open_engine(database.url, write=True) as engine, engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=migrate.comparison_options())
        return list(compare_metadata(context, metadata))


def test_models_and_migrations_do_not_drift(empty_database: TestDatabase) -> None:
    assert run_cli("db", "upgrade", db=empty_database).exit_code == 0
    assert _diff(empty_database) == []


def test_upgrade_downgrade_upgrade(empty_database: TestDatabase) -> None:
    with open_engine(empty_database.url, write=True) as engine:
        with transaction(engine) as connection:
            migrate.upgrade(connection)
            assert current_revision(connection) == migrate.head_revision()
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


CATALOG = {
    "sqlite": [
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name",
        "SELECT version_num FROM alembic_version",
    ],
    "postgresql": [
        "SELECT table_name, column_name, data_type, is_nullable, column_default, "
        "col_description(quote_ident(table_name)::regclass, ordinal_position::int) "
        "FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2",
        "SELECT indexname, replace(indexdef, current_schema() || '.', '') FROM pg_indexes "
        "WHERE schemaname = current_schema() ORDER BY 1",
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2",
        "SELECT proname, prosrc, proconfig FROM pg_proc "
        "WHERE pronamespace = current_schema()::regnamespace ORDER BY 1",
        "SELECT relname, reloptions FROM pg_class "
        "WHERE relnamespace = current_schema()::regnamespace ORDER BY 1",
        "SELECT version_num FROM alembic_version",
    ],
}


def _catalog(database: TestDatabase) -> list[list[tuple[object, ...]]]:
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        return [
            [tuple(row) for row in connection.exec_driver_sql(query)]
            for query in CATALOG[database.backend]
        ]


@pytest.mark.parametrize(
    ("database", "empty_database"),
    [("sqlite", "sqlite"), pytest.param("postgresql", "postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_the_migrated_copy_is_what_the_migrations_create(
    database: TestDatabase, empty_database: TestDatabase
) -> None:
    """The `database` fixture copies a schema migrated once per session; the copy must be
    what `evidencedb db upgrade` creates, object for object."""
    assert run_cli("db", "upgrade", db=empty_database).exit_code == 0
    assert _catalog(database) == _catalog(empty_database)


def _schema_text(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        )
        return [row[0] for row in rows]


def test_sqlite_schema_text_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Two databases migrated alike are byte for byte alike: a rebuild that listed constraints
    in a Python set's order made the crash test see a 'different' database in a new process."""
    texts = []
    for name in ("first.db", "second.db"):
        path = tmp_path / name
        subprocess.run(
            [str(installed_script()), "--db", f"sqlite:///{path}", "db", "upgrade"],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": "random"},
        )
        texts.append(_schema_text(path))
    assert texts[0] == texts[1]
    assert any("ck_results_units_analyzed_non_negative" in text for text in texts[0])
