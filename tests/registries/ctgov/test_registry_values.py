"""The registry as it is: values that break rules the registry does not enforce never block an
import; the registry's text is kept, the number stored where it is one, and every problem is
listed by --rejects. Records are built here from the hand-written EDGE record."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from evidencedb.enums import DirectionBasis, MatchBasis
from evidencedb.registries.ctgov.arms import Arm
from evidencedb.registries.ctgov.direction import orient
from evidencedb.registries.ctgov.values import parse_number
from tests.registries.ctgov.studies import EDGE, rows
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.snapshots import snapshot


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "raw"),
    [
        ("0.05", 0.05, None, None),
        (".05", 0.05, None, ".05"),
        ("80.", 80.0, None, "80."),
        ("1,901.65", 1901.65, None, "1,901.65"),
        ("< .001", 0.001, "<", "< .001"),
        ("=0.247", 0.247, "=", "=0.247"),
        ("&lt;0.001", 0.001, "<", "&lt;0.001"),
        ("NA", None, None, "NA"),
        ("NE", None, None, "NE"),
        ("9999", None, None, "9999"),
        ("-99999.9", None, None, "-99999.9"),
        ("not done", None, None, "not done"),
    ],
)
def test_registry_numbers(text: str, value: float | None, qualifier: str | None, raw: str) -> None:
    number = parse_number(text)
    assert number.value == value
    assert number.qualifier == qualifier
    assert number.raw == raw


def _study(change: Any) -> dict[str, Any]:
    study = copy.deepcopy(json.loads(EDGE.read_text(encoding="utf-8")))
    change(study)
    return study


def _write(tmp_path: Path, name: str, study: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(study), encoding="utf-8")
    return path


def _flawed(study: dict[str, Any]) -> None:
    measures = study["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    hazard = measures[0]["analyses"][0]
    hazard.update(paramValue="0.0", pValue="60.66", ciLowerLimit="9999", ciUpperLimit="0.85")
    measures[0]["analyses"][1]["pValue"] = "=0.247"
    counts = measures[1]["classes"][0]["categories"][0]["measurements"]
    counts[0]["value"] = "40"  # of a denominator of 12
    counts[1]["value"] = "NE"
    stats = study["resultsSection"]["adverseEventsModule"]["seriousEvents"][0]["stats"]
    stats[0]["numAffected"] = 25  # of 20 at risk


def test_impossible_values_are_kept_as_text_and_the_record_imported(
    empty_database: TestDatabase, tmp_path: Path
) -> None:
    study = _write(tmp_path, "NCT09000001.json", _study(_flawed))
    not_a_study = _write(tmp_path, "notes.json", {"note": "not a study"})
    rejects = tmp_path / "rejects.csv"
    outcome = run_cli(
        "import", "ctgov", str(study), str(not_a_study), "--rejects", str(rejects),
        db=empty_database,
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.stderr
    assert "imported 1 of 1 studies" in outcome.stderr
    assert "5 value(s) kept as the registry's text, 0 record(s) and 1 file(s) skipped" in (
        outcome.stderr
    )
    hazard = rows(
        empty_database,
        "SELECT value, value_raw, p_value, p_value_raw, ci_lower, ci_lower_raw, ci_upper"
        " FROM comparisons WHERE label = 'analysis 1' AND measure = 'hazard_ratio'",
    )
    assert hazard == [
        {
            "value": None,
            "value_raw": "0.0",
            "p_value": None,
            "p_value_raw": "60.66",
            "ci_lower": None,
            "ci_lower_raw": "9999",
            "ci_upper": 0.85,
        }
    ]
    equal = rows(
        empty_database,
        "SELECT p_value, p_value_qualifier, p_value_raw FROM comparisons"
        " WHERE label = 'analysis 2' AND origin = 'reported' AND measure = 'other'",
    )
    assert {"p_value": 0.247, "p_value_qualifier": "=", "p_value_raw": "=0.247"} in equal
    counted = rows(
        empty_database,
        "SELECT value, value_raw, numerator, denominator FROM results"
        " WHERE locator LIKE '%outcomeMeasures[1].classes[0].categories[0].measurements[%'"
        " ORDER BY locator",
    )
    assert counted == [
        {"value": 40.0, "value_raw": "40", "numerator": None, "denominator": None},
        {"value": None, "value_raw": "NE", "numerator": None, "denominator": None},
    ]
    event = rows(
        empty_database,
        "SELECT participants_affected, participants_affected_raw FROM adverse_events"
        " WHERE locator LIKE '%seriousEvents[0].stats[0]'",
    )
    assert event == [{"participants_affected": None, "participants_affected_raw": "25"}]
    with rejects.open(encoding="utf-8", newline="") as handle:
        listed = list(csv.DictReader(handle))
    assert {(r["value"], r["outcome"]) for r in listed} >= {
        ("60.66", "value kept as text"),
        ("0.0", "value kept as text"),
        ("9999", "value kept as text"),
        ("40", "value kept as text"),
        ("25", "value kept as text"),
        ("", "file skipped"),
    }
    assert all(r["nct_id"] == "NCT09000001" for r in listed if r["outcome"] != "file skipped")
    assert any(r["json_path"].endswith("analyses[0].pValue") for r in listed)
    check = run_cli("check", "--format", "csv", db=empty_database)
    assert "impossible_registry_value" in check.stdout
    assert "'60.66'" in check.stdout


def test_strict_makes_any_problem_fatal(empty_database: TestDatabase, tmp_path: Path) -> None:
    study = _write(tmp_path, "NCT09000001.json", _study(_flawed))
    outcome = run_cli("import", "ctgov", "--strict", str(study), db=empty_database)
    assert outcome.exit_code == 1
    assert "60.66" in outcome.stderr
    assert snapshot(empty_database) == {}


def test_a_broken_record_is_skipped_not_the_others(
    empty_database: TestDatabase, tmp_path: Path
) -> None:
    good = _write(tmp_path, "NCT09000001.json", _study(lambda study: None))

    def broken(study: dict[str, Any]) -> None:
        study["protocolSection"]["identificationModule"]["nctId"] = "NCT09000002"
        measures = study["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
        measures[0]["analyses"][0]["groupIds"] = ["OG999"]

    bad = _write(tmp_path, "NCT09000002.json", _study(broken))
    outcome = run_cli("import", "ctgov", str(good), str(bad), db=empty_database)
    assert outcome.exit_code == 0, outcome.stderr
    assert "0 value(s) kept as the registry's text, 1 record(s) and 0 file(s) skipped" in (
        outcome.stderr
    )
    trials = rows(empty_database, "SELECT key FROM trials")
    assert trials == [{"key": "NCT09000001"}]


def _arm(key: str, label: str, role: Any = None) -> Arm:
    return Arm(key, label, role, None, (), from_protocol=role is not None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Odds ratio: CZP/Placebo", "czp"),
        ("Odds ratio: Placebo/CZP", "placebo"),
        ("Treatment - Placebo", "czp"),
        ("Difference (Placebo minus CZP 200 mg)", "placebo"),
        ("CZP 200 mg vs. Placebo at Week 12", "czp"),
        ("Placebo versus CZP", "placebo"),
    ],
)
def test_a_stated_direction_is_read_from_the_analysis_text(text: str, expected: str) -> None:
    placebo, czp = _arm("placebo", "Placebo (FAS)"), _arm("czp", "CZP 200 mg Q2W (FAS)")
    arm, comparator, basis = orient([placebo, czp], [text], "odds_ratio", 6.22, {})
    assert basis == DirectionBasis.STATED
    assert arm.key == expected
    assert comparator.key != expected


def test_a_unit_or_a_list_states_no_direction() -> None:
    low, high = _arm("low", "Drug 10 mg/kg"), _arm("high", "Drug 20 mg/kg")
    texts = ["Doses of 20 mg/kg and 10 mg/kg were compared; placebo and/or rescue allowed"]
    arm, _, basis = orient([low, high], texts, "mean_difference", 1.0, {})
    assert (arm.key, basis) == ("low", DirectionBasis.UNKNOWN)


def test_without_text_or_roles_the_arms_data_orient_a_clear_estimate() -> None:
    from evidencedb.records.facts import ResultRecord

    placebo, drug = _arm("placebo", "Group A"), _arm("drug", "Group B")

    def result(arm: str, value: float) -> ResultRecord:
        return ResultRecord(source="s", endpoint="e", arm=arm, value=value)

    levels = {"placebo": result("placebo", 10.0), "drug": result("drug", 40.0)}
    arm, _, basis = orient([placebo, drug], [None], "mean_difference", 30.0, levels)
    assert (arm.key, basis) == ("drug", DirectionBasis.ARM_DATA)
    arm, _, basis = orient([placebo, drug], [None], "mean_difference", 0.0, levels)
    assert (arm.key, basis) == ("placebo", DirectionBasis.UNKNOWN)


def test_a_results_group_with_a_remark_is_bound_to_its_protocol_arm(
    empty_database: TestDatabase, tmp_path: Path
) -> None:
    def remarked(study: dict[str, Any]) -> None:
        for module in ("outcomeMeasuresModule",):
            for measure in study["resultsSection"][module]["outcomeMeasures"]:
                for group in measure["groups"]:
                    group["title"] += " (FAS)"

    path = _write(tmp_path, "NCT09000001.json", _study(remarked))
    outcome = run_cli("import", "ctgov", str(path), db=empty_database)
    assert outcome.exit_code == 0, outcome.stderr
    arms = rows(empty_database, "SELECT label, role, match_basis FROM arms ORDER BY id")
    assert [a["match_basis"] for a in arms[:3]] == [MatchBasis.TITLE] * 3
    assert all(a["role"] is not None for a in arms[:3])
    # Only the group that is no protocol arm stays a results-only arm, with no role.
    results_only = [a for a in arms if "(FAS)" in a["label"]]
    assert results_only == [
        {"label": "All Participants (FAS)", "role": None, "match_basis": MatchBasis.NONE}
    ]


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("Placebo (FAS)", "Placebo"),
        ("Digital Symptom Tracker Arm", "Digital Symptom Tracker"),
        ("Testim + Viagra", "Testim® + Viagra®"),
        ("Arm I - Genistein", "Arm I"),
        ("Test 1: 100 mg Chewable, Without Water", "Test 1"),
        ("2. Repaglinide", "Repaglinide"),
    ],
)
def test_results_group_titles_that_name_a_protocol_arm(title: str, label: str) -> None:
    from evidencedb.registries.ctgov.arms import Arms

    arms = Arms()
    wanted = arms.add(label, None, None, (), from_protocol=True, fallback_key="arm-1")
    arms.add("Something else entirely", None, None, (), from_protocol=True, fallback_key="arm-2")
    assert arms.find(title) is wanted


def test_the_context_of_an_analysis_and_a_measure_is_kept_in_columns(
    empty_database: TestDatabase, tmp_path: Path
) -> None:
    def with_context(study: dict[str, Any]) -> None:
        measures = study["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
        hazard = measures[0]["analyses"][0]
        hazard.update(
            groupDescription="Estimate at week 24",
            statisticalComment="Stratified by region",
            estimateComment="Drug A 20 mg over Placebo",
            nonInferiorityType="NON_INFERIORITY",
            nonInferiorityComment="Margin 1.3",
            ciNumSides="TWO_SIDED",
            dispersionType="STANDARD_ERROR_OF_MEAN",
            dispersionValue="0.11",
            paramType="Geometric LS Mean Ratio",
        )
        scores = measures[2]
        scores.update(
            paramType="GEOMETRIC_MEAN",
            dispersionType="GEOMETRIC_COEFFICIENT",
            timeFrame="Week 26 (results)",
            populationDescription="Participants with a baseline score",
        )
        scores["denoms"].append(
            {
                "units": "Eyes",
                "counts": [{"groupId": g["id"], "value": "30"} for g in scores["groups"]],
            }
        )

    path = _write(tmp_path, "NCT09000001.json", _study(with_context))
    outcome = run_cli("import", "ctgov", str(path), db=empty_database)
    assert outcome.exit_code == 0, outcome.stderr
    [analysis] = rows(
        empty_database,
        "SELECT measure, measure_detail, description, statistical_comment, estimate_comment,"
        " non_inferiority_type, non_inferiority_comment, ci_sides, dispersion_type,"
        " dispersion_value, direction_basis FROM comparisons"
        " WHERE origin = 'reported' AND label = 'analysis 1'"
        " AND locator LIKE '%outcomeMeasures[0].analyses[0]'",
    )
    assert analysis == {
        "measure": "geometric_mean_ratio",
        "measure_detail": "Geometric LS Mean Ratio",
        "description": "Estimate at week 24",
        "statistical_comment": "Stratified by region",
        "estimate_comment": "Drug A 20 mg over Placebo",
        "non_inferiority_type": "non_inferiority",
        "non_inferiority_comment": "Margin 1.3",
        "ci_sides": 2,
        "dispersion_type": "standard_error",
        "dispersion_value": 0.11,
        "direction_basis": "stated",
    }
    measured = rows(
        empty_database,
        "SELECT DISTINCT r.parameter_type, r.units_analyzed, r.analysis_unit,"
        " e.results_time_frame, e.population FROM results r"
        " JOIN endpoints e ON e.id = r.endpoint_id"
        " WHERE r.locator LIKE '%outcomeMeasures[2].%'",
    )
    assert measured == [
        {
            "parameter_type": "geometric_mean",
            "units_analyzed": 30,
            "analysis_unit": "Eyes",
            "results_time_frame": "Week 26 (results)",
            "population": "Participants with a baseline score",
        }
    ]
    spreads = rows(
        empty_database,
        "SELECT DISTINCT spread_type FROM results WHERE spread IS NOT NULL"
        " AND locator LIKE '%outcomeMeasures[2].%'",
    )
    assert spreads == [{"spread_type": "geometric_coefficient_of_variation"}]
