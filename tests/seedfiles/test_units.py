"""One unit vocabulary: percent, per cent, percentage and % are one unit in seed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.test_checks import seed
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase


@pytest.mark.parametrize("unit", ["percent", "Per cent", "percentage", " %"])
def test_every_spelling_of_percent_keeps_the_0_to_100_rule(tmp_path: Path, unit: str) -> None:
    path = seed(tmp_path, results=[{"endpoint": "resp", "arm": "new", "value": 193, "unit": unit}])
    outcome = run_cli("validate", str(path))
    assert outcome.exit_code == 1
    assert "results[0]: Value error, value 193.0 is not a percentage (0-100)" in outcome.stderr


def test_percent_and_per_cent_are_compared(database: TestDatabase, tmp_path: Path) -> None:
    path = seed(
        tmp_path,
        results=[
            {"endpoint": "resp", "arm": "new", "value": 60, "unit": "percent"},
            {"endpoint": "resp", "arm": "old", "value": 50, "unit": "%"},
        ],
    )
    outcome = run_cli("load", str(path), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert "warning" not in outcome.stderr
    rows = run_cli("comparisons", "--format", "csv", "--columns", "measure,value", db=database)
    assert rows.stdout.splitlines() == ["measure,value", "rate_difference,10.0"]
    units = run_cli("results", "--format", "csv", "--columns", "arm_key,unit", db=database)
    assert sorted(units.stdout.splitlines()[1:]) == ["new,%", "old,%"]


def test_a_comparison_that_cannot_be_derived_says_why(
    database: TestDatabase, tmp_path: Path
) -> None:
    path = seed(
        tmp_path,
        results=[
            {"endpoint": "resp", "arm": "new", "value": 60, "unit": "%"},
            {"endpoint": "resp", "arm": "old", "value": 2, "unit": "patients"},
        ],
    )
    outcome = run_cli("load", str(path), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert (
        f"warning: {path}: no derived comparison for resp, new vs old: the units differ "
        "('%' vs 'patients')\n"
    ) in outcome.stderr
