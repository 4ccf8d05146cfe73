"""The real corpus (../shared/ctgov-corpus, 849 records) through the importer, once per module:
every study record imported, per-record counts and sampled values against the JSON read here,
and the direction audit of reported estimates against their arms' own results."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from evidencedb.analysis.checks import run_checks
from evidencedb.analysis.direction import DISAGREEMENT, audit_directions
from evidencedb.errors import RejectOutcome
from evidencedb.operations.import_ctgov import ImportReport
from evidencedb.registries.ctgov.values import parse_number
from evidencedb.store.database import open_engine
from tests.registries.ctgov.test_shared_records import at, expected_counts
from tests.support.corpus import corpus_folder, imported_corpus

# The share of clear two-arm OR/RR/RD/MD estimates that must point the way their arms do.
DIRECTION_AGREEMENT = 0.98


class Corpus:
    def __init__(self, url: str, report: ImportReport, records: list[Path]) -> None:
        self.url, self.report, self.records = url, report, records

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        with open_engine(self.url, write=False) as engine, engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    database, report = imported_corpus(tmp_path_factory)
    return Corpus(database.url, report, sorted(corpus_folder().glob("*.json")))


def test_every_study_record_is_imported(corpus: Corpus) -> None:
    assert corpus.report.imported == len(corpus.records) == corpus.report.studies
    refused = [r for r in corpus.report.rejects if r.outcome != RejectOutcome.KEPT_RAW]
    assert refused == []
    # What the corpus writes that is not a number, or is impossible, is kept as its text.
    for reject in corpus.report.rejects:
        assert reject.nct_id
        assert reject.path.startswith("resultsSection.")
        assert reject.value


def test_per_record_counts_match_the_json(corpus: Corpus) -> None:
    counted = corpus.rows(
        "SELECT s.key AS source,"
        " (SELECT count(*) FROM results r WHERE r.source_id = s.id) AS results,"
        " (SELECT count(*) FROM comparisons c WHERE c.source_id = s.id"
        "   AND c.origin = 'reported') AS comparisons,"
        " (SELECT count(*) FROM adverse_events e WHERE e.source_id = s.id) AS events"
        " FROM sources s"
    )
    stored = {row["source"]: (row["results"], row["comparisons"], row["events"]) for row in counted}
    with_results = 0
    for path in corpus.records:
        study = json.loads(path.read_text(encoding="utf-8"))
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        with_results += "resultsSection" in study
        assert stored[f"ctgov-{nct}"] == expected_counts(study), nct
    assert with_results == 124


def test_sampled_values_are_the_registrys(corpus: Corpus) -> None:
    documents: dict[str, Any] = {}

    def study(source: str) -> Any:
        if source not in documents:
            path = corpus_folder() / f"{source.removeprefix('ctgov-')}.json"
            documents[source] = json.loads(path.read_text(encoding="utf-8"))
        return documents[source]

    comparisons = corpus.rows(
        "SELECT c.*, s.key AS source FROM comparisons c JOIN sources s ON s.id = c.source_id"
        " WHERE c.origin = 'reported' ORDER BY c.id"
    )
    for row in random.Random(16).sample(comparisons, 300):
        analysis = at(study(row["source"]), row["locator"])
        expected = parse_number(analysis.get("paramValue"))
        assert row["value"] == expected.value or row["value_raw"] == analysis.get("paramValue")
        p_text = analysis.get("pValue")
        parsed = parse_number(p_text)
        if parsed.value is not None and 0 <= parsed.value <= 1:
            assert row["p_value"] == pytest.approx(parsed.value)
        if parsed.raw is not None:
            assert row["p_value_raw"] == parsed.raw  # "=0.247", "<0.001", 60.66: as written
        assert row["description"] == ((analysis.get("groupDescription") or "").strip() or None)
        assert row["measure_detail"] == analysis.get("paramType")
        assert row["non_inferiority_type"] == analysis["nonInferiorityType"].lower()
    results = corpus.rows(
        "SELECT r.*, s.key AS source FROM results r JOIN sources s ON s.id = r.source_id"
        " ORDER BY r.id"
    )
    for row in random.Random(7).sample(results, 300):
        measurement = at(study(row["source"]), row["locator"])
        parsed = parse_number(measurement.get("value"))
        assert row["value"] == parsed.value
        assert row["value_raw"] == parsed.raw or row["value_raw"] == measurement.get("value")


def test_every_reported_comparison_says_how_it_is_oriented(corpus: Corpus) -> None:
    bases = corpus.rows(
        "SELECT direction_basis AS basis, count(*) AS n FROM comparisons"
        " WHERE origin = 'reported' GROUP BY direction_basis"
    )
    counted = {row["basis"]: row["n"] for row in bases}
    assert None not in counted
    assert counted["stated"] > 0
    assert counted["arm_roles"] > 0
    assert counted["arm_data"] > 0


def test_direction_audit(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    with open_engine(corpus.url, write=False) as engine, engine.connect() as connection:
        audit = audit_directions(connection)
        findings = [f for f in run_checks(connection) if f.check == "estimate_against_arms"]
    with capsys.disabled():
        print(
            f"\ndirection audit: {len(audit.agreeing)} of {audit.clear} clear two-arm "
            f"OR/RR/RD/MD estimates agree with their arms' own results"
        )
    assert audit.clear >= 150
    assert audit.agreement is not None
    assert audit.agreement >= DIRECTION_AGREEMENT
    assert len(findings) == len(audit.disagreeing)
    assert all(finding.message == DISAGREEMENT for finding in findings)


def test_results_groups_are_bound_to_protocol_arms(
    corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    # The baseline module's Total group is an arm of its own ("total"), bound to no protocol
    # arm by design: it is not counted among the results groups left unbound.
    arms = corpus.rows("SELECT match_basis AS basis, role FROM arms WHERE key <> 'total'")
    bases = Counter(row["basis"] for row in arms if row["basis"] is not None)
    with capsys.disabled():
        print(f"\narms bound to results groups, by basis: {dict(sorted(bases.items()))}")
    assert bases["title"] > bases["none"]
    # A results-only arm keeps no role rather than a guessed one.
    assert all(row["role"] is None for row in arms if row["basis"] == "none")


def test_derived_comparisons_take_the_orientation_of_the_reported_ones(corpus: Corpus) -> None:
    opposite = corpus.rows(
        "SELECT d.id FROM comparisons d WHERE d.origin = 'derived' AND EXISTS ("
        "  SELECT 1 FROM comparisons r WHERE r.origin = 'reported'"
        "  AND r.endpoint_id = d.endpoint_id AND r.arm_id = d.comparator_arm_id"
        "  AND r.comparator_arm_id = d.arm_id)"
        " AND NOT EXISTS ("
        "  SELECT 1 FROM comparisons r WHERE r.origin = 'reported'"
        "  AND r.endpoint_id = d.endpoint_id AND r.arm_id = d.arm_id"
        "  AND r.comparator_arm_id = d.comparator_arm_id)"
    )
    assert opposite == []
