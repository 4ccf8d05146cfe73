"""Every record of ../shared/ctgov-corpus through the importer, for baseline characteristics,
participant flow, references and the trial's protocol details: counts per record and values
read from the JSON here, independently of the importer, then compared with what it wrote."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from evidencedb.operations.import_ctgov import import_ctgov
from evidencedb.store.database import writing
from tests.registries.ctgov.studies import rows
from tests.support.corpus import corpus_folder, imported_corpus
from tests.support.databases import TestDatabase

PLAIN = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def studies() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(corpus_folder().glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        yield data["protocolSection"]["identificationModule"]["nctId"], data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> TestDatabase:
    """The whole corpus, imported once for the run (into SQLite: the two backends share the
    mapping, and the small records below run on both)."""
    database, report = imported_corpus(tmp_path_factory)
    assert report.imported == report.studies == len(list(corpus_folder().glob("*.json")))
    return database


def _module(data: dict[str, Any], key: str) -> dict[str, Any]:
    module = data.get("resultsSection", {}).get(key)
    return module if isinstance(module, dict) else {}


def _baseline_measurements(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(locator, measurement) of every measurement of a listed group."""
    module = _module(data, "baselineCharacteristicsModule")
    listed = {group["id"] for group in module.get("groups", [])}
    for m, measure in enumerate(module.get("measures", [])):
        for c, class_ in enumerate(measure.get("classes", [])):
            for k, category in enumerate(class_.get("categories", [])):
                for i, measurement in enumerate(category.get("measurements", [])):
                    if measurement.get("groupId") in listed:
                        path = (
                            "resultsSection.baselineCharacteristicsModule."
                            f"measures[{m}].classes[{c}].categories[{k}].measurements[{i}]"
                        )
                        yield path, measurement


def _flow_counts(data: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(locator, kind, count) of every count of a listed flow group."""
    module = _module(data, "participantFlowModule")
    listed = {group["id"] for group in module.get("groups", [])}
    for p, period in enumerate(module.get("periods", [])):
        for key, counts_key, kind in (
            ("milestones", "achievements", "milestone"),
            ("dropWithdraws", "reasons", "withdrawal_reason"),
        ):
            for r, row in enumerate(period.get(key, [])):
                for i, count in enumerate(row.get(counts_key, [])):
                    if count.get("groupId") in listed:
                        path = (
                            f"resultsSection.participantFlowModule.periods[{p}]."
                            f"{key}[{r}].{counts_key}[{i}]"
                        )
                        yield path, kind, count


def _stored(corpus: TestDatabase, table: str, columns: str) -> dict[tuple[str, str], Any]:
    found = rows(
        corpus,
        f"SELECT t.key AS trial, x.locator, {columns} FROM {table} x"
        " JOIN trials t ON t.id = x.trial_id",
    )
    return {(row.pop("trial"), row.pop("locator")): row for row in found}


def _number(text: str) -> tuple[float | None, str | None]:
    """The value and raw text the importer must store for the registry's `text`."""
    stripped = text.strip()
    if PLAIN.fullmatch(stripped):
        return float(stripped), None
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", stripped):
        return float(stripped.replace(",", "")), text
    return None, text


def test_every_baseline_measurement_is_stored_with_its_value(corpus: TestDatabase) -> None:
    stored = _stored(
        corpus, "baseline_measurements", "x.value, x.value_raw, x.spread, x.spread_raw"
    )
    expected_per_trial: Counter[str] = Counter()
    checked = 0
    for nct, data in studies():
        for locator, measurement in _baseline_measurements(data):
            expected_per_trial[nct] += 1
            row = stored[(nct, locator)]
            value, raw = _number(measurement["value"])
            assert row["value"] == (None if value is None else pytest.approx(value)), locator
            assert row["value_raw"] == raw, (nct, locator)
            if "spread" in measurement:
                spread, spread_raw = _number(measurement["spread"])
                assert row["spread"] == (pytest.approx(spread) if spread is not None else None)
                assert row["spread_raw"] == spread_raw
            checked += 1
    stored_per_trial = Counter(trial for trial, _ in stored)
    assert stored_per_trial == expected_per_trial
    assert checked == len(stored) > 5000


def test_every_flow_count_is_stored(corpus: TestDatabase) -> None:
    stored = _stored(corpus, "participant_flow", "x.kind, x.count, x.count_raw")
    expected_per_trial: Counter[str] = Counter()
    for nct, data in studies():
        for locator, kind, count in _flow_counts(data):
            expected_per_trial[nct] += 1
            row = stored[(nct, locator)]
            text = count.get("numSubjects", "")
            assert row["kind"] == kind
            if text.isdigit():
                assert (row["count"], row["count_raw"]) == (int(text), None), (nct, locator)
            else:
                assert row["count"] is None
                assert row["count_raw"] == (text or None)
    assert Counter(trial for trial, _ in stored) == expected_per_trial
    assert sum(expected_per_trial.values()) > 2500


def test_baseline_rows_carry_their_characteristic_and_n(corpus: TestDatabase) -> None:
    """Sampled in full on one record: NCT04435626's age row of every group. The groups are
    bound to the protocol's arms ("Arm 1_BAY94-8862", "Arm 2_Placebo"), whose labels the arms
    carry; the Total group is an arm of its own."""
    found = rows(
        corpus,
        "SELECT a.label, b.characteristic, b.parameter_type, b.value, b.spread, b.spread_type,"
        " b.unit, b.n FROM baseline_measurements b JOIN arms a ON a.id = b.arm_id"
        " JOIN trials t ON t.id = b.trial_id WHERE t.key = 'NCT04435626'"
        " AND b.characteristic = 'Age, Continuous' ORDER BY b.id",
    )
    assert found == [
        {
            "label": label,
            "characteristic": "Age, Continuous",
            "parameter_type": "mean",
            "value": value,
            "spread": spread,
            "spread_type": "standard_deviation",
            "unit": "Years",
            "n": n,
        }
        for label, value, spread, n in (
            ("Arm 1_BAY94-8862", 71.94, 9.6, 3003),
            ("Arm 2_Placebo", 72.04, 9.69, 2998),
            ("Total", 71.99, 9.65, 6001),
        )
    ]


def test_references_become_linked_sources(corpus: TestDatabase) -> None:
    stored = rows(
        corpus,
        "SELECT t.key AS trial, s.pmid, s.citation, s.kind, ts.relation FROM trial_sources ts"
        " JOIN trials t ON t.id = ts.trial_id JOIN sources s ON s.id = ts.source_id"
        " WHERE ts.relation IN ('results_publication', 'background')",
    )
    by_trial: dict[str, dict[str, str]] = {}
    for row in stored:
        assert row["kind"] == "journal_article"
        if row["pmid"] is not None:
            by_trial.setdefault(row["trial"], {})[row["pmid"]] = row["relation"]
    expected: dict[str, dict[str, str]] = {}
    for nct, data in studies():
        references = data["protocolSection"].get("referencesModule", {}).get("references", [])
        for reference in references:
            pmid = reference.get("pmid")
            if not pmid:
                continue
            relations = expected.setdefault(nct, {})
            result = reference.get("type") == "RESULT"
            if result or pmid not in relations:
                relations[pmid] = "results_publication" if result else "background"
    assert by_trial == expected
    results = sum(r == "results_publication" for t in expected.values() for r in t.values())
    assert results > 100


def test_protocol_details_match_the_records(corpus: TestDatabase) -> None:
    stored = {
        row.pop("key"): row
        for row in rows(
            corpus,
            "SELECT key, official_title, masking, masked_roles, primary_purpose,"
            " enrollment_type, sex, healthy_volunteers, keywords, mesh_terms FROM trials",
        )
    }
    for nct, data in studies():
        protocol = data["protocolSection"]
        design = protocol.get("designModule", {})
        masking = design.get("designInfo", {}).get("maskingInfo", {})
        eligibility = protocol.get("eligibilityModule", {})
        keywords = protocol.get("conditionsModule", {}).get("keywords", [])
        meshes = data.get("derivedSection", {}).get("conditionBrowseModule", {}).get("meshes", [])
        row = stored[nct]
        healthy = eligibility.get("healthyVolunteers")
        assert row == {
            "official_title": protocol["identificationModule"].get("officialTitle"),
            "masking": (masking.get("masking") or "").lower() or None,
            "masked_roles": "; ".join(w.lower() for w in masking.get("whoMasked", [])) or None,
            "primary_purpose": (design.get("designInfo", {}).get("primaryPurpose") or "").lower()
            or None,
            "enrollment_type": (design.get("enrollmentInfo", {}).get("type") or "").lower() or None,
            "sex": (eligibility.get("sex") or "").lower() or None,
            "healthy_volunteers": None if healthy is None else int(healthy),
            "keywords": "; ".join(dict.fromkeys(keywords)) or None,
            "mesh_terms": "; ".join(dict.fromkeys(m["term"] for m in meshes)) or None,
        }, nct


def test_reimporting_the_corpus_maps_nothing(corpus: TestDatabase) -> None:
    with writing(corpus.url) as connection:
        report = import_ctgov(connection, [corpus_folder()], background_mapping=False)
    assert (report.imported, report.unchanged) == (0, report.studies)
    assert report.load.facts == 0
