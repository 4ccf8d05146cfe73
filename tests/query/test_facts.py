"""The flat fact views and the query commands over them: every column of the facts' tables,
and what a spreadsheet needs to read a row without a join."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from evidencedb.store.models import metadata
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import require_shared

# Columns a flat view replaces by natural keys (trial_key, arm_key, ...).
_IDS = {"id", "trial_id", "arm_id", "endpoint_id", "comparator_arm_id", "source_id"}


def _own_columns(table: str) -> set[str]:
    return {column.name for column in metadata.tables[table].columns} - _IDS


def _csv(*args: str, db: TestDatabase) -> list[dict[str, str]]:
    outcome = run_cli(*args, "--format", "csv", db=db)
    assert outcome.exit_code == 0, outcome.stderr
    return list(csv.DictReader(io.StringIO(outcome.stdout)))


def test_results_carry_every_result_column_and_the_endpoints_measure(
    loaded: TestDatabase,
) -> None:
    rows = json.loads(run_cli("results", "--format", "json", db=loaded).stdout)
    expected = _own_columns("results") | {"endpoint_measure", "endpoint_domain", "time_frame"}
    assert expected <= set(rows[0])
    assert set(rows[0]) == set(_csv("results", db=loaded)[0])
    os_2y = next(row for row in rows if row["endpoint_key"] == "os-2y")
    assert os_2y["endpoint_measure"] == "km_estimate"


def test_every_fact_command_carries_every_column_of_its_table(loaded: TestDatabase) -> None:
    comparisons = _csv("comparisons", db=loaded)
    assert _own_columns("comparisons") <= set(comparisons[0])
    events = _csv("adverse-events", db=loaded)
    assert _own_columns("adverse_events") <= set(events[0])
    trials = _csv("trials", db=loaded)
    assert _own_columns("trials") <= set(trials[0])
    assert {row["source_key"] for row in trials} >= {"news-blinatumomab-infant-all"}


def test_compare_csv_carries_every_column_of_a_comparison_row(loaded: TestDatabase) -> None:
    from evidencedb.query.comparisons import COMPARISON_ROW_COLUMNS

    rows = _csv("compare", "blinatumomab-infant-kmt2a-all", db=loaded)
    assert set(COMPARISON_ROW_COLUMNS) | {"contrast"} <= set(rows[0])
    assert list(rows[0])[:2] == ["trial_key", "endpoint_key"]  # the columns read first, first


def test_trial_in_full_has_every_endpoint_column(loaded: TestDatabase) -> None:
    outcome = run_cli("trial", "blinatumomab-infant-kmt2a-all", "--format", "json", db=loaded)
    endpoints = json.loads(outcome.stdout)[0]["endpoints"]
    assert _own_columns("endpoints") <= set(endpoints[0])


def test_comparisons_flat_reads_without_a_join(loaded: TestDatabase, tmp_path: Path) -> None:
    out = tmp_path / "comparisons_flat.csv"
    assert run_cli("export", "csv", "comparisons_flat", "--out", str(out), db=loaded).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    derived = next(row for row in rows if row["origin"] == "derived")
    assert derived["endpoint_name"] == "Two-year disease-free survival"
    assert derived["arm_label"] == "Blinatumomab + Interfant-06 chemotherapy"
    assert derived["comparator_arm_label"] == "Interfant-06 historical controls"
    assert (derived["timepoint_value"], derived["timepoint_unit"]) == ("2.0", "years")
    assert derived["arm_role"] == "experimental"


def test_results_flat_export_has_the_added_columns_described(
    loaded: TestDatabase, tmp_path: Path
) -> None:
    out = tmp_path / "dictionary.csv"
    assert run_cli("export", "csv", "data_dictionary", "--out", str(out), db=loaded).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        described = {
            (row["name"], row["column"]): row["description"] for row in csv.DictReader(handle)
        }
    for column in ("spread_lower", "spread_upper", "endpoint_measure", "time_frame"):
        assert described[("results_flat", column)], column
    for column in ("endpoint_name", "arm_label", "comparator_arm_label", "timepoint_unit"):
        assert described[("comparisons_flat", column)], column


@pytest.fixture
def imported(database: TestDatabase) -> TestDatabase:
    """The four ClinicalTrials.gov records of the shared data, imported."""
    outcome = run_cli("import", "ctgov", str(require_shared() / "ctgov"), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return database


def _events(*args: str, db: TestDatabase) -> list[tuple[str, str, str, str]]:
    rows = _csv("adverse-events", *args, db=db)
    return [(row["trial_key"], row["arm_key"], row["term"], row["category"]) for row in rows]


def test_serious_and_non_serious_split_the_single_terms(imported: TestDatabase) -> None:
    every = _csv("adverse-events", db=imported)
    single = {(r["trial_key"], r["arm_key"], r["term"], r["category"]) for r in every}
    single -= {
        (r["trial_key"], r["arm_key"], r["term"], r["category"])
        for r in every
        if r["is_aggregate"] == "true"
    }
    serious = _events("--serious", db=imported)
    non_serious = _events("--non-serious", db=imported)
    assert {row[3] for row in serious} == {"serious"}
    assert {row[3] for row in non_serious} == {"non_serious"}  # not the totals of category any
    assert not set(serious) & set(non_serious)
    assert (set(serious) | set(non_serious)) >= single
    any_category = _events("--category", "any", db=imported)
    assert any_category
    assert {row[3] for row in any_category} == {"any"}
    assert len(serious) + len(non_serious) + len(any_category) == len(every)
    assert _events("--category", "serious", db=imported) == serious


def test_serious_and_category_together_are_a_usage_error(loaded: TestDatabase) -> None:
    outcome = run_cli("adverse-events", "--serious", "--category", "any", db=loaded)
    assert outcome.exit_code == 2
    assert "not two of them" in outcome.stderr
