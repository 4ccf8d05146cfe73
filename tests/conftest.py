"""Fixtures: a real database per test, on SQLite and on PostgreSQL.

Every database test runs twice, on SQLite and on the PostgreSQL server at
$EVIDENCEDB_TEST_POSTGRES_URL. `database` is a copy of a schema migrated once per session (per
xdist worker); `empty_database` holds nothing, for the tests of creating and upgrading a
schema. Where the server does not answer, the PostgreSQL half is skipped with the reason,
except under CI=true, where a missing server fails the run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.databases import (
    PostgresSchemaPool,
    TestDatabase,
    migrated_postgres_script,
    migrated_sqlite_template,
    postgres_empty,
    postgres_scratch,
    sqlite_copy,
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_schema_script() -> Iterator[str]:
    with migrated_postgres_script() as script:
        yield script


@pytest.fixture(scope="session")
def postgres_schemas(
    postgres_schema_script: str, postgres_user: str
) -> Iterator[PostgresSchemaPool]:
    pool = PostgresSchemaPool(postgres_schema_script, postgres_user)
    yield pool
    pool.close()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    """A database at the head revision, holding no rows."""
    if request.param == "sqlite":
        yield sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    with request.getfixturevalue("postgres_schemas").database() as copy:
        yield copy


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    """A database with no schema at all (on SQLite, no file yet): the CLI creates the schema
    on first write, and the migration tests walk it from nothing."""
    if request.param == "sqlite":
        yield sqlite_database_at(tmp_path / "evidence.db")
        return
    with postgres_empty(request.getfixturevalue("postgres_user")) as empty:
        yield empty


@pytest.fixture
def postgresql_database(postgres_schemas: PostgresSchemaPool) -> Iterator[TestDatabase]:
    """`database` on PostgreSQL only, for what only PostgreSQL has (roles and grants)."""
    with postgres_schemas.database() as copy:
        yield copy


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path: Path) -> TestDatabase:
    """`database` on SQLite only."""
    return sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def empty_sqlite_database(tmp_path: Path) -> TestDatabase:
    """`empty_database` on SQLite only."""
    return sqlite_database_at(tmp_path / "evidence.db")


def _load_seeds(database: TestDatabase) -> TestDatabase:
    outcome = run_cli("load", str(SEEDS), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return database


@pytest.fixture(scope="session")
def sqlite_loaded_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed files loaded once, through the CLI, into a copy of the template."""
    database = _load_seeds(sqlite_copy(sqlite_template, tmp_path_factory.mktemp("loaded")))
    return Path(database.url.removeprefix("sqlite:///"))


@pytest.fixture(scope="session")
def postgres_loaded_template(postgres_schemas: PostgresSchemaPool) -> Iterator[TestDatabase]:
    with postgres_schemas.database() as database:
        yield _load_seeds(database)


@pytest.fixture
def loaded(database: TestDatabase, request: pytest.FixtureRequest) -> TestDatabase:
    """A database with the seed files loaded: the rows of one the session loaded through the
    CLI, copied (the load itself is tested where it is the subject)."""
    if database.backend == "sqlite":
        template = request.getfixturevalue("sqlite_loaded_template")
        shutil.copyfile(template, database.url.removeprefix("sqlite:///"))
    else:
        template = request.getfixturevalue("postgres_loaded_template")
        request.getfixturevalue("postgres_schemas").copy_rows(template, into=database)
    return database
