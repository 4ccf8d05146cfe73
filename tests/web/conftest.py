"""Fixtures of the web view's tests: the seeds and a real registry record, loaded."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import require_shared

# A ClinicalTrials.gov record with results (arms, outcome measures, adverse events).
REGISTRY_RECORD = "NCT02210780"


@pytest.fixture
def web_database(loaded: TestDatabase) -> TestDatabase:
    """The seeds and one imported registry record, as the web view's reader sees them: on
    PostgreSQL through an ordinary login (`sql` refuses a superuser)."""
    record = require_shared() / "ctgov" / f"{REGISTRY_RECORD}.json"
    outcome = run_cli("import", "ctgov", str(record), db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    return loaded.as_user()
