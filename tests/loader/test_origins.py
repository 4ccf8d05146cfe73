"""A seed file and a registry import that name the same trial: each origin keeps its rows."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import SHARED
from tests.support.seeds import line_of
from tests.support.snapshots import snapshot

RECORD = SHARED / "ctgov" / "NCT00763412.json"


def _seed(tmp_path: Path, arm: str, endpoint: str) -> Path:
    cited = {"source": "paper", "quote": "q"}
    data = {
        "sources": [{"key": "paper", "kind": "journal_article", "title": "A paper"}],
        "trial": {"key": "NCT00763412", "title": "My own title", **cited},
        "arms": [{"key": arm, "label": "Placebo", "role": "placebo_comparator", **cited}],
        "endpoints": [{"key": endpoint, "name": "Primary", "kind": "other", **cited}],
    }
    path = tmp_path / "nct.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_seed_restating_imported_arm_keys_is_a_located_error(
    database: TestDatabase, tmp_path: Path
) -> None:
    assert run_cli("import", "ctgov", str(RECORD), db=database).exit_code == 0
    before = snapshot(database)
    path = _seed(tmp_path, "1-placebo", "primary-1")
    outcome = run_cli("load", str(path), db=database)
    assert outcome.exit_code == 1
    assert "Traceback" not in outcome.stderr
    arm_line, endpoint_line = line_of(path, "- key: 1-placebo"), line_of(path, "- key: primary-1")
    fix = (
        "state the trial's NCT id under `trial.identifiers` to merge this file with the "
        "registry record, or give this {} another key"
    )
    assert outcome.stderr.splitlines() == [
        f"error: {path}:{arm_line} arms[0].key: trial 'NCT00763412' already has arm "
        f"'1-placebo' from its ctgov records; {fix.format('arm')}",
        f"error: {path}:{endpoint_line} endpoints[0].key: trial 'NCT00763412' already has "
        f"endpoint 'primary-1' from its ctgov records; {fix.format('endpoint')}",
        "2 problems; nothing was written",
    ]
    assert snapshot(database) == before


def test_a_seed_under_its_own_keys_describes_the_trial(
    database: TestDatabase, tmp_path: Path
) -> None:
    # A seed file describes its trial whoever wrote it first (issue 18): its title is used.
    assert run_cli("import", "ctgov", str(RECORD), db=database).exit_code == 0
    path = _seed(tmp_path, "placebo", "my-primary")
    outcome = run_cli("load", str(path), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert "warning" not in outcome.stderr
    titles = run_cli("sql", "SELECT title FROM trials", "--format", "csv", db=database.as_user())
    assert titles.stdout.splitlines() == ["title", "My own title"]
