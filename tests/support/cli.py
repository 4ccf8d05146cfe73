"""Running the CLI in-process (Typer's CliRunner) or as the installed command."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from evidencedb.cli import app
from tests.support.databases import TestDatabase

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


def installed_script() -> Path:
    """The installed `evidencedb` command, for tests that need a real process."""
    return Path(sys.executable).parent / "evidencedb"
