"""Fixtures: a real database per test, on SQLite and on PostgreSQL.

Every database test runs twice, against a fresh SQLite file and against a fresh schema of the
PostgreSQL server at $EVIDENCEDB_TEST_POSTGRES_URL (dropped afterwards). Where that server
does not answer, the PostgreSQL half is skipped with the reason, except under CI=true, where
a missing server fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.databases import (
    TestDatabase,
    postgres_empty,
    postgres_scratch,
    sqlite_database_at,
)
from tests.support.environment import SEEDS

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_user() -> Iterator[str]:
    """A login role of this test session that may read and write every table and nothing more
    (not a superuser, no server files), dropped at the end of the session. Trust
    authentication, as on every machine of the project, lets it log in without a password."""
    grant = 'GRANT pg_read_all_data, pg_write_all_data TO "{name}"'
    with postgres_scratch("ROLE", "evidencedb_user_", grant) as role:
        yield role


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    """A database with no schema at all (on SQLite, no file yet)."""
    if request.param == "sqlite":
        yield sqlite_database_at(tmp_path / "evidence.db")
        return
    with postgres_empty(request.getfixturevalue("postgres_user")) as empty:
        yield empty


@pytest.fixture
def sqlite_database(tmp_path: Path) -> TestDatabase:
    return sqlite_database_at(tmp_path / "evidence.db")


@pytest.fixture
def loaded(database: TestDatabase) -> TestDatabase:
    """A database with the seed files loaded."""
    outcome = run_cli("load", str(SEEDS), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return database
