"""Loading the seeds a second time changes nothing and says so."""

from __future__ import annotations

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase


def test_seed_load_is_idempotent(loaded: TestDatabase) -> None:
    again = run_cli("load", "seeds", db=loaded)
    assert again.exit_code == 0
    assert "nothing changed" in again.stderr
