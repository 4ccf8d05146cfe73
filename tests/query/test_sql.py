"""`evidencedb sql`: reads anything, writes nothing, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS
from tests.support.snapshots import snapshot


def test_select_in_every_format(loaded: TestDatabase) -> None:
    statement = "SELECT key, enrollment FROM trials WHERE title LIKE '%Interfant%' ORDER BY key"
    as_json = run_cli("sql", statement, "--format", "json", db=loaded.as_user())
    assert as_json.exit_code == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [
        {"key": "blinatumomab-infant-kmt2a-all", "enrollment": 30},
        {"key": "interfant-06", "enrollment": None},
    ]
    as_csv = run_cli("sql", statement, "--format", "csv", db=loaded.as_user())
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["key", "enrollment"],
        ["blinatumomab-infant-kmt2a-all", "30"],
        ["interfant-06", ""],
    ]
    assert "interfant-06" in run_cli("sql", statement, db=loaded.as_user()).stdout


WRITES = [
    "DELETE FROM results",
    "UPDATE trials SET enrollment = 31",
    "INSERT INTO sources (key, kind, title) VALUES ('x', 'other', 'x')",
    "DROP TABLE results",
    "CREATE TABLE scratch (x INTEGER)",
    "WITH gone AS (DELETE FROM results RETURNING id) SELECT count(*) FROM gone",
    "COMMIT; DELETE FROM results",
    "SELECT 1; DELETE FROM results",
]
SQLITE_ONLY = [
    "ATTACH DATABASE '/tmp/evidencedb-attack.db' AS other",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA writable_schema = ON",
    "SELECT load_extension('/tmp/nothing')",
    "VACUUM INTO '/tmp/evidencedb-copy.db'",
]


def _refused(database: TestDatabase, statement: str) -> None:
    before = snapshot(database)
    outcome = run_cli("sql", statement, db=database.as_user())
    assert outcome.exit_code == 1, outcome.stdout
    assert outcome.stderr.startswith("error: SQL refused:")
    assert "Traceback" not in outcome.stderr
    assert snapshot(database) == before


@pytest.mark.parametrize("statement", WRITES)
def test_writes_are_refused_by_the_database(loaded: TestDatabase, statement: str) -> None:
    _refused(loaded, statement)


@pytest.mark.parametrize("statement", SQLITE_ONLY)
def test_sqlite_file_access_is_refused(sqlite_database: TestDatabase, statement: str) -> None:
    assert run_cli("load", str(SEEDS), db=sqlite_database).exit_code == 0
    _refused(sqlite_database, statement)


def test_syntax_error_is_a_user_error(loaded: TestDatabase) -> None:
    outcome = run_cli("sql", "SELEC nothing", db=loaded.as_user())
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith("error: SQL refused:")
