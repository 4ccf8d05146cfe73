"""Migrations keep data: a database created at every revision of the chain, holding data valid
there, upgrades to head with nothing lost, on SQLite and on PostgreSQL.

The walk is generic. For every revision r, oldest first: create a database at r; insert the
rows of the seed files as loaded at head, cut down to the tables and columns that exist at r
(read from the database at r, not assumed); upgrade to head; check that every inserted value
is still there; then load the seed files again through the CLI and check that the loader finds
nothing to change and the content equals a database loaded at head directly. A revision that
needs more than that (a NOT NULL column without a default, a renamed or moved column) says so
in AT_REVISION. Downgrading from head to each revision in between and back must keep what
exists at that revision too.

What this proves today: the chain is base -> 0001 -> ... -> 0008 (0002 adds the
intervention search indexes, and builds them from the rows already there; 0003 caps the
pending lists of the PostgreSQL ones; 0004 adds the trial history; 0005 saved analyses; 0006
the registry's meaning; 0007 baseline, flow and trial details; 0008 adds columns that a
reload fills in for sources,
FILLED_BY_RELOAD, and widens a CHECK). So the walk checks data
inserted at every revision surviving the upgrade to head, and the loader agreeing with raw
rows inserted there, and the round trip goes down to each revision and back. The two
self-tests at the end add a throwaway revision after head to a copy of the migrations, one
that keeps data and one that loses it, and show the walk passes the first and catches the
second.
"""

from __future__ import annotations

import shutil
import textwrap
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from evidencedb.store import migrate, models
from evidencedb.store.database import open_engine
from tests.support.cli import run_cli
from tests.support.databases import POSTGRES_URL, TestDatabase
from tests.support.environment import SEEDS
from tests.support.snapshots import snapshot

Rows = dict[str, list[dict[str, Any]]]

# revision -> function(rows valid at head cut to that revision's columns, connection) -> rows
# to insert there. Empty while every revision's columns are a subset of head's with defaults.
AT_REVISION: dict[str, Callable[[Rows, Connection], Rows]] = {}
# revision -> tables whose rows a load fills in when the database comes from before that
# revision: columns only the loader can know (0008: where it found each source's document).
FILLED_BY_RELOAD: dict[str, set[str]] = {"0008": {"sources"}}


def _config(scripts: Path, connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.attributes["connection"] = connection
    return config


def revisions(scripts: Path) -> list[str]:
    """Every revision of the chain, oldest first."""
    directory = ScriptDirectory(str(scripts))
    return [script.revision for script in reversed(list(directory.walk_revisions()))]


@pytest.fixture
def fresh(empty_database: TestDatabase, tmp_path: Path) -> Iterator[Callable[[str], TestDatabase]]:
    """Empty databases of the same backend as `empty_database`: SQLite files, or PostgreSQL
    schemas dropped afterwards."""
    schemas: list[str] = []

    def make(name: str) -> TestDatabase:
        if empty_database.backend == "sqlite":
            return TestDatabase(f"sqlite:///{tmp_path / f'{name}.db'}", "sqlite")
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with create_engine(POSTGRES_URL).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        return TestDatabase(url.render_as_string(hide_password=False), "postgresql")

    yield make
    if schemas:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _raw_rows(connection: Connection) -> Rows:
    """Every row of every evidencedb table as the database stores it (reflected, not the
    models' types), in id order."""
    metadata = MetaData()
    metadata.reflect(connection)
    return {
        table.name: [
            dict(row._mapping)
            for row in connection.execute(select(metadata.tables[table.name]).order_by(text("id")))
        ]
        for table in models.metadata.sorted_tables
        if table.name in metadata.tables
    }


def _insert_at(connection: Connection, revision: str, reference: Rows) -> Rows:
    """Insert the reference rows into a database at `revision`, cut to its tables and columns;
    returns what was inserted."""
    metadata = MetaData()
    metadata.reflect(connection)
    rows: Rows = {}
    for name, table_rows in reference.items():
        if name not in metadata.tables:
            continue
        columns = {column.name for column in metadata.tables[name].columns}
        rows[name] = [{k: v for k, v in row.items() if k in columns} for row in table_rows]
    if revision in AT_REVISION:
        rows = AT_REVISION[revision](rows, connection)
    for table in models.metadata.sorted_tables:  # parents before children
        if rows.get(table.name):
            connection.execute(Table(table.name, metadata).insert(), rows[table.name])
    if connection.dialect.name == "postgresql":  # explicit ids leave the sequences behind
        for name in rows:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                )
            )
    return rows


def _lost(inserted: Rows, now: Rows) -> list[str]:
    """Values inserted that are not there any more (columns dropped at head included)."""
    problems = []
    for name, rows in inserted.items():
        present = {row["id"]: row for row in now.get(name, [])}
        for row in rows:
            kept = present.get(row["id"])
            if kept is None:
                problems.append(f"{name} id={row['id']}: row lost")
                continue
            for column, value in row.items():
                if column not in kept:
                    problems.append(f"{name}.{column}: column lost")
                elif kept[column] != value:
                    problems.append(
                        f"{name}.{column} id={row['id']}: {value!r} -> {kept[column]!r}"
                    )
    return problems


def _changed_tables(report: str) -> set[str]:
    """The tables a load report's last line says changed (`name +i ~u -d`), none for
    "nothing changed"."""
    last = report.strip().splitlines()[-1]
    if last.endswith("nothing changed"):
        return set()
    changes = last.split(": ", 1)[1].split("; ")
    return {change.split(" ")[0] for change in changes if not change.endswith("+0 ~0 -0")}


def _cut(rows: Rows, like: Rows) -> Rows:
    """`rows` restricted to the tables and columns that `like` has."""
    cut: Rows = {}
    for name, table_rows in rows.items():
        if like.get(name):
            columns = set(like[name][0])
            cut[name] = [{k: v for k, v in row.items() if k in columns} for row in table_rows]
    return cut


def walk(
    scripts: Path,
    make: Callable[[str], TestDatabase],
    *,
    reload: bool = True,
) -> list[str]:
    """The walk described at the top; returns the revisions it checked."""
    reference_database = make("reference")
    assert run_cli("load", str(SEEDS), db=reference_database).exit_code == 0
    with (
        open_engine(reference_database.url, write=False) as engine,
        engine.connect() as connection,
    ):
        reference = _raw_rows(connection)
    checked = []
    for revision in ["base", *revisions(scripts)]:
        database = make(f"at-{revision}")
        inserted: Rows = {}
        with open_engine(database.url, write=True) as engine:
            with engine.begin() as connection:
                if revision != "base":
                    command.upgrade(_config(scripts, connection), revision)
                    inserted = _insert_at(connection, revision, reference)
            with engine.begin() as connection:
                command.upgrade(_config(scripts, connection), "head")
            with engine.connect() as connection:
                now = _raw_rows(connection)
        lost = _lost(inserted, now)
        assert not lost, f"upgrading from {revision} to head lost data: {lost[:10]}"
        if reload:
            outcome = run_cli("load", str(SEEDS), db=database)
            assert outcome.exit_code == 0, outcome.stderr
            if revision != "base":
                later = revisions(scripts)[revisions(scripts).index(revision) + 1 :]
                filled = set().union(*(FILLED_BY_RELOAD.get(r, set()) for r in later))
                changed = _changed_tables(outcome.stderr)
                assert changed <= filled, (revision, outcome.stderr)
            assert snapshot(database) == snapshot(reference_database), revision
        checked.append(revision)
    return checked


def test_every_revision_upgrades_to_head_without_losing_data(
    fresh: Callable[[str], TestDatabase],
) -> None:
    checked = walk(migrate.migrations_directory(), fresh)
    assert checked == ["base", *revisions(migrate.migrations_directory())]
    assert checked[-1] == migrate.head_revision()


def test_downgrade_to_every_revision_and_back_keeps_its_data(
    fresh: Callable[[str], TestDatabase],
) -> None:
    """For every revision between base and head (none today): downgrade a loaded database to
    it, check what exists there is kept, upgrade again, check again. Down to base the schema
    is dropped, data with it, by design; the seed files then load back to the same content."""
    database = fresh("round-trip")
    assert run_cli("load", str(SEEDS), db=database).exit_code == 0
    reference = snapshot(database)
    with open_engine(database.url, write=True) as engine:
        with engine.connect() as connection:
            loaded = _raw_rows(connection)
        for revision in reversed(revisions(migrate.migrations_directory())[:-1]):
            with engine.begin() as connection:
                migrate.downgrade(connection, revision)
                kept = _raw_rows(connection)
                lost = _lost(_cut(loaded, kept), kept)  # what exists at the revision is kept
            with engine.begin() as connection:
                migrate.upgrade(connection)
                lost += _lost(kept, _raw_rows(connection))
            assert not lost, f"down to {revision} and back lost data: {lost[:10]}"
        with engine.begin() as connection:
            migrate.downgrade(connection, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    outcome = run_cli("load", str(SEEDS), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert snapshot(database) == reference


# The walk checks itself: a throwaway revision after head in a copy of the migrations -------

LOSSLESS = """
    def upgrade() -> None:
        with op.batch_alter_table("results") as batch:
            batch.add_column(sa.Column("reviewed", sa.Boolean(), nullable=True))
"""
LOSSY = """
    def upgrade() -> None:
        op.execute("UPDATE results SET quote = upper(quote)")
"""


@contextmanager
def _with_revision(tmp_path: Path, body: str) -> Iterator[Path]:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.migrations_directory(), scripts)
    head = migrate.head_revision()
    (scripts / "versions" / "9999_throwaway.py").write_text(
        textwrap.dedent(
            f'''
            """throwaway revision of the migration-chain self-test"""
            import sqlalchemy as sa
            from alembic import op

            revision = "throwaway"
            down_revision = "{head}"
            branch_labels = None
            depends_on = None
            '''
        )
        + textwrap.dedent(body)
        + "\n\ndef downgrade() -> None:\n    pass\n",
        encoding="utf-8",
    )
    yield scripts


@pytest.mark.parametrize("empty_database", ["sqlite"], indirect=True)
def test_the_walk_passes_a_revision_that_keeps_data(
    fresh: Callable[[str], TestDatabase], tmp_path: Path
) -> None:
    with _with_revision(tmp_path, LOSSLESS) as scripts:
        assert walk(scripts, fresh, reload=False)[-2:] == [migrate.head_revision(), "throwaway"]


@pytest.mark.parametrize("empty_database", ["sqlite"], indirect=True)
def test_the_walk_catches_a_revision_that_loses_data(
    fresh: Callable[[str], TestDatabase], tmp_path: Path
) -> None:
    with (
        _with_revision(tmp_path, LOSSY) as scripts,
        pytest.raises(AssertionError, match=r"results\.quote id=\d+"),
    ):
        walk(scripts, fresh, reload=False)
