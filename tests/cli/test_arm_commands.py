"""`evidencedb baseline` and `evidencedb flow`, and the sections `trial KEY` gives them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import NEVER_FOR_READING
from tests.registries.ctgov.studies import imported
from tests.registries.ctgov.test_baseline_flow import NCT, edge_study, write
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import REPO


@pytest.fixture
def with_edges(database: TestDatabase, tmp_path: Path) -> TestDatabase:
    imported(database, write(tmp_path, edge_study()))
    return database


def test_baseline_filters_by_arm_and_characteristic(with_edges: TestDatabase) -> None:
    outcome = run_cli(
        "baseline", "--trial", NCT, "--arm", "placebo", "--characteristic", "AGE",
        "--format", "json", db=with_edges,
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.stderr
    [row] = json.loads(outcome.stdout)
    assert (row["arm_key"], row["characteristic"], row["value"], row["value_raw"]) == (
        "placebo",
        "Age",
        None,
        "NA",
    )
    assert row["locator"].startswith("resultsSection.baselineCharacteristicsModule.measures[0]")


def test_baseline_table_shows_the_registry_text_and_the_spread(with_edges: TestDatabase) -> None:
    from evidencedb.cli.tables import readable

    outcome = run_cli("baseline", "--arm", "drug-a", "--format", "json", db=with_edges)
    shown = [readable(row) for row in json.loads(outcome.stdout)]
    assert [(row["value"], row["spread"]) for row in shown] == [
        ("41.5 years", "range 18 to NA"),
        ("1,901 Participants", ""),  # as the registry wrote it, not re-typeset
    ]
    outcome = run_cli("baseline", "--arm", "placebo", "-f", "json", db=with_edges)
    shown = [readable(row) for row in json.loads(outcome.stdout)]
    assert [row["value"] for row in shown] == ["NA", "3 Participants"]


def test_flow_as_csv(with_edges: TestDatabase) -> None:
    outcome = run_cli(
        "flow", "--trial", NCT, "--label", "started", "--format", "csv", db=with_edges
    )
    assert outcome.exit_code == 0, outcome.stderr
    found = list(csv.DictReader(io.StringIO(outcome.stdout)))
    assert [(r["arm_key"], r["label"], r["count"], r["count_raw"]) for r in found] == [
        ("drug-a", "STARTED", "10", ""),
        ("placebo", "STARTED", "1864", "1,864"),
        ("drug-a", "STARTED (2)", "", "NA"),
    ]


def test_flow_of_an_arm_role_and_nothing_found(with_edges: TestDatabase) -> None:
    outcome = run_cli("flow", "--arm-role", "placebo_comparator", "-f", "json", db=with_edges)
    assert [row["arm_key"] for row in json.loads(outcome.stdout)] == ["placebo"]
    outcome = run_cli("flow", "--trial", "no-such-trial", "-f", "json", db=with_edges)
    assert (outcome.exit_code, json.loads(outcome.stdout)) == (0, [])


def test_trial_shows_baseline_flow_and_details(with_edges: TestDatabase) -> None:
    outcome = run_cli("trial", NCT, "--format", "json", db=with_edges)
    [detail] = json.loads(outcome.stdout)
    assert len(detail["baseline_measurements"]) == 5
    assert len(detail["participant_flow"]) == 4
    assert detail["masking"] == "double"
    relations = {source["key"]: source["relation"] for source in detail["sources"]}
    assert relations[f"ctgov-{NCT}-pmid-222"] == "results_publication"
    table = run_cli("trial", NCT, db=with_edges).stdout
    assert "baseline measurements" in table
    assert "participant flow" in table


def test_a_long_description_is_cut_in_the_trial_table(
    database: TestDatabase, tmp_path: Path
) -> None:
    study = edge_study()
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = "criterion " * 100
    imported(database, write(tmp_path, study))
    table = run_cli("trial", NCT, db=database).stdout
    assert "(--format json shows it all)" in table
    [detail] = json.loads(run_cli("trial", NCT, "-f", "json", db=database).stdout)
    assert detail["eligibility_criteria"] == ("criterion " * 100).strip()


@pytest.mark.parametrize("command", ["baseline", "flow"])
def test_baseline_and_flow_import_no_write_path_code(tmp_path: Path, command: str) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    imported(url, write(tmp_path, edge_study()))  # type: ignore[arg-type]
    subprocess.run(
        [sys.executable, "-c", NEVER_FOR_READING, "--db", url, command, "--format", "csv"],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
