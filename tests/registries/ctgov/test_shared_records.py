"""The shared, real records (../shared/ctgov) through the importer: their rows and values are
checked against counts and values read from their JSON here, independently of the importer."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest

from tests.registries.ctgov.studies import imported, rows, shared_records
from tests.support.databases import TestDatabase
from tests.support.environment import require_shared

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
        {"key": "total", "role": None, "n_enrolled": None},  # the baseline module's Total
    ]
