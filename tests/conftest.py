"""Test fixtures: a real database per test, on SQLite and on PostgreSQL.

Every database test runs twice, against a fresh SQLite file and against a fresh schema of the
PostgreSQL server at $EVIDENCEDB_TEST_POSTGRES_URL (dropped afterwards). Where that server
does not answer, the PostgreSQL half is skipped with the reason, except under CI=true, where
a missing server fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from evidencedb.cli import app

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
POSTGRES_URL = os.environ.get(
    "EVIDENCEDB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means "not reachable" here
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}"
    return None


_POSTGRES_PROBLEM: str | bool | None = False  # False: not probed yet


def postgres_problem() -> str | None:
    global _POSTGRES_PROBLEM
    if _POSTGRES_PROBLEM is False:
        _POSTGRES_PROBLEM = _postgres_problem()
    assert _POSTGRES_PROBLEM is not True
    return _POSTGRES_PROBLEM


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"{problem} (required under CI=true)")
    pytest.skip(problem)


def require_shared() -> Path:
    if SHARED.is_dir():
        return SHARED
    if IN_CI:
        pytest.fail(f"{SHARED} is missing (required under CI=true)")
    pytest.skip(f"{SHARED} is not beside the repository")


@dataclass(frozen=True)
class TestDatabase:
    """A fresh, empty database: `url` for the CLI and the library; `backend` for asserts;
    `user_url`, the same database through an ordinary login (on PostgreSQL: not a superuser,
    may read and write every table, as a team's writer role would; `evidencedb sql` refuses
    superuser logins)."""

    __test__ = False
    url: str
    backend: str
    user_url: str = ""

    def as_user(self) -> TestDatabase:
        """The same database through its ordinary login."""
        return TestDatabase(self.user_url or self.url, self.backend, self.user_url)


@contextmanager
def postgres_scratch(kind: str, prefix: str, *grants: str) -> Iterator[str]:
    """A uniquely named SCHEMA or ROLE created by the admin login (then each of `grants`,
    with `{name}` for its name), dropped afterwards whatever happens in between."""
    require_postgres()
    name = f"{prefix}{uuid.uuid4().hex[:16]}"
    options = " LOGIN NOSUPERUSER" if kind == "ROLE" else ""
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE {kind} "{name}"{options}'))
            for grant in grants:
                connection.execute(text(grant.format(name=name)))
        yield name
    finally:
        with admin.begin() as connection:
            cascade = " CASCADE" if kind == "SCHEMA" else ""
            connection.execute(text(f'DROP {kind} IF EXISTS "{name}"{cascade}'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_user() -> Iterator[str]:
    """A login role of this test session that may read and write every table and nothing more
    (not a superuser, no server files), dropped at the end of the session. Trust
    authentication, as on every machine of the project, lets it log in without a password."""
    grant = 'GRANT pg_read_all_data, pg_write_all_data TO "{name}"'
    with postgres_scratch("ROLE", "evidencedb_user_", grant) as role:
        yield role


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    if request.param == "sqlite":
        yield TestDatabase(f"sqlite:///{tmp_path / 'evidence.db'}", "sqlite")
        return
    require_postgres()
    user_role = request.getfixturevalue("postgres_user")
    with postgres_scratch("SCHEMA", "t_") as schema:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        user = url.set(username=user_role, password=None)
        yield TestDatabase(
            url.render_as_string(hide_password=False),
            "postgresql",
            user.render_as_string(hide_password=False),
        )


@pytest.fixture
def sqlite_database(tmp_path: Path) -> TestDatabase:
    return TestDatabase(f"sqlite:///{tmp_path / 'evidence.db'}", "sqlite")


runner = CliRunner()


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, db: TestDatabase | str | None = None) -> Outcome:
    """Run the CLI in-process through Typer's CliRunner."""
    prefix = []
    if db is not None:
        prefix = ["--db", db.url if isinstance(db, TestDatabase) else db]
    result = runner.invoke(app, [*prefix, *args], catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def loaded(database: TestDatabase) -> TestDatabase:
    """A database with the seed files loaded."""
    outcome = run_cli("load", str(SEEDS), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return database


__all__ = ["SEEDS", "SHARED", "TestDatabase", "quote", "require_shared", "run_cli"]
