"""Versions: the newer record of a study stands, whatever the order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.registries.ctgov.studies import NEW, OLD, imported, rows
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.snapshots import snapshot


def response_values(database: TestDatabase) -> list[float]:
    found = rows(database, "SELECT value FROM results ORDER BY value")
    return [row["value"] for row in found]


def event_terms(database: TestDatabase) -> list[str]:
    return [row["term"] for row in rows(database, "SELECT term FROM adverse_events ORDER BY term")]


def test_newer_version_replaces_the_trials_registry_facts(database: TestDatabase) -> None:
    imported(database, OLD)
    assert response_values(database) == [10.0, 20.0]
    before = {row["value"]: row["id"] for row in rows(database, "SELECT id, value FROM results")}
    imported(database, NEW)
    assert response_values(database) == [11.0, 20.0]
    assert "Headache" not in event_terms(database)
    assert "Dizziness" in event_terms(database)
    [source] = rows(database, "SELECT record_version FROM sources")
    assert source == {"record_version": "2021-06-01"}
    # The unchanged result keeps its row.
    after = {row["value"]: row["id"] for row in rows(database, "SELECT id, value FROM results")}
    assert after[20.0] == before[20.0]


def test_older_version_does_not_replace_the_newer(database: TestDatabase) -> None:
    imported(database, NEW)
    before = snapshot(database)
    stderr = imported(database, OLD)
    assert stderr.splitlines() == [
        f"warning: {OLD}: NCT09000006 (updated 2020-01-15) skipped: "
        "the database holds the newer version of 2021-06-01",
        "imported 0 of 1 studies (1 skipped), 0 facts in "
        + stderr.split(" facts in ")[1].splitlines()[0],
    ]
    after = snapshot(database)
    # Its facts are not imported; its row of the record's history is.
    assert [row["version_date"] for row in after.pop("trial_versions")] == [
        "2021-06-01",
        "2020-01-15",
    ]
    before.pop("trial_versions")
    assert after == before


def test_every_version_is_kept_in_the_history(database: TestDatabase) -> None:
    outcome = run_cli("import", "ctgov", str(OLD), str(NEW), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    found = rows(database, "SELECT version_date FROM trial_versions ORDER BY version_date")
    assert [row["version_date"] for row in found] == ["2020-01-15", "2021-06-01"]


@pytest.mark.parametrize("batch_size", ["500", "1"])
@pytest.mark.parametrize("order", ["old-first", "new-first"])
def test_within_one_run_the_newest_stands(
    database: TestDatabase, order: str, batch_size: str
) -> None:
    paths = [OLD, NEW] if order == "old-first" else [NEW, OLD]
    outcome = run_cli("import", "ctgov", "--batch-size", batch_size, *map(str, paths), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert response_values(database) == [11.0, 20.0]
    assert event_terms(database) == ["Dizziness"]
    # Only when the old version comes first, in a batch of its own, is it loaded (and then
    # replaced by the next batch); otherwise it is skipped, with a warning.
    loaded_then_replaced = order == "old-first" and batch_size == "1"
    assert ("skipped" in outcome.stderr) != loaded_then_replaced


def test_a_version_date_that_is_not_a_date_keeps_no_history(
    database: TestDatabase, tmp_path: Path
) -> None:
    """The history never blocks an import: a record whose last-update date cannot be placed
    is imported, without its row in trial_versions."""
    data = json.loads(NEW.read_text(encoding="utf-8"))
    status = data["protocolSection"]["statusModule"]
    status["lastUpdatePostDateStruct"]["date"] = "June 2021"
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    outcome = run_cli("import", "ctgov", str(path), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert len(rows(database, "SELECT id FROM results")) == 2
    assert rows(database, "SELECT id FROM trial_versions") == []


def test_an_arm_title_too_long_is_one_located_error_not_a_traceback(
    sqlite_database: TestDatabase, tmp_path: Path
) -> None:
    """Found by fuzzing: a 20,001-character arm title broke the history's arm list with a
    traceback before the record's own problems were reported. Now the history validates its
    arms with the rest of the version, and the record gets its located problems."""
    data = json.loads(NEW.read_text(encoding="utf-8"))
    for group in data["protocolSection"]["armsInterventionsModule"]["armGroups"]:
        group["label"] = "x" * 20_001
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    outcome = run_cli("import", "ctgov", str(path), db=sqlite_database)
    assert "Traceback" not in outcome.stderr
    assert outcome.exit_code == 1, outcome.stderr
    assert "armGroups[0].label: String should have at most 20000 characters" in outcome.stderr
