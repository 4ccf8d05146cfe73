"""How commands are defined: `--db` after the command's name as well as before it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS


def test_db_after_the_command_name_reads_that_database(loaded: TestDatabase) -> None:
    before = run_cli("results", "--format", "json", db=loaded)
    after = run_cli("results", "--db", loaded.url, "--format", "json")
    assert after.exit_code == 0, after.stderr
    assert len(json.loads(after.stdout)) == 10
    assert after.stdout == before.stdout


def test_db_after_a_subcommand_name(loaded: TestDatabase) -> None:
    outcome = run_cli("export", "csv", "trials", "--db", loaded.url)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.startswith("id,key,")


def test_the_db_after_the_command_name_wins(loaded: TestDatabase, tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'missing.db'}"
    wins = run_cli("--db", missing, "trials", "--db", loaded.url, "--format", "csv")
    assert wins.exit_code == 0, wins.stderr
    assert "blinatumomab-infant-kmt2a-all" in wins.stdout
    loses = run_cli("--db", loaded.url, "trials", "--db", missing)
    assert loses.exit_code == 1
    assert loses.stderr.startswith("error: no database at")


def test_db_after_the_name_wins_over_the_environment(
    loaded: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCEDB_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    outcome = run_cli("summary", "--db", loaded.url)
    assert outcome.exit_code == 0, outcome.stderr
    assert "results" in outcome.stdout


def test_db_after_the_name_of_a_writing_command(tmp_path: Path) -> None:
    created = tmp_path / "new.db"
    outcome = run_cli("load", str(SEEDS), "--db", f"sqlite:///{created}")
    assert outcome.exit_code == 0, outcome.stderr
    assert created.exists()


def test_commands_without_a_database_have_no_db_of_their_own() -> None:
    # `validate` has one: with --db it looks references up in that database (issue 15, 2).
    assert "--db" not in run_cli("schema", "--help").stdout
    assert run_cli("schema", "--db", "x.db").exit_code == 2
    assert "--db" in run_cli("validate", "--help").stdout
    assert "--db" in run_cli("results", "--help").stdout
