"""`evidencedb check`: each check fires on a crafted seed file; the seeds pass.

Every test loads a small seed file written to tmp_path through the CLI, runs `check` and
looks at the findings (as JSON) and the exit code: 1 when an error-level finding exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from evidencedb.store.database import open_engine
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS

DOCUMENT = "The new drug gave a response in 12 of 20 patients, and 50% in the control group."


def seed(
    tmp_path: Path,
    *,
    design: str = "randomized",
    arms: list[dict[str, Any]] | None = None,
    endpoints: list[dict[str, Any]] | None = None,
    results: list[dict[str, Any]] | None = None,
    comparisons: list[dict[str, Any]] | None = None,
    adverse_events: list[dict[str, Any]] | None = None,
    document: str | None = None,
) -> Path:
    """Write a seed file of one trial whose every fact cites the source 'paper' with the
    quote 'response' (a word of DOCUMENT); return the file."""
    cited = {"source": "paper", "quote": "response"}
    source: dict[str, Any] = {"key": "paper", "kind": "journal_article", "title": "A paper"}
    if document is not None:
        (tmp_path / "paper.txt").write_text(document, encoding="utf-8")
        source["document"] = "paper.txt"
    data = {
        "sources": [source],
        "trial": {"key": "t1", "title": "Trial one", "design": design, **cited},
        "arms": arms
        or [
            {"key": "new", "label": "New", "role": "experimental", "n_enrolled": 20, **cited},
            {"key": "old", "label": "Old", "role": "active_comparator", **cited},
        ],
        "endpoints": endpoints
        or [
            {"key": "resp", "name": "Response", "kind": "response", **cited},
            {"key": "cr", "name": "Complete remission", "kind": "complete_remission", **cited},
        ],
        "results": [{**cited, **row} for row in results or []],
        "comparisons": [{**cited, **row} for row in comparisons or []],
        "adverse_events": [{**cited, **row} for row in adverse_events or []],
    }
    path = tmp_path / "t1.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load(path: Path, database: TestDatabase) -> None:
    outcome = run_cli("load", str(path), db=database)
    assert outcome.exit_code == 0, outcome.stderr


def check(database: TestDatabase, *args: str) -> tuple[int, list[dict[str, Any]]]:
    outcome = run_cli("check", "--format", "json", *args, db=database)
    return outcome.exit_code, json.loads(outcome.stdout)


def named(findings: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [finding for finding in findings if finding["check"] == name]


def both_results(endpoint: str = "resp", **extra: Any) -> list[dict[str, Any]]:
    """A result for each arm of the default trial, so that no endpoint is without one."""
    return [
        {"endpoint": endpoint, "arm": "new", **extra},
        {"endpoint": endpoint, "arm": "old", **extra},
    ]


def test_seeds_pass_with_no_error(loaded: TestDatabase) -> None:
    outcome = run_cli("check", "--seeds", str(SEEDS), "--format", "json", db=loaded)
    assert outcome.exit_code == 0, outcome.stdout
    findings = json.loads(outcome.stdout)
    assert [f for f in findings if f["severity"] == "error"] == []
    # The derived rows' joined quotes were checked part by part against the news report.
    assert named(findings, "document_missing") == []
    table = run_cli("check", "--seeds", str(SEEDS), db=loaded)
    assert table.exit_code == 0
    summary = table.stderr.strip().splitlines()[-1]
    assert summary == "no findings" or summary.startswith("0 error, ")


def test_percentage_not_numerator_over_denominator(tmp_path: Path, database: TestDatabase) -> None:
    def percentage(endpoint: str, arm: str, value: float, x: int, n: int) -> dict[str, Any]:
        return dict(endpoint=endpoint, arm=arm, value=value, unit="%", numerator=x, denominator=n)

    results = [
        percentage("resp", "new", 50, 12, 20),
        # Rounded (33.3, 67) and truncated (66.6) percentages are not findings.
        percentage("resp", "old", 33.3, 1, 3),
        percentage("cr", "new", 66.6, 2, 3),
        percentage("cr", "old", 67, 2, 3),
    ]
    load(seed(tmp_path, results=results), database)
    code, findings = check(database)
    assert code == 1
    [finding] = named(findings, "percentage_mismatch")
    assert finding["severity"] == "error"
    assert finding["table"] == "results"
    assert finding["row"] == "t1/resp/new"
    assert finding["message"] == "50% is not 12/20 = 60.00%"
    assert (finding["source"], finding["quote"]) == ("paper", "response")


def test_ci_not_containing_the_estimate(tmp_path: Path, database: TestDatabase) -> None:
    results = both_results(value=50, unit="%", ci_lower=55, ci_upper=70)
    results += both_results("cr", value=50, unit="%", ci_lower=40, ci_upper=60)
    comparisons = [
        {
            "endpoint": "resp",
            "arm": "new",
            "comparator": "old",
            "measure": "hazard_ratio",
            "value": 0.5,
            "ci_lower": 0.6,
            "ci_upper": 0.9,
        },
    ]
    load(seed(tmp_path, results=results, comparisons=comparisons), database)
    code, findings = check(database)
    assert code == 1
    found = {(f["table"], f["row"]) for f in named(findings, "ci_excludes_estimate")}
    assert found == {
        ("results", "t1/resp/new"),
        ("results", "t1/resp/old"),
        ("comparisons", "t1/resp/new vs old/hazard_ratio (reported)"),
    }
    assert all(f["severity"] == "error" for f in named(findings, "ci_excludes_estimate"))


def test_affected_above_at_risk(tmp_path: Path, database: TestDatabase) -> None:
    events = [
        {
            "arm": "new",
            "term": "Nausea",
            "category": "any",
            "participants_affected": 3,
            "participants_at_risk": 10,
        },
    ]
    load(
        seed(
            tmp_path,
            results=both_results(value=1) + both_results("cr", value=1),
            adverse_events=events,
        ),
        database,
    )
    # The schema refuses such a row; a database written without that constraint can hold it.
    with open_engine(database.url, write=True) as engine, engine.begin() as connection:
        if database.backend == "sqlite":
            connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        else:
            connection.execute(
                text(
                    "ALTER TABLE adverse_events "
                    "DROP CONSTRAINT ck_adverse_events_affected_within_at_risk"
                )
            )
        connection.execute(text("UPDATE adverse_events SET participants_affected = 12"))
    code, findings = check(database)
    assert code == 1
    [finding] = named(findings, "affected_exceeds_at_risk")
    assert finding["severity"] == "error"
    assert finding["row"] == "t1/new/Nausea [category=any]"
    assert finding["message"] == "12 affected but only 10 at risk"


def test_arm_sizes_that_disagree_between_endpoints(tmp_path: Path, database: TestDatabase) -> None:
    results = [
        {"endpoint": "resp", "arm": "new", "numerator": 10, "denominator": 20},
        {"endpoint": "cr", "arm": "new", "numerator": 5, "denominator": 18},
        {"endpoint": "resp", "arm": "old", "numerator": 10, "denominator": 20},
        {"endpoint": "cr", "arm": "old", "numerator": 5, "n_analyzed": 20},
        # A subgroup is smaller by design, and is not compared.
        {"endpoint": "cr", "arm": "new", "subgroup": "infants", "numerator": 1, "denominator": 4},
    ]
    load(seed(tmp_path, results=results), database)
    code, findings = check(database)
    assert code == 0  # a warning does not stop a pipeline
    [finding] = named(findings, "arm_size_disagrees")
    assert finding["severity"] == "warning"
    assert finding["row"] == "t1/new"
    assert finding["message"] == (
        "participants analysed differ between endpoints: 18 (cr); 20 (resp)"
    )


def test_counts_above_the_arm_size(tmp_path: Path, database: TestDatabase) -> None:
    results = [
        *both_results("cr", value=1),
        {"endpoint": "resp", "arm": "new", "numerator": 10, "denominator": 25},
        {"endpoint": "resp", "arm": "old", "numerator": 10, "denominator": 25},
    ]
    load(seed(tmp_path, results=results), database)
    code, findings = check(database)
    assert code == 0
    [finding] = named(findings, "exceeds_arm_size")
    assert finding["severity"] == "warning"
    assert finding["row"] == "t1/resp/new"
    assert finding["message"] == "denominator 25 is above the arm's n_enrolled 20"


def test_randomised_claim_on_a_historical_control(tmp_path: Path, database: TestDatabase) -> None:
    cited = {"source": "paper", "quote": "response"}
    arms = [
        {"key": "new", "label": "New", "role": "experimental", **cited},
        {"key": "hist", "label": "Historical", "role": "historical_control", **cited},
    ]
    results = [
        {"endpoint": endpoint, "arm": arm, "value": 1}
        for endpoint in ("resp", "cr")
        for arm in ("new", "hist")
    ]
    comparisons = [
        {
            "endpoint": "resp",
            "arm": "new",
            "comparator": "hist",
            "measure": "odds_ratio",
            "value": 2.0,
            "randomized": True,
        },
    ]
    load(seed(tmp_path, arms=arms, results=results, comparisons=comparisons), database)
    code, findings = check(database)
    assert code == 1
    [finding] = named(findings, "randomized_non_concurrent")
    assert finding["severity"] == "error"
    assert finding["row"] == "t1/resp/new vs hist/odds_ratio (reported)"
    assert "hist is a historical or external control" in finding["message"]


def test_randomised_claim_in_a_single_arm_trial(tmp_path: Path, database: TestDatabase) -> None:
    comparisons = [
        {
            "endpoint": "resp",
            "arm": "new",
            "comparator": "old",
            "measure": "odds_ratio",
            "value": 2.0,
            "randomized": True,
        },
    ]
    results = both_results(value=1) + both_results("cr", value=1)
    load(seed(tmp_path, design="single_arm", results=results, comparisons=comparisons), database)
    code, findings = check(database)
    assert code == 0
    [finding] = named(findings, "randomized_in_non_randomized_trial")
    assert finding["severity"] == "warning"


def test_endpoint_with_no_result(tmp_path: Path, database: TestDatabase) -> None:
    load(seed(tmp_path, results=both_results(value=1)), database)
    code, findings = check(database)
    assert code == 0
    [finding] = named(findings, "endpoint_without_result")
    assert (finding["severity"], finding["table"], finding["row"]) == (
        "warning",
        "endpoints",
        "t1/cr",
    )


def test_endpoints_of_a_trial_without_results_are_information(
    tmp_path: Path, database: TestDatabase
) -> None:
    load(seed(tmp_path), database)
    code, findings = check(database)
    assert code == 0
    assert {f["severity"] for f in named(findings, "endpoint_without_result")} == {"info"}
    assert len(named(findings, "endpoint_without_result")) == 2


def test_quote_not_in_its_document(tmp_path: Path, database: TestDatabase) -> None:
    results = [
        {"endpoint": "resp", "arm": "new", "value": 60, "unit": "%", "quote": "12 of 20"},
        {"endpoint": "resp", "arm": "old", "value": 50, "unit": "%", "quote": "50% in the"},
        *both_results("cr", value=1),
    ]
    path = seed(tmp_path, results=results, document=DOCUMENT)
    load(path, database)
    code, findings = check(database, "--seeds", str(tmp_path))
    assert (code, [f for f in findings if f["severity"] == "error"]) == (0, [])

    # The document changed after the load: its quotes no longer match.
    (tmp_path / "paper.txt").write_text(DOCUMENT.replace("12 of 20", "twelve"), encoding="utf-8")
    code, findings = check(database, "--seeds", str(tmp_path))
    assert code == 1
    rows = {(f["table"], f["row"], f["quote"]) for f in named(findings, "quote_not_in_document")}
    assert rows == {
        ("results", "t1/resp/new", "12 of 20"),
        # The derived rate difference cites both results' quotes; only one part is missing.
        ("comparisons", "t1/resp/new vs old/rate_difference (derived)", "12 of 20"),
    }


def test_a_document_that_cannot_be_read_is_a_warning(
    tmp_path: Path, database: TestDatabase
) -> None:
    results = both_results(value=1) + both_results("cr", value=1)
    load(seed(tmp_path, results=results, document=DOCUMENT), database)
    (tmp_path / "paper.txt").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, findings = check(database, "--seeds", str(elsewhere))
    assert code == 0
    [finding] = named(findings, "document_missing")
    assert finding["severity"] == "warning"
    assert finding["source"] == "paper"
    assert finding["message"] == (
        f"document cannot be read at {tmp_path.resolve() / 'paper.txt'} or "
        f"{elsewhere / 'paper.txt'}; quotes of this source were not checked"
    )
    assert named(findings, "quote_not_in_document") == []
    strict = run_cli("check", "--strict", "--seeds", str(elsewhere), db=database)
    assert strict.exit_code == 1
    assert strict.stderr.endswith("0 error, 1 warning, 0 info finding(s)\n")


def test_documents_are_found_relative_to_the_seed_file_that_declared_them(
    tmp_path: Path, database: TestDatabase
) -> None:
    # Two seed folders, neither the working directory's seeds/: both documents are checked.
    first, second = tmp_path / "one", tmp_path / "two"
    for folder, trial in ((first, "t1"), (second, "t2")):
        folder.mkdir()
        path = seed(folder, results=[], document=DOCUMENT)
        text = path.read_text(encoding="utf-8").replace("t1", trial)
        text = text.replace("key: paper", f"key: {trial}").replace(
            "source: paper", f"source: {trial}"
        )
        path.write_text(text, encoding="utf-8")
        load(path, database)
    (second / "paper.txt").write_text("nothing of it", encoding="utf-8")
    code, findings = check(database)
    assert code == 1
    assert named(findings, "document_missing") == []
    assert {f["source"] for f in named(findings, "quote_not_in_document")} == {"t2"}
    [changed] = named(findings, "document_changed")
    assert (changed["severity"], changed["source"]) == ("warning", "t2")
    assert changed["message"].startswith(f"document at {(second / 'paper.txt').resolve()} changed")


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_findings_in_other_formats(tmp_path: Path, sqlite_database: TestDatabase, fmt: str) -> None:
    load(seed(tmp_path, results=both_results(value=1)), sqlite_database)
    outcome = run_cli("check", "--format", fmt, db=sqlite_database)
    assert outcome.exit_code == 0
    assert "warning" in outcome.stdout  # a narrow table folds the longer words
    assert outcome.stderr.strip() == "0 error, 1 warning, 0 info finding(s)"
    if fmt == "csv":
        header = outcome.stdout.splitlines()[0]
        assert header == "severity,check,table,row,message,source,quote"


def test_check_without_a_database(tmp_path: Path) -> None:
    outcome = run_cli("check", db=f"sqlite:///{tmp_path / 'none.db'}")
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith("error: no database at")


def test_estimate_pointing_against_its_arms(tmp_path: Path, database: TestDatabase) -> None:
    results = [
        {"endpoint": "resp", "arm": "new", "value": 60, "unit": "%"},
        {"endpoint": "resp", "arm": "old", "value": 20, "unit": "%"},
        {"endpoint": "cr", "arm": "new", "value": 40, "unit": "%"},
        {"endpoint": "cr", "arm": "old", "value": 10, "unit": "%"},
    ]
    odds = {"arm": "new", "comparator": "old", "measure": "odds_ratio"}
    comparisons = [
        {**odds, "endpoint": "resp", "value": 0.17},  # new is higher: an OR below 1 is reversed
        {**odds, "endpoint": "cr", "value": 6.0},
    ]
    load(seed(tmp_path, results=results, comparisons=comparisons), database)
    _, findings = check(database)
    found = named(findings, "estimate_against_arms")
    assert [(f["row"], f["severity"]) for f in found] == [
        ("t1/resp/new vs old/odds_ratio (reported)", "warning")
    ]
    assert found[0]["message"] == (
        "reported estimate points the other way from the arms' own results"
    )


def test_impossible_value_kept_as_registry_text(tmp_path: Path, database: TestDatabase) -> None:
    comparisons = [
        {
            "endpoint": "resp",
            "arm": "new",
            "comparator": "old",
            "measure": "odds_ratio",
            "p_value_raw": "60.66",
            "value_raw": "NE",
        }
    ]
    load(seed(tmp_path, results=both_results(), comparisons=comparisons), database)
    _, findings = check(database)
    found = named(findings, "impossible_registry_value")
    # "NE" is the registry's word for not estimable, not an impossible number.
    assert [f["message"] for f in found] == [
        "p_value '60.66' as the registry wrote it is impossible; kept as text in p_value_raw"
    ]
