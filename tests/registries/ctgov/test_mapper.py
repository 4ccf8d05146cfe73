"""Mapping hand-written records (data/) written for the edge cases: NA values, classes and
categories, one- and three-group analyses, "<0.0001", missing modules, malformed input; every
problem located at its JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.registries.ctgov.studies import BARE, EDGE, MALFORMED, imported, rows
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.snapshots import snapshot

# --------------------------------------------------------------------------------------------
# Edge cases, on hand-written records.


def test_edge_record_maps_every_case(database: TestDatabase) -> None:
    imported(database, EDGE)
    [trial] = rows(database, "SELECT * FROM trials")
    assert {k: trial[k] for k in ("key", "acronym", "design", "phase", "status", "countries")} == {
        "key": "NCT09000001",
        "acronym": "EDGE",
        "design": "randomized",
        "phase": "phase_2_3",
        "status": "completed",
        "countries": "France; Germany",
    }
    identifiers = rows(database, "SELECT registry, value FROM trial_identifiers ORDER BY registry")
    assert identifiers == [  # the NIH grant number identifies money, not the trial
        {"registry": "eudract", "value": "2019-001234-56"},
        {"registry": "nct", "value": "NCT09000001"},
        {"registry": "org_study_id", "value": "EDGE-001"},
    ]
    arms = rows(database, "SELECT key, role, n_enrolled FROM arms ORDER BY id")
    assert arms == [
        {"key": "drug-a-10-mg", "role": "experimental", "n_enrolled": 20},
        {"key": "drug-a-20-mg", "role": "experimental", "n_enrolled": 21},
        {"key": "placebo", "role": "placebo_comparator", "n_enrolled": 19},
        {"key": "all-participants", "role": None, "n_enrolled": None},  # results-only group
    ]
    endpoints = rows(database, "SELECT key, kind, role, measure FROM endpoints ORDER BY id")
    assert endpoints == [
        {"key": "primary-1", "kind": "overall_survival", "role": "primary", "measure": "median"},
        {"key": "secondary-1", "kind": "response", "role": "secondary", "measure": "count"},
        {"key": "secondary-2", "kind": "other", "role": "secondary", "measure": None},
        {"key": "results-3", "kind": "other", "role": "exploratory", "measure": "mean"},
        {"key": "results-4", "kind": "toxicity", "role": "post_hoc", "measure": "proportion"},
    ]

    def result(locator: str) -> dict[str, Any]:
        [row] = rows(
            database,
            "SELECT a.key AS arm, e.key AS endpoint, r.* FROM results r"
            " JOIN arms a ON a.id = r.arm_id JOIN endpoints e ON e.id = r.endpoint_id"
            " WHERE r.locator = :locator",
            locator=f"resultsSection.outcomeMeasuresModule.outcomeMeasures[{locator}",
        )
        return row

    not_reached = result("0].classes[0].categories[0].measurements[0]")
    assert not_reached["value"] is None
    assert not_reached["value_qualifier"] == "not_reached"
    assert not_reached["note"] == "Median not reached at the data cut-off."
    assert (not_reached["ci_lower"], not_reached["ci_upper"]) == (12.1, None)
    assert not_reached["ci_level"] == pytest.approx(0.95)
    count = result("1].classes[1].categories[0].measurements[1]")
    assert (count["arm"], count["subgroup"], count["category"]) == (
        "drug-a-20-mg",
        "Age >= 65 years",
        "Complete response",
    )
    assert (count["value"], count["numerator"], count["denominator"]) == (2.0, 2, 8)
    no_value = result("2].classes[0].categories[0].measurements[1]")
    assert no_value["value"] is None
    assert no_value["spread_type"] is None
    assert no_value["note"] == "No participants were analysed."
    twin_class = result("2].classes[1].categories[1].measurements[0]")
    assert (twin_class["subgroup"], twin_class["category"], twin_class["value"]) == (
        "Visit (2)",
        "Score (2)",
        -2.0,
    )
    assert (twin_class["spread"], twin_class["spread_type"]) == (0.9, "standard_deviation")
    percent = result("3].classes[0].categories[0].measurements[0]")
    assert (percent["arm"], percent["value"], percent["unit"]) == ("all-participants", 12.5, "%")

    comparisons = rows(
        database,
        "SELECT x.label, a.key AS arm, c.key AS comparator, x.group_keys, x.measure, x.value,"
        " x.ci_lower, x.ci_upper, x.ci_level, x.p_value, x.p_value_qualifier FROM comparisons x"
        " JOIN arms a ON a.id = x.arm_id LEFT JOIN arms c ON c.id = x.comparator_arm_id"
        " WHERE x.origin = 'reported' ORDER BY x.locator",
    )
    assert comparisons == [
        {  # two groups, listed placebo first; the estimate's comment gives the direction
            "label": "analysis 1",
            "arm": "drug-a-20-mg",
            "comparator": "placebo",
            "group_keys": None,
            "measure": "hazard_ratio",
            "value": 0.62,
            "ci_lower": 0.45,
            "ci_upper": 0.85,
            "ci_level": pytest.approx(0.95),
            "p_value": 0.0001,
            "p_value_qualifier": "<",
        },
        {  # three groups: the first is the arm, no comparator, all groups recorded
            "label": "analysis 2",
            "arm": "drug-a-10-mg",
            "comparator": None,
            "group_keys": "drug-a-10-mg; drug-a-20-mg; placebo",
            "measure": "other",
            "value": None,
            "ci_lower": None,
            "ci_upper": None,
            "ci_level": None,
            "p_value": 0.003,
            "p_value_qualifier": None,
        },
        {  # one group
            "label": "analysis 1",
            "arm": "drug-a-10-mg",
            "comparator": None,
            "group_keys": "drug-a-10-mg",
            "measure": "other",
            "value": 35.0,
            "ci_lower": 18.1,
            "ci_upper": None,
            "ci_level": pytest.approx(0.9),
            "p_value": 0.04,
            "p_value_qualifier": None,
        },
    ]

    events = rows(
        database,
        "SELECT a.key AS arm, x.term, x.category, x.is_aggregate, x.participants_affected,"
        " x.participants_at_risk, x.event_count FROM adverse_events x"
        " JOIN arms a ON a.id = x.arm_id WHERE a.key = 'drug-a-10-mg' ORDER BY x.id",
    )
    assert [(e["term"], e["category"], e["is_aggregate"]) for e in events] == [
        ("Total, serious adverse events", "serious", True),
        ("Total, other adverse events", "non_serious", True),
        ("Total, all-cause mortality", "any", True),
        ("Febrile neutropenia", "serious", False),
        ("Nausea", "non_serious", False),
        ("Nausea (2)", "non_serious", False),  # the same term listed twice in the record
    ]
    assert events[4]["participants_affected"] == 7
    assert events[4]["event_count"] == 10
    [placebo_nausea] = rows(
        database,
        "SELECT x.participants_affected, x.participants_at_risk FROM adverse_events x"
        " JOIN arms a ON a.id = x.arm_id WHERE a.key = 'placebo' AND x.term = 'Nausea'",
    )
    # No numAtRisk for the term: the group's at-risk count for other events stands in.
    assert placebo_nausea == {"participants_affected": 4, "participants_at_risk": 19}
    links = rows(
        database,
        "SELECT a.key AS arm, i.key AS intervention FROM arm_interventions x"
        " JOIN arms a ON a.id = x.arm_id JOIN interventions i ON i.id = x.intervention_id"
        " ORDER BY a.id",
    )
    assert links == [
        {"arm": "drug-a-10-mg", "intervention": "NCT09000001.drug-a"},
        {"arm": "drug-a-20-mg", "intervention": "NCT09000001.drug-a"},
        {"arm": "placebo", "intervention": "NCT09000001.placebo"},
    ]


def test_record_without_optional_modules(database: TestDatabase) -> None:
    stderr = imported(database, BARE)
    assert "imported 1 of 1 studies, 0 facts" in stderr
    [trial] = rows(database, "SELECT key, title, design, phase FROM trials")
    assert trial == {
        "key": "NCT09000003",
        "title": "A Record With No Optional Module",
        "design": None,
        "phase": None,
    }
    assert rows(database, "SELECT * FROM arms") == []
    assert rows(database, "SELECT * FROM endpoints") == []


# --------------------------------------------------------------------------------------------
# Bad input: one line per problem, naming the file and the JSON path; nothing written.


def test_malformed_records_are_reported_and_nothing_is_written(database: TestDatabase) -> None:
    imported(database, BARE)
    before = snapshot(database)
    outcome = run_cli("import", "ctgov", "--strict", str(EDGE), str(MALFORMED), db=database)
    assert outcome.exit_code == 1
    assert outcome.stdout == ""
    bad = MALFORMED / "NCT09000002.json"
    measures = "resultsSection.outcomeMeasuresModule.outcomeMeasures"
    events = "resultsSection.adverseEventsModule.seriousEvents"
    assert outcome.stderr.splitlines() == [
        f"error: {bad} protocolSection.designModule.enrollmentInfo.count: "
        "expected a whole number, not a string",
        f"error: {bad} {events}[0].stats[0].numAffected: expected a whole number, not a string",
        # (its impossible values, kept as text in a record that can be imported, are not
        # listed: the record is refused for what cannot be read at all)
        f"error: {bad} {measures}[0].classes: expected a list, not an object",
        f"error: {bad} {measures}[1].classes[0].categories[0].measurements[0].value: "
        "expected a string, not a number",
        f"error: {MALFORMED / 'no_nct_id.json'} protocolSection.identificationModule.nctId: "
        "missing: the NCT id",
        f"error: {MALFORMED / 'not_json.json'}:3: invalid JSON: "
        "Expecting property name enclosed in double quotes (column 53)",
        "6 problems; nothing was written",
    ]
    assert snapshot(database) == before


def test_group_ids_of_measurements_and_events_are_checked(
    empty_database: TestDatabase, tmp_path: Path
) -> None:
    study = json.loads(EDGE.read_text(encoding="utf-8"))
    results = study["resultsSection"]
    measurements = results["outcomeMeasuresModule"]["outcomeMeasures"][0]["classes"][0][
        "categories"
    ][0]["measurements"]
    del measurements[0]["groupId"]
    measurements[2]["groupId"] = measurements[1]["groupId"]  # OG001 twice
    measurements.append({**measurements[1], "groupId": "OG999"})
    stats = results["adverseEventsModule"]["seriousEvents"][0]["stats"]
    del stats[0]["groupId"]
    stats[2]["groupId"] = stats[1]["groupId"]  # EG001 twice
    stats.append({**stats[1], "groupId": "EG999"})
    path = tmp_path / "groups.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    outcome = run_cli("import", "ctgov", str(path), db=empty_database)
    assert outcome.exit_code == 1
    measured = (
        "resultsSection.outcomeMeasuresModule.outcomeMeasures[0].classes[0].categories[0]"
        ".measurements"
    )
    events = "resultsSection.adverseEventsModule.seriousEvents[0].stats"
    for line in (
        f"error: {path} {measured}[0].groupId: missing: the measured group's id",
        f"error: {path} {measured}[2].groupId: group OG001 measured twice here",
        f"error: {path} {measured}[3].groupId: group 'OG999' is not among the measure's groups",
        f"error: {path} {events}[0].groupId: missing: the event group's id",
        f"error: {path} {events}[2].groupId: group EG001 is counted twice for this term",
        f"error: {path} {events}[3].groupId: group 'EG999' is not among the event groups",
    ):
        assert line in outcome.stderr.splitlines(), outcome.stderr
    assert snapshot(empty_database) == {}
