"""Adverse events as reports state them: a range of grades, a percentage of participants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from evidencedb.records.facts import AdverseEventRecord
from evidencedb.store.revision import HEAD_REVISION
from tests.analysis.test_checks import seed
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase

EVENT = {"arm": "new", "term": "Neutropenia", "category": "any", "source": "p", "quote": "q"}


@pytest.mark.parametrize(
    ("written", "stored"),
    [("3-4", "3-4"), ("3\u20134", "3-4"), ("Grade 3 to 4", "3-4"), ("≥3", ">=3"), (2, "2")],
)
def test_grades_as_reports_write_them(written: Any, stored: str) -> None:
    assert AdverseEventRecord.model_validate({**EVENT, "grade": written}).grade == stored


@pytest.mark.parametrize("written", ["4-3", "3-3", "0-2", "3-6", "6"])
def test_impossible_grades_are_refused(written: str) -> None:
    with pytest.raises(ValidationError, match="or a range such as '3-4'"):
        AdverseEventRecord.model_validate({**EVENT, "grade": written})


@pytest.mark.parametrize("percent", [-0.1, 100.1])
def test_a_percentage_of_participants_lies_in_0_to_100(percent: float) -> None:
    with pytest.raises(ValidationError, match="participants_affected_percent"):
        AdverseEventRecord.model_validate({**EVENT, "participants_affected_percent": percent})


def test_grade_ranges_and_percentages_load_and_filter(
    database: TestDatabase, tmp_path: Path
) -> None:
    events = [
        {
            "arm": "new",
            "term": "Neutropenia",
            "category": "any",
            "grade": "3-4",
            "participants_affected_percent": 42.5,
        },
        {"arm": "new", "term": "Nausea", "category": "any", "grade": "1-2"},
    ]
    outcome = run_cli("load", str(seed(tmp_path, adverse_events=events)), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    found = run_cli(
        "adverse-events",
        "--min-grade",
        "3",
        "--format",
        "csv",
        "--columns",
        "term,grade,participants_affected_percent",
        db=database,
    )
    assert found.stdout.splitlines() == [
        "term,grade,participants_affected_percent",
        "Neutropenia,3-4,42.5",
    ]


def test_a_downgrade_that_would_lose_grade_ranges_is_refused(
    database: TestDatabase, tmp_path: Path
) -> None:
    events = [{"arm": "new", "term": "Neutropenia", "category": "any", "grade": "3-4"}]
    assert run_cli("load", str(seed(tmp_path, adverse_events=events)), db=database).exit_code == 0
    outcome = run_cli("db", "downgrade", "0006", db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        "error: 1 adverse event(s) have a grade range or a percentage of participants, which "
        "the schema before revision 0008 cannot hold: change or remove them first\n"
    )
    assert run_cli("db", "current", db=database).stdout.startswith(f"current: {HEAD_REVISION}\n")
