"""Fixtures of the web view's tests: the seeds and a real registry record, loaded."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import REPO, require_shared

# A ClinicalTrials.gov record with results (arms, outcome measures, adverse events).
REGISTRY_RECORD = "NCT02210780"
# A saved meta-analysis (examples/finerenone) and a trial with both a registry record and a
# publication (examples/smart-fm.yaml and its record in the shared corpus).
ANALYSIS = "fidelity-cv"
RECONCILED = "smart-fm"
RECONCILED_RECORD = "NCT05005351"
# A small record with baseline characteristics (a mean with its SD, categories, a value of
# Total alone) and participant flow in five periods, two with a reason for withdrawal.
BASELINE_RECORD = "NCT03670628"


def import_baseline_record(url: TestDatabase | str) -> None:
    record = require_shared() / "ctgov-corpus" / f"{BASELINE_RECORD}.json"
    imported = run_cli("import", "ctgov", str(record), db=url)
    assert imported.exit_code == 0, imported.stderr


def load_analyses(url: TestDatabase | str) -> None:
    """Load the finerenone example with its saved analysis, and SMART-FM's seed file and
    registry record, into the database at `url` (a TestDatabase or a URL)."""
    examples = REPO / "examples"
    loaded = run_cli("load", str(examples / "finerenone"), str(examples / "smart-fm.yaml"), db=url)
    assert loaded.exit_code == 0, loaded.stderr
    record = require_shared() / "ctgov-corpus" / f"{RECONCILED_RECORD}.json"
    imported = run_cli("import", "ctgov", str(record), db=url)
    assert imported.exit_code == 0, imported.stderr


@pytest.fixture
def web_database(loaded: TestDatabase) -> TestDatabase:
    """The seeds and one imported registry record, as the web view's reader sees them: on
    PostgreSQL through an ordinary login (`sql` refuses a superuser)."""
    record = require_shared() / "ctgov" / f"{REGISTRY_RECORD}.json"
    outcome = run_cli("import", "ctgov", str(record), db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    return loaded.as_user()


@pytest.fixture
def analysed_database(web_database: TestDatabase) -> TestDatabase:
    """`web_database` with a saved meta-analysis and a trial to reconcile."""
    load_analyses(web_database)
    return web_database


@pytest.fixture
def baseline_database(web_database: TestDatabase) -> TestDatabase:
    """`web_database` with a registry record that has baseline and flow."""
    import_baseline_record(web_database)
    return web_database
