"""`evidencedb remove trial|source`: one transaction, everything that cites it, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.test_checks import seed
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.seeds import copy_seeds
from tests.support.snapshots import snapshot

MAIN_TRIAL = "blinatumomab-infant-kmt2a-all"
NEWS = "news-blinatumomab-infant-all"


@pytest.fixture
def loaded_copy(database: TestDatabase, tmp_path: Path) -> TestDatabase:
    outcome = run_cli("load", str(copy_seeds(tmp_path)), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return database


def _rows(database: TestDatabase) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot(database).items()}


def test_remove_trial_deletes_it_with_every_fact(loaded_copy: TestDatabase) -> None:
    before = _rows(loaded_copy)
    outcome = run_cli("remove", "trial", MAIN_TRIAL, db=loaded_copy)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr == (
        f"removed trial '{MAIN_TRIAL}': adverse_events +0 ~0 -1; arm_interventions +0 ~0 -3; "
        "arms +0 ~0 -3; comparisons +0 ~0 -4; endpoints +0 ~0 -8; results +0 ~0 -10; "
        "trial_sources +0 ~0 -2; trials +0 ~0 -1\n"
    )
    after = snapshot(loaded_copy)
    assert [row["key"] for row in after["trials"]] == ["interfant-06"]
    assert after["results"] == after["comparisons"] == after["adverse_events"] == []
    assert len(after["sources"]) == before["sources"]  # sources stay
    assert len(after["interventions"]) == before["interventions"]


def test_dry_run_deletes_nothing(loaded_copy: TestDatabase) -> None:
    before = snapshot(loaded_copy)
    outcome = run_cli("remove", "trial", MAIN_TRIAL, "--dry-run", db=loaded_copy)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr.startswith(f"would remove trial '{MAIN_TRIAL}': adverse_events")
    assert snapshot(loaded_copy) == before


def test_a_trial_whose_control_arm_another_trial_borrows_is_kept(
    loaded_copy: TestDatabase,
) -> None:
    before = snapshot(loaded_copy)
    outcome = run_cli("remove", "trial", "interfant-06", db=loaded_copy)
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        "error: trial 'interfant-06' is the source of a control arm of trial(s) "
        f"'{MAIN_TRIAL}'; remove those first\n"
    )
    assert snapshot(loaded_copy) == before


@pytest.mark.parametrize("what", ["trial", "source"])
def test_an_unknown_key_is_one_line(loaded_copy: TestDatabase, what: str) -> None:
    outcome = run_cli("remove", what, "nope", db=loaded_copy)
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith(f"error: no {what} with key 'nope'; ")
    assert len(outcome.stderr.splitlines()) == 1


def test_remove_without_a_database_creates_none(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    outcome = run_cli("remove", "trial", "x", db=f"sqlite:///{path}")
    assert outcome.exit_code == 1
    assert outcome.stderr == f"error: no database at {path}; nothing to remove\n"
    assert not path.exists()


def test_remove_source_takes_the_trials_it_reports_on(loaded_copy: TestDatabase) -> None:
    outcome = run_cli("remove", "source", NEWS, db=loaded_copy)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr.startswith(f"removed source '{NEWS}': adverse_events +0 ~0 -1;")
    assert "interventions +0 ~2 -0" in outcome.stderr  # they stay, without its description
    after = snapshot(loaded_copy)
    assert [row["key"] for row in after["sources"]] == ["vandersluis-2023-nejm"]
    assert after["trials"] == after["arms"] == after["results"] == []
    assert all(row["source_id"] is None for row in after["interventions"])


def _two_trials_citing_one_source(tmp_path: Path, database: TestDatabase) -> None:
    """t1 reports on 'paper' (a trial_sources link); t2 cites it without reporting on it."""
    first = seed(tmp_path, results=[{"endpoint": "resp", "arm": "new", "value": 1}])
    text = first.read_text(encoding="utf-8")
    linked = text.replace(
        "  quote: response\n",
        "  quote: response\n  sources:\n  - source: paper\n    relation: primary_report\n",
        1,
    )
    first.write_text(linked, encoding="utf-8")
    other = tmp_path / "t2"
    other.mkdir()
    second = seed(other, results=[{"endpoint": "resp", "arm": "old", "value": 2}])
    text = second.read_text(encoding="utf-8")
    start, end = text.index("sources:"), text.index("trial:")
    text = text[:start] + text[end:]
    second.write_text(text.replace("key: t1", "key: t2"), encoding="utf-8")
    outcome = run_cli("load", str(first), str(second), db=database)
    assert outcome.exit_code == 0, outcome.stderr


def test_a_source_cited_by_another_trial_needs_cascade(
    database: TestDatabase, tmp_path: Path
) -> None:
    _two_trials_citing_one_source(tmp_path, database)
    before = snapshot(database)
    refused = run_cli("remove", "source", "paper", db=database)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: source 'paper' is still cited by facts of trial(s) 't2', which it does not "
        "report on; remove those trials first, or use --cascade to delete those facts too\n"
    )
    assert snapshot(database) == before
    cascaded = run_cli("remove", "source", "paper", "--cascade", db=database)
    assert cascaded.exit_code == 0, cascaded.stderr
    after = snapshot(database)
    assert after["sources"] == after["trials"] == after["results"] == []
