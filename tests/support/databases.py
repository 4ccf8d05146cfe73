"""Test databases: empty ones, and copies of a schema migrated once per session.

SQLite: a file migrated once, copied per test. PostgreSQL: a schema of the server's test
database per test, empty or holding a copy of the schema at head: the statements the
migrations sent once per session, recorded and replayed in one round trip. pg_trgm stays in
`public`, outside the search path, as revision 0002 expects. A database per test copied from
a template database would be as quick to create, but PostgreSQL 15 forces a checkpoint of the
whole server on every DROP DATABASE (measured: seconds, up to 50 s, on a busy server), where
DROP SCHEMA costs a tenth of a second. Every name is unique (a worker's tests never meet
another's) and every schema is dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from evidencedb.store import migrate
from evidencedb.store.engine import make_engine
from tests.support.environment import IN_CI

POSTGRES_URL = os.environ.get(
    "EVIDENCEDB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class TestDatabase:
    """A database of one test: `url` for the CLI and the library; `backend` for asserts;
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


def _postgres_unreachable() -> str | None:
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
    """Why the PostgreSQL server cannot be used, or None; probed once per process."""
    global _POSTGRES_PROBLEM
    if _POSTGRES_PROBLEM is False:
        _POSTGRES_PROBLEM = _postgres_unreachable()
    assert _POSTGRES_PROBLEM is not True
    return _POSTGRES_PROBLEM


def require_postgres() -> None:
    """Skip the test when the server does not answer, except under CI=true: fail it then."""
    problem = postgres_problem()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"{problem} (required under CI=true)")
    pytest.skip(problem)


def unique_name(prefix: str) -> str:
    """A name no other test, worker or session uses (the worker is in it for diagnosis)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{prefix}{worker}_{uuid.uuid4().hex[:16]}"


def migrate_to_head(url: str | URL) -> None:
    """Create the schema at head in an empty database, as the CLI's first write does."""
    engine = make_engine(make_url(url), write=True)
    try:
        with engine.begin() as connection:
            migrate.upgrade(connection)
    finally:
        engine.dispose()


def sqlite_database_at(path: Path) -> TestDatabase:
    """The SQLite database in the file at `path` (which need not exist yet)."""
    return TestDatabase(f"sqlite:///{path}", "sqlite")


def migrated_sqlite_template(folder: Path) -> Path:
    """A SQLite file at head: the template that `sqlite_copy` copies."""
    path = folder / "template.db"
    migrate_to_head(f"sqlite:///{path}")
    assert not Path(f"{path}-wal").exists(), "the template's WAL must be checkpointed"
    return path


def sqlite_copy(template: Path, folder: Path) -> TestDatabase:
    """A migrated database of one test: a copy of the template as `folder`/evidence.db."""
    target = folder / "evidence.db"
    shutil.copyfile(template, target)
    return sqlite_database_at(target)


def postgres_url(*, schema: str, database: str | None = None) -> URL:
    """The test server's URL, of another `database` if given, with `schema` as search path."""
    url = make_url(POSTGRES_URL)
    if database is not None:
        url = url.set(database=database)
    return url.update_query_dict({"options": f"-csearch_path={schema}"})


def postgres_database(url: URL, user_role: str) -> TestDatabase:
    """A TestDatabase at `url`, whose ordinary login is `user_role`."""
    user = url.set(username=user_role, password=None)
    return TestDatabase(
        url.render_as_string(hide_password=False),
        "postgresql",
        user.render_as_string(hide_password=False),
    )


@contextmanager
def postgres_scratch(kind: str, prefix: str, *grants: str) -> Iterator[str]:
    """A uniquely named SCHEMA or ROLE created by the admin login (then each of `grants`,
    with `{name}` for its name), dropped afterwards whatever happens in between."""
    require_postgres()
    name = unique_name(prefix)
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


def recorded_migration(url: str | URL) -> str:
    """Migrate the empty schema at `url` to head, recording what the migrations send: the
    script of statements that `postgres_copy` replays into a new schema per test.

    Reads (catalog lookups, the advisory lock of revision 0002) are left out; what remains is
    DDL with every value inline, escaped for psycopg's parameter style, unescaped here."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            return
        assert not parameters, f"a statement with parameters cannot be replayed: {statement}"
        statements.append(statement.replace("%%", "%"))

    engine = make_engine(make_url(url), write=True)
    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.begin() as connection:
            migrate.upgrade(connection)
    finally:
        engine.dispose()
    return ";\n".join(statements)


@contextmanager
def migrated_postgres_script() -> Iterator[str]:
    """The statements that create the schema at head (see `recorded_migration`), recorded in
    a scratch schema of the test database that is dropped afterwards."""
    with postgres_scratch("SCHEMA", "evidencedb_template_") as schema:
        yield recorded_migration(postgres_url(schema=schema))


@contextmanager
def postgres_copy(script: str, user_role: str) -> Iterator[TestDatabase]:
    """A migrated database of one test: a new schema of the test database in which `script`
    runs (one round trip), dropped afterwards."""
    require_postgres()
    schema = unique_name("t_")
    url = postgres_url(schema=schema)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            replay = connection.execution_options(no_parameters=True)
            replay.exec_driver_sql(f'CREATE SCHEMA "{schema}";\n{script}')
        yield postgres_database(url, user_role)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()


@contextmanager
def postgres_empty(user_role: str) -> Iterator[TestDatabase]:
    """An empty database of one test: a new schema of the test database, dropped afterwards."""
    with postgres_scratch("SCHEMA", "t_") as schema:
        yield postgres_database(postgres_url(schema=schema), user_role)


@contextmanager
def postgres_reader(database: TestDatabase, *, read_only_sessions: bool) -> Iterator[TestDatabase]:
    """`database` (PostgreSQL) through a new login that may only SELECT, as the README's
    evidencedb_reader; with `read_only_sessions`, its sessions are also read-only by default
    (the README's `default_transaction_read_only = on`)."""
    url = make_url(database.url)
    schema = url.query["options"].removeprefix("-csearch_path=")
    grants = [
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{{name}}"',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{{name}}"',
    ]
    if read_only_sessions:
        grants.append('ALTER ROLE "{name}" SET default_transaction_read_only = on')
    with postgres_scratch("ROLE", "evidencedb_reader_", *grants) as role:
        try:
            yield postgres_database(url, role).as_user()
        finally:  # its grants go first, or the role cannot be dropped
            admin = create_engine(POSTGRES_URL, poolclass=NullPool)
            with admin.begin() as connection:
                connection.execute(text(f'DROP OWNED BY "{role}"'))
            admin.dispose()
