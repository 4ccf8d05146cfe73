"""The one transaction primitive and the one way to open a database (`store.transaction`,
`store.database`), and the schema revision read without Alembic (`store.revision`)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from evidencedb.errors import DatabaseNotReady
from evidencedb.store import migrate
from evidencedb.store.database import database_exists, open_engine, reading, writing
from evidencedb.store.revision import HEAD_REVISION, current_revision
from evidencedb.store.transaction import transaction
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS


def _rows(database: TestDatabase) -> list[int]:
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        return list(connection.execute(text("SELECT n FROM t ORDER BY n")).scalars())


@pytest.fixture
def table(empty_sqlite_database: TestDatabase) -> TestDatabase:
    with (
        open_engine(empty_sqlite_database.url, write=True) as engine,
        transaction(engine) as connection,
    ):
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    return empty_sqlite_database


def test_a_transaction_commits_when_its_block_ends(table: TestDatabase) -> None:
    with open_engine(table.url, write=True) as engine, transaction(engine) as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
    assert _rows(table) == [1]


def _insert_then_fail(database: TestDatabase) -> None:
    with open_engine(database.url, write=True) as engine, transaction(engine) as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        raise ZeroDivisionError


def test_a_transaction_rolls_back_when_its_block_raises(table: TestDatabase) -> None:
    with pytest.raises(ZeroDivisionError):
        _insert_then_fail(table)
    assert _rows(table) == []


def test_a_block_rolls_back_by_a_call_without_an_exception(table: TestDatabase) -> None:
    with open_engine(table.url, write=True) as engine:
        with transaction(engine) as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
            connection.rollback()
        with transaction(engine) as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
    assert _rows(table) == [2]


def test_the_head_revision_constant_is_alembics_head() -> None:
    assert migrate.head_revision() == HEAD_REVISION, (
        "a migration was added: set store.revision.HEAD_REVISION to its revision"
    )


def test_writing_creates_a_new_database_at_head(empty_database: TestDatabase) -> None:
    with writing(empty_database.url) as connection:
        assert current_revision(connection) == HEAD_REVISION


def test_a_dry_run_writes_nothing_and_creates_no_file(empty_sqlite_database: TestDatabase) -> None:
    with writing(empty_sqlite_database.url, dry_run=True) as connection:
        assert current_revision(connection) == HEAD_REVISION  # on an in-memory database
    assert not database_exists(empty_sqlite_database.url)


def test_a_dry_run_on_a_loaded_database_changes_nothing(loaded: TestDatabase) -> None:
    with writing(loaded.url, dry_run=True) as connection:
        connection.execute(text("DELETE FROM adverse_events"))
    with reading(loaded.url) as connection:
        assert connection.execute(text("SELECT count(*) FROM adverse_events")).scalar_one() > 0


def test_reading_refuses_a_database_that_is_not_at_head(empty_database: TestDatabase) -> None:
    assert run_cli("load", str(SEEDS), db=empty_database).exit_code == 0
    with writing(empty_database.url) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    with pytest.raises(DatabaseNotReady, match="is at schema revision 0002"):
        _read(empty_database)


def _read(database: TestDatabase) -> None:
    with reading(database.url):
        pass
