"""`evidencedb import ctgov`: ClinicalTrials.gov API v2 records through the one loader.

The shared records (../shared/ctgov) are checked against counts and values read from their
JSON here, independently of the importer. The small records in data/ are hand-written for the
edge cases: NA values, classes and categories, one- and three-group analyses, "<0.0001",
missing modules, malformed input, pages, ZIPs and versions.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import text

from evidencedb.cli.import_commands import ProgressBar
from evidencedb.enums import ComparisonMeasure, EndpointKind, SpreadType
from evidencedb.operations import import_ctgov as imports
from evidencedb.operations import service
from evidencedb.registries.ctgov.codes import comparison_measure, endpoint_kind
from evidencedb.registries.ctgov.keys import slug
from evidencedb.registries.ctgov.values import dispersion
from tests.conftest import TestDatabase, require_shared, run_cli
from tests.helpers import snapshot

DATA = Path(__file__).parent / "data"
EDGE = DATA / "NCT09000001.json"
BARE = DATA / "NCT09000003.json"
PAGE = DATA / "page.json"
OLD = DATA / "versions" / "NCT09000006-2020.json"
NEW = DATA / "versions" / "NCT09000006-2021.json"
MALFORMED = DATA / "malformed"


def shared_records() -> list[Path]:
    folder = require_shared() / "ctgov"
    return sorted(folder.glob("*.json"))


def rows(database: TestDatabase, sql: str, **params: Any) -> list[dict[str, Any]]:
    with service.open_engine(database.url, write=False) as engine, engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(sql), params)]


def imported(database: TestDatabase, *paths: Path | str) -> str:
    outcome = run_cli("import", "ctgov", *map(str, paths), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return outcome.stderr


# --------------------------------------------------------------------------------------------
# Independent reading of the JSON, for the checks.


def at(document: Any, path: str) -> Any:
    """The value at a JSON path like `a.b[2].c`."""
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        document = document[int(index)] if index else document[name]
    return document


def number(value: str | None) -> float | None:
    """A registry number, without its bound ("<0.0001" is 0.0001); None for "NA" and words."""
    try:
        return None if value is None else float(value.lstrip("<>=≤≥ "))
    except ValueError:
        return None


def qualifier(value: str | None) -> str | None:
    for sign, ours in (
        ("<=", "<="),
        (">=", ">="),
        ("≤", "<="),
        ("≥", ">="),
        ("<", "<"),
        (">", ">"),
    ):
        if (value or "").startswith(sign):
            return ours
    return None


def participants(node: dict[str, Any], group_id: str) -> int | None:
    """The group's denominator in participants, as the class or the measure gives it."""
    for denom in node.get("denoms", []):
        if denom.get("units", "").casefold() == "participants":
            for count in denom.get("counts", []):
                if count["groupId"] == group_id:
                    return int(count["value"])
    return None


def expected_counts(study: dict[str, Any]) -> tuple[int, int, int]:
    """Results, comparisons and adverse-event rows the JSON holds."""
    section = study.get("resultsSection", {})
    measures = section.get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])
    results = sum(
        len(category.get("measurements", []))
        for measure in measures
        for group_class in measure.get("classes", [])
        for category in group_class.get("categories", [])
    )
    comparisons = sum(len(measure.get("analyses", [])) for measure in measures)
    module = section.get("adverseEventsModule", {})
    terms = sum(
        len(event.get("stats", []))
        for kind in ("seriousEvents", "otherEvents")
        for event in module.get(kind, [])
    )
    totals = sum(
        1
        for group in module.get("eventGroups", [])
        for kind in ("serious", "other", "deaths")
        if group.get(f"{kind}NumAffected") is not None or group.get(f"{kind}NumAtRisk") is not None
    )
    return results, comparisons, terms + totals


# --------------------------------------------------------------------------------------------
# The shared, real records.


def test_every_shared_record_gives_the_rows_and_values_of_its_json(
    database: TestDatabase,
) -> None:
    records = shared_records()
    assert records, "no records in ../shared/ctgov"
    imported(database, *records)
    for path in records:
        check_record(database, json.loads(path.read_text(encoding="utf-8")))


def check_record(database: TestDatabase, study: dict[str, Any]) -> None:
    """The study's rows against its JSON: counts, then every value through its locator."""
    name = study["protocolSection"]["identificationModule"]["nctId"]
    source = f"ctgov-{name}"

    def facts(table: str, where: str = "") -> list[dict[str, Any]]:
        return rows(
            database,
            f"SELECT f.* FROM {table} f JOIN sources s ON s.id = f.source_id "
            f"WHERE s.key = :source {where} ORDER BY f.id",
            source=source,
        )

    results = facts("results")
    comparisons = facts("comparisons", "AND f.origin = 'reported'")
    events = facts("adverse_events")
    counts = (len(results), len(comparisons), len(events))
    assert counts == expected_counts(study), name

    for row in results:
        measurement = at(study, row["locator"])
        assert row["value"] == number(measurement.get("value")), row["locator"]
        assert row["spread"] == number(measurement.get("spread")), row["locator"]
        measure = at(study, row["locator"].split(".classes[")[0])
        group_class = at(study, row["locator"].split(".categories[")[0])
        denominator = participants(group_class, measurement["groupId"])
        if denominator is None:
            denominator = participants(measure, measurement["groupId"])
        assert row["n_analyzed"] == denominator, row["locator"]
        if measure.get("paramType") == "COUNT_OF_PARTICIPANTS" and row["value"] is not None:
            assert (row["numerator"], row["denominator"]) == (row["value"], denominator)
        # Limits are a confidence interval or the ends of a range, as the measure says.
        lower, upper = number(measurement.get("lowerLimit")), number(measurement.get("upperLimit"))
        if lower is not None:
            assert lower in (row["ci_lower"], row["spread_lower"]), row["locator"]
        if upper is not None:
            assert upper in (row["ci_upper"], row["spread_upper"]), row["locator"]
    for row in comparisons:
        analysis = at(study, row["locator"])
        assert row["value"] == number(analysis.get("paramValue"))
        assert row["ci_lower"] == number(analysis.get("ciLowerLimit"))
        assert row["ci_upper"] == number(analysis.get("ciUpperLimit"))
        level = number(analysis.get("ciPctValue"))
        assert row["ci_level"] == (None if level is None else pytest.approx(level / 100))
        assert row["p_value"] == number(analysis.get("pValue")), row["locator"]
        assert row["p_value_qualifier"] == qualifier(analysis.get("pValue")), row["locator"]
        assert row["measure_label"] == analysis.get("paramType")
    for row in events:
        counted = at(study, row["locator"])
        if row["is_aggregate"]:
            group = at(study, row["locator"].rsplit(".", 1)[0])
            kind = row["locator"].rsplit(".", 1)[1].removesuffix("NumAffected")
            assert row["participants_affected"] == counted
            assert row["participants_at_risk"] == group[f"{kind}NumAtRisk"]
        else:
            assert row["participants_affected"] == counted.get("numAffected")
            assert row["participants_at_risk"] == counted.get("numAtRisk")
            assert row["event_count"] == counted.get("numEvents")

    status = study["protocolSection"]["statusModule"]
    canonical = json.dumps(study, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    [registry] = rows(database, "SELECT * FROM sources WHERE key = :key", key=source)
    assert registry["kind"] == "registry_record"
    assert registry["origin"] == "ctgov"
    assert registry["url"] == f"https://clinicaltrials.gov/study/{name}"
    version = status.get("lastUpdatePostDateStruct", {}).get("date")
    assert registry["record_version"] == (version or status.get("lastUpdateSubmitDate"))
    assert registry["record_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    [trial] = rows(database, "SELECT * FROM trials WHERE key = :key", key=name)
    identification = study["protocolSection"]["identificationModule"]
    assert trial["title"] == identification.get("briefTitle", identification.get("officialTitle"))
    design = study["protocolSection"].get("designModule", {})
    assert trial["enrollment"] == design.get("enrollmentInfo", {}).get("count")


def test_shared_records_sampled_values(database: TestDatabase) -> None:
    imported(database, require_shared() / "ctgov")
    # NCT02210780, outcome measure 3: IGA 0/1 at week 16, with a Percentage Difference analysis.
    [iga] = rows(
        database,
        "SELECT a.key AS arm, c.key AS comparator, measure, value, ci_lower, ci_upper, ci_level,"
        " p_value, p_value_qualifier, randomized FROM comparisons x"
        " JOIN arms a ON a.id = x.arm_id JOIN arms c ON c.id = x.comparator_arm_id"
        " WHERE x.locator = :locator AND x.origin = 'reported' AND x.trial_id = ("
        "SELECT id FROM trials WHERE key = 'NCT02210780')",
        locator="resultsSection.outcomeMeasuresModule.outcomeMeasures[3].analyses[0]",
    )
    assert iga == {
        "arm": "dupilumab-300-mg-qw",  # "Dupilumab 300 mg qw vs. Placebo qw"
        "comparator": "placebo-qw",
        "measure": "risk_difference",
        "value": 34.0,
        "ci_lower": 24.29,
        "ci_upper": 43.75,
        "ci_level": pytest.approx(0.9),
        "p_value": 0.0001,
        "p_value_qualifier": "<",
        "randomized": True,
    }
    [percent] = rows(
        database,
        "SELECT value, unit, n_analyzed FROM results WHERE locator = :locator AND trial_id = ("
        "SELECT id FROM trials WHERE key = 'NCT02210780')",
        locator="resultsSection.outcomeMeasuresModule.outcomeMeasures[3]"
        ".classes[0].categories[0].measurements[1]",
    )
    assert percent == {"value": 44.3, "unit": "%", "n_analyzed": 97}
    # "Percentage of BSA" goes negative (a change from baseline): not a percentage column.
    units = rows(
        database,
        "SELECT DISTINCT unit FROM results WHERE locator LIKE :prefix AND trial_id = ("
        "SELECT id FROM trials WHERE key = 'NCT02210780')",
        prefix="resultsSection.outcomeMeasuresModule.outcomeMeasures[7].%",
    )
    assert units == [{"unit": "Percentage of BSA"}]
    # NCT00763412: classes become subgroups; its adverse-event groups ("Placebo") are the
    # protocol's arms ("1 Placebo") under another numbering.
    subgroups = rows(
        database,
        "SELECT r.subgroup, r.value, r.spread_type, r.spread_lower, r.spread_upper FROM results r"
        " JOIN trials t ON t.id = r.trial_id JOIN endpoints e ON e.id = r.endpoint_id"
        " JOIN arms a ON a.id = r.arm_id"
        " WHERE t.key = 'NCT00763412' AND e.key = 'primary-2' AND a.key = '1-placebo'"
        " ORDER BY r.subgroup",
    )
    assert subgroups == [
        {
            "subgroup": "Fat",
            "value": 19.82,
            "spread_type": "full_range",
            "spread_lower": 12.0,
            "spread_upper": 37.8,
        },
        {
            "subgroup": "Lean",
            "value": 77.15,
            "spread_type": "full_range",
            "spread_lower": 59.54,
            "spread_upper": 87.84,
        },
    ]
    arms = rows(
        database,
        "SELECT a.key, a.role, a.n_enrolled FROM arms a JOIN trials t ON t.id = a.trial_id"
        " WHERE t.key = 'NCT00763412' ORDER BY a.key",
    )
    assert arms == [
        {"key": "1-placebo", "role": "placebo_comparator", "n_enrolled": 8},
        {"key": "2-repaglinide", "role": "experimental", "n_enrolled": 8},
    ]


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


def test_reimport_changes_nothing(database: TestDatabase) -> None:
    imported(database, EDGE, PAGE, BARE)
    before = snapshot(database)
    stderr = imported(database, EDGE, PAGE, BARE)
    assert stderr.rstrip().endswith("nothing changed")
    assert snapshot(database) == before


def test_dry_run_writes_nothing(database: TestDatabase, tmp_path: Path) -> None:
    outcome = run_cli("import", "ctgov", "--dry-run", str(EDGE), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr.startswith("validated 1 of 1 studies")
    if database.backend == "sqlite":
        assert not (tmp_path / "evidence.db").exists()
    assert snapshot(database) == {}


# --------------------------------------------------------------------------------------------
# Bad input: one line per problem, naming the file and the JSON path; nothing written.


def test_malformed_records_are_reported_and_nothing_is_written(database: TestDatabase) -> None:
    imported(database, BARE)
    before = snapshot(database)
    outcome = run_cli("import", "ctgov", str(EDGE), str(MALFORMED), db=database)
    assert outcome.exit_code == 1
    assert outcome.stdout == ""
    bad = MALFORMED / "NCT09000002.json"
    measures = "resultsSection.outcomeMeasuresModule.outcomeMeasures"
    events = "resultsSection.adverseEventsModule.seriousEvents"
    assert outcome.stderr.splitlines() == [
        f"error: {bad} protocolSection.designModule.enrollmentInfo.count: "
        "expected a whole number, not a string",
        f"error: {bad} {events}[0].stats[0].numAffected: expected a whole number, not a string",
        f"error: {bad} {events}[1].stats[0]: participants_affected 5 exceeds "
        "participants_at_risk 3",
        f"error: {bad} {measures}[0].classes: expected a list, not an object",
        f"error: {bad} {measures}[1].analyses[0]: ci_lower 2.0 is above ci_upper 1.0",
        f"error: {bad} {measures}[1].analyses[1].pValue: 1.5: "
        "Input should be less than or equal to 1",
        f"error: {bad} {measures}[1].analyses[2]: value of a hazard_ratio must be above 0, "
        "not -0.5",
        f"error: {bad} {measures}[1].classes[0].categories[0].measurements[0].value: "
        "expected a string, not a number",
        f"error: {MALFORMED / 'no_nct_id.json'} protocolSection.identificationModule.nctId: "
        "missing: the NCT id",
        f"error: {MALFORMED / 'not_json.json'}:3: invalid JSON: "
        "Expecting property name enclosed in double quotes (column 53)",
        "10 problems; nothing was written",
    ]
    assert snapshot(database) == before


def test_problem_in_a_page_names_the_study(database: TestDatabase, tmp_path: Path) -> None:
    page = json.loads(PAGE.read_text(encoding="utf-8"))
    page["studies"][1]["protocolSection"]["identificationModule"]["nctId"] = 9000005
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    outcome = run_cli("import", "ctgov", str(path), db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines() == [
        f"error: {path} studies[1].protocolSection.identificationModule.nctId: "
        "expected a string, not a number"
    ]
    assert snapshot(database) == {}


def test_a_bad_batch_after_good_ones_rolls_back_the_whole_run(
    database: TestDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "studies"
    folder.mkdir()
    for path in (BARE, EDGE, MALFORMED / "no_nct_id.json"):
        shutil.copy(path, folder / path.name)
    outcome = run_cli("import", "ctgov", "--batch-size", "1", str(folder), db=database)
    assert outcome.exit_code == 1
    assert "no_nct_id.json protocolSection.identificationModule.nctId" in outcome.stderr
    assert snapshot(database) == {}


def test_no_study_files(database: TestDatabase, tmp_path: Path) -> None:
    outcome = run_cli("import", "ctgov", str(tmp_path), db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr == f"error: {tmp_path}: no study files (.json, .zip) found\n"
    missing = tmp_path / "nowhere.json"
    outcome = run_cli("import", "ctgov", str(missing), db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr == f"error: {missing}: no such file or folder\n"


# --------------------------------------------------------------------------------------------
# Inputs: pages, folders, ZIPs.


def test_page_of_studies(database: TestDatabase) -> None:
    stderr = imported(database, PAGE)
    assert rows(database, "SELECT key, design, phase FROM trials ORDER BY key") == [
        {"key": "NCT09000004", "design": "single_arm", "phase": "phase_1"},
        {"key": "NCT09000005", "design": "observational", "phase": None},
    ]
    # Locators are paths inside the study record, not inside the page.
    locators = rows(database, "SELECT locator FROM trials ORDER BY key")
    assert {row["locator"] for row in locators} == {"protocolSection.identificationModule"}
    # Both studies give the org study id PROTOCOL-1: sponsors reuse protocol numbers, so each
    # trial keeps its own (only an NCT id must name one trial).
    assert rows(
        database,
        "SELECT t.key, i.value FROM trial_identifiers i JOIN trials t ON t.id = i.trial_id"
        " WHERE i.registry = 'org_study_id' ORDER BY t.key",
    ) == [
        {"key": "NCT09000004", "value": "PROTOCOL-1"},
        {"key": "NCT09000005", "value": "PROTOCOL-1"},
    ]
    assert "already belongs" not in stderr


def test_zip_of_studies_is_read_in_place(database: TestDatabase, tmp_path: Path) -> None:
    archive = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(EDGE, "ctg-studies/NCT09000001.json")
        zipped.write(BARE, "ctg-studies/NCT09000003.json")
        zipped.writestr("ctg-studies/README.txt", "not a study")
    stderr = imported(database, archive)
    assert "imported 2 of 2 studies" in stderr
    from_zip = snapshot(database)
    assert {row["key"] for row in from_zip["trials"]} == {"NCT09000001", "NCT09000003"}
    # The same studies from plain files are the same import: re-importing changes nothing.
    stderr = imported(database, EDGE, BARE)
    assert stderr.rstrip().endswith("nothing changed")
    assert snapshot(database) == from_zip
    assert not (tmp_path / "ctg-studies").exists()  # nothing was unpacked


def test_problem_in_a_zip_member_names_the_member(database: TestDatabase, tmp_path: Path) -> None:
    archive = tmp_path / "studies.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(MALFORMED / "no_nct_id.json", "bad.json")
    outcome = run_cli("import", "ctgov", str(archive), db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        f"error: {archive}/bad.json protocolSection.identificationModule.nctId: "
        "missing: the NCT id\n"
    )


# --------------------------------------------------------------------------------------------
# Versions: the newer record of a study stands, whatever the order.


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
    assert snapshot(database) == before


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


def test_a_curated_trial_is_not_overwritten(database: TestDatabase, tmp_path: Path) -> None:
    seed = tmp_path / "edge.yaml"
    seed.write_text(
        "sources:\n"
        "  - {key: edge-paper, kind: journal_article, title: Drug A in relapsed leukemia}\n"
        "trial:\n"
        "  key: edge-trial\n"
        "  title: Drug A in relapsed leukemia\n"
        "  source: edge-paper\n"
        "  quote: Drug A in relapsed leukemia\n"
        "  identifiers: [{registry: nct, value: NCT09000001}]\n",
        encoding="utf-8",
    )
    loaded = run_cli("load", str(seed), db=database)
    assert loaded.exit_code == 0, loaded.stderr
    stderr = imported(database, EDGE, BARE)
    assert (
        f"warning: {EDGE}: NCT09000001 (updated 2023-05-03) skipped: the trial is curated as "
        "'edge-trial'; importing its registry record into it is not supported yet"
    ) in stderr.splitlines()
    assert [row["key"] for row in rows(database, "SELECT key FROM trials ORDER BY key")] == [
        "NCT09000003",
        "edge-trial",
    ]


# --------------------------------------------------------------------------------------------
# Batches give the same database as one big batch.


def natural_rows(database: TestDatabase) -> list[tuple[Any, ...]]:
    found = rows(
        database,
        "SELECT t.key AS trial, a.key AS arm, e.key AS endpoint, r.subgroup, r.category,"
        " r.value, r.locator FROM results r JOIN trials t ON t.id = r.trial_id"
        " JOIN arms a ON a.id = r.arm_id JOIN endpoints e ON e.id = r.endpoint_id",
    )
    return sorted(tuple(row.values()) for row in found)


def test_batch_size_does_not_change_the_result(database: TestDatabase) -> None:
    outcome = run_cli("import", "ctgov", "--batch-size", "1", str(EDGE), str(PAGE), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    small_batches = natural_rows(database)
    again = run_cli("import", "ctgov", str(EDGE), str(PAGE), db=database)
    assert again.stderr.rstrip().endswith("nothing changed")
    assert natural_rows(database) == small_batches
    assert len(small_batches) == 16


def test_progress_counts_files_and_studies(database: TestDatabase) -> None:
    console = Console(file=io.StringIO(), force_terminal=True)
    with Progress(console=console) as progress:
        report = imports.import_ctgov(
            database.url, [EDGE, PAGE], dry_run=False, progress=ProgressBar(progress)
        )
        [task] = progress.tasks
    assert (task.total, task.completed, task.description) == (2, 2, "3 studies")
    assert (report.studies, report.imported, report.skipped) == (3, 3, 0)


def test_help_has_an_example() -> None:
    outcome = run_cli("import", "ctgov", "--help")
    assert outcome.exit_code == 0
    assert "Example: evidencedb import ctgov" in outcome.stdout


# --------------------------------------------------------------------------------------------
# Vocabulary mapping, without a database.


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Overall Survival (OS)", EndpointKind.OVERALL_SURVIVAL),
        ("Event-free Survival", EndpointKind.EVENT_FREE_SURVIVAL),
        ("Progression Free Survival Assessed by BICR", EndpointKind.PROGRESSION_FREE_SURVIVAL),
        ("Relapse-free Survival", EndpointKind.OTHER),
        ("Cumulative Incidence of Relapse", EndpointKind.RELAPSE),
        ("Pharmacokinetics in Relapsed Patients", EndpointKind.OTHER),
        ("Percentage of Participants With MRD Negativity", EndpointKind.MRD_NEGATIVITY),
        ("Complete Remission Rate", EndpointKind.COMPLETE_REMISSION),
        ("Objective Response Rate (ORR)", EndpointKind.RESPONSE),
        ("Positive Response (≥4-Fold Increase) to Tetanus Toxoid", EndpointKind.OTHER),
        ("Number of Participants With Dose-Limiting Toxicities", EndpointKind.TOXICITY),
        (
            "Number of Participants With Treatment-Emergent Adverse Events",
            EndpointKind.ADVERSE_EVENTS,
        ),
        ("BMI", EndpointKind.OTHER),
    ],
)
def test_endpoint_kind_is_conservative(title: str, kind: EndpointKind) -> None:
    assert endpoint_kind(title) == kind


@pytest.mark.parametrize(
    ("param_type", "measure"),
    [
        ("Hazard Ratio (HR)", ComparisonMeasure.HAZARD_RATIO),
        ("Cox Proportional Hazard", ComparisonMeasure.HAZARD_RATIO),
        ("Odds Ratio (OR)", ComparisonMeasure.ODDS_RATIO),
        ("Risk Ratio (RR)", ComparisonMeasure.RISK_RATIO),
        ("Risk Difference (RD)", ComparisonMeasure.RISK_DIFFERENCE),
        ("Percentage Difference", ComparisonMeasure.RISK_DIFFERENCE),
        ("LS Mean Difference", ComparisonMeasure.MEAN_DIFFERENCE),
        ("Mean Difference (Final Values)", ComparisonMeasure.MEAN_DIFFERENCE),
        ("Median Difference (Net)", ComparisonMeasure.MEDIAN_DIFFERENCE),
        ("Slope", ComparisonMeasure.OTHER),
    ],
)
def test_comparison_measure(param_type: str, measure: ComparisonMeasure) -> None:
    assert comparison_measure(param_type) == measure


def test_dispersion_codes_and_words() -> None:
    assert dispersion("STANDARD_ERROR").spread_type == SpreadType.STANDARD_ERROR
    assert dispersion("Standard Deviation").spread_type == SpreadType.STANDARD_DEVIATION
    assert dispersion("INTER_QUARTILE_RANGE").limits == SpreadType.INTERQUARTILE_RANGE
    assert dispersion("Full Range").limits == SpreadType.FULL_RANGE
    assert dispersion("CONFIDENCE_95").ci_level == pytest.approx(0.95)
    assert dispersion("CONFIDENCE_975").ci_level == pytest.approx(0.975)
    assert dispersion("95% Confidence Interval").ci_level == pytest.approx(0.95)
    assert dispersion("CONFIDENCE_OTHER").is_ci
    assert dispersion("CONFIDENCE_OTHER").ci_level is None
    assert dispersion("GEOMETRIC_COEFFICIENT").spread_type == SpreadType.OTHER
    assert dispersion("NA") == dispersion(None)


def test_slug_makes_valid_keys() -> None:
    assert slug("Dupilumab 300 mg qw") == "dupilumab-300-mg-qw"
    assert slug("Lariboisière / Cohort #2") == "lariboisiere-cohort-2"
    assert slug("≥65") == "65"


def test_group_ids_of_measurements_and_events_are_checked(
    database: TestDatabase, tmp_path: Path
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
    outcome = run_cli("import", "ctgov", str(path), db=database)
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
    assert snapshot(database) == {}
