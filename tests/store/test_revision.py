"""The schema revision read without Alembic (`store.revision`): the states a database can be
in, and what a command says about each."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS


def test_a_database_with_two_revisions_is_refused_as_not_ours(database: TestDatabase) -> None:
    engine = create_engine(database.url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0001')"))
    engine.dispose()
    outcome = run_cli("trials", db=database)
    assert outcome.exit_code == 1
    assert "has several schema revisions" in outcome.stderr
    assert "it was not migrated by evidencedb" in outcome.stderr


def test_a_database_of_other_tables_is_not_given_a_schema(
    empty_database: TestDatabase,
) -> None:
    engine = create_engine(empty_database.url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE somebody_elses (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    outcome = run_cli("load", str(SEEDS), db=empty_database)
    assert outcome.exit_code == 1
    assert "holds tables but no evidencedb schema version" in outcome.stderr
    engine = create_engine(empty_database.url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM somebody_elses")).scalar_one() == 0
    engine.dispose()


def test_schema_without_out_prints_the_seed_files_json_schema() -> None:
    outcome = run_cli("schema")
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout) == json.loads(
        (SEEDS / "schema.json").read_text(encoding="utf-8")
    )
