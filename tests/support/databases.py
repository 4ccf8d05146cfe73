"""Test databases: empty ones, and copies of a schema migrated once per session.

SQLite: a file migrated once, copied per test. PostgreSQL: a schema of the server's test
database per test, empty or holding a copy of the schema at head: the statements the
migrations sent once per session, recorded and replayed in one round trip, into schemas that
a worker then reuses, emptied, from test to test (`PostgresSchemaPool`). pg_trgm stays in
`public`, outside the search path, as revision 0002 expects. A database per test copied from
a template database would be as quick to create, but PostgreSQL 15 forces a checkpoint of the
whole server on every DROP DATABASE (measured: seconds, up to 50 s, on a busy server), where
DROP SCHEMA costs a tenth of a second. Every name is unique (a worker's tests never meet
another's) and every schema is dropped at the end of the session.
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

from evidencedb.store import migrate, models
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
    assert not Path(f"{template}-wal").exists(), "the template's WAL must be checkpointed"
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
    script of statements that `PostgresSchemaPool` replays into each schema it creates.

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


# What a test may not change in a schema it gives back: its relations, their columns, their
# constraints and functions, and the revision. A test that changed any of them (a downgrade,
# a table of its own) gets its schema dropped rather than reused.
_SHAPE = """
SELECT md5(concat_ws('|',
  (SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)
     FROM pg_class c WHERE c.relnamespace = n.oid),
  (SELECT string_agg(c.relname || '.' || a.attname || ':' || a.atttypid::text
                     || ':' || a.attnotnull::text, ',' ORDER BY c.relname, a.attnum)
     FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid
     WHERE c.relnamespace = n.oid AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint
     WHERE connamespace = n.oid),
  (SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = n.oid),
  (SELECT string_agg(version_num, ',') FROM alembic_version)))
FROM pg_namespace n WHERE n.nspname = current_schema()
"""


class PostgresSchemaPool:
    """Migrated schemas of one worker, handed to one test at a time and emptied for the next.

    Creating a schema from the script and dropping it costs about 0.75 s of the server's time
    per test (measured: 0.38-0.48 s to create, 0.25-0.35 s to drop; TRUNCATE of every table is
    no better, 0.6 s); deleting a test's rows and restarting the sequences costs 0.03-0.05 s.
    A schema comes back as new: no rows, ids from 1, the same shape, or it is dropped."""

    def __init__(self, script: str, user_role: str) -> None:
        self._script = script
        self._user_role = user_role
        self._free: list[str] = []
        self._shape: str | None = None
        self._admin = create_engine(POSTGRES_URL, poolclass=NullPool)

    @contextmanager
    def database(self) -> Iterator[TestDatabase]:
        require_postgres()
        schema = self._free.pop() if self._free else self._create()
        try:
            yield postgres_database(postgres_url(schema=schema), self._user_role)
        finally:
            if self._emptied(schema):
                self._free.append(schema)
            else:
                self._drop(schema)

    def close(self) -> None:
        while self._free:
            self._drop(self._free.pop())
        self._admin.dispose()

    def _create(self) -> str:
        schema = unique_name("t_")
        with self._admin.begin() as connection:
            replay = connection.execution_options(no_parameters=True)
            replay.exec_driver_sql(
                f'CREATE SCHEMA "{schema}";\nSET LOCAL search_path TO "{schema}";\n{self._script}'
            )
            shape = connection.exec_driver_sql(_SHAPE).scalar_one()
        if self._shape is None:
            self._shape = shape
        assert shape == self._shape, "the schema script gave two different schemas"
        return schema

    def _emptied(self, schema: str) -> bool:
        """Empty the schema for the next test; False when it cannot be reused."""
        try:
            with self._admin.begin() as connection:
                connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
                if connection.exec_driver_sql(_SHAPE).scalar_one() != self._shape:
                    return False
                sequences = _sequences(connection, schema)
                statements = [
                    f'DELETE FROM "{table.name}"'
                    for table in reversed(models.metadata.sorted_tables)
                ] + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
                connection.exec_driver_sql(";\n".join(statements))
        except Exception:  # a lock held by a connection the test left open, a dropped table
            return False
        return True

    def copy_rows(self, database: TestDatabase, into: TestDatabase) -> None:
        """Every row and sequence position of `database` into the empty `into`, both of this
        pool: one round trip, where loading the seed files again costs 0.15-0.4 s."""
        source, target = _schema_of(database), _schema_of(into)
        with self._admin.begin() as connection:
            sequences = _sequences(connection, source)
            statements = [
                f'INSERT INTO "{target}"."{table.name}" SELECT * FROM "{source}"."{table.name}"'
                for table in models.metadata.sorted_tables
            ] + [
                f'SELECT setval(\'"{target}"."{name}"\', last_value, is_called)'
                f' FROM "{source}"."{name}"'
                for name in sequences
            ]
            connection.exec_driver_sql(";\n".join(statements))

    def _drop(self, schema: str) -> None:
        with self._admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _sequences(connection: Any, schema: str) -> list[str]:
    """The names of the sequences of `schema` (the ids' counters)."""
    return list(
        connection.execute(
            text(
                "SELECT sequence_name FROM information_schema.sequences"
                " WHERE sequence_schema = :schema"
            ),
            {"schema": schema},
        ).scalars()
    )


def _schema_of(database: TestDatabase) -> str:
    return str(make_url(database.url).query["options"]).removeprefix("-csearch_path=")


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
