"""Saved meta-analyses (issue #17, item 5): seed files validated before anything is written,
loaded in the trials' transaction, stored with results and lineage, recomputed on every load,
exported, shown by `meta --analysis`, and flagged by `check` when an input fact changed."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.analysis.meta.expected import ITERATIVE, expected
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.meta_seeds import write_analysis, write_dataset

BCG = [f"bcg-{index:02d}" for index in range(1, 14)]


def _reml() -> dict[str, float]:
    return next(
        case["result"]
        for case in expected()["models"]
        if (case["dataset"], case["measure"], case["method"], case["knha"])
        == ("bcg", "RR", "REML", False)
    )


def _sql(database: TestDatabase, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(statement))]
    finally:
        engine.dispose()


def _load(database: TestDatabase, *paths: Path) -> str:
    outcome = run_cli("load", *map(str, paths), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return outcome.stderr


def test_a_saved_analysis_is_stored_with_metafor_s_results_and_its_lineage(
    database: TestDatabase, tmp_path: Path
) -> None:
    write_dataset(tmp_path / "seeds", "bcg")
    write_analysis(tmp_path / "seeds" / "analyses" / "bcg-tb.yaml", BCG)
    assert "meta_analyses +1" in _load(database, tmp_path / "seeds")
    [(k, estimate, tau2, i2)] = _sql(
        database, "SELECT k, log_estimate, tau2, i2 FROM meta_analyses WHERE key = 'bcg-tb'"
    )
    want = _reml()
    assert k == 13
    assert estimate == pytest.approx(want["estimate"], abs=ITERATIVE)
    assert tau2 == pytest.approx(want["tau2"], abs=ITERATIVE)
    assert i2 == pytest.approx(want["i2"], abs=ITERATIVE)
    studies = _sql(
        database,
        "SELECT trial_key, weight, facts FROM meta_analysis_studies ORDER BY position",
    )
    assert [row[0] for row in studies] == BCG
    assert [row[1] for row in studies] == pytest.approx(want["weights"], abs=ITERATIVE)
    facts = studies[0][2] if isinstance(studies[0][2], list) else json.loads(str(studies[0][2]))
    assert [(f["table"], f["field"], f["value"]) for f in facts] == [
        ("results", "numerator", 4),
        ("results", "denominator", 123),
        ("results", "numerator", 11),
        ("results", "denominator", 139),
    ]
    # Loading again changes nothing; `meta --analysis` shows the same numbers.
    assert "nothing changed" in _load(database, tmp_path / "seeds")
    shown = json.loads(run_cli("meta", "--analysis", "bcg-tb", "-f", "json", db=database).stdout)
    assert shown["log_estimate"] == pytest.approx(estimate, abs=1e-12)
    assert shown["method"] == "REML"


def test_a_saved_analysis_is_recomputed_when_a_fact_changes_and_checked_when_stale(
    database: TestDatabase, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    paths = write_dataset(seeds, "bcg")
    write_analysis(seeds / "analyses" / "first-three.yaml", BCG[:3], method="FE")
    _load(database, seeds)
    [(before,)] = _sql(database, "SELECT log_estimate FROM meta_analyses")
    edited = paths[0].read_text(encoding="utf-8").replace("numerator: 4", "numerator: 8")
    paths[0].write_text(edited.replace("4 of 123", "8 of 123"), encoding="utf-8")
    _load(database, paths[0])  # the trial alone: the stored analysis is recomputed too
    [(after,)] = _sql(database, "SELECT log_estimate FROM meta_analyses")
    assert after != pytest.approx(before)
    assert run_cli("check", db=database).stderr.strip() == "no findings"
    # A fact changed and another deleted behind the loader's back: check says so.
    engine = create_engine(database.url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE results SET numerator = 9 WHERE numerator = 8 AND denominator = 123")
        )
        connection.execute(text("DELETE FROM results WHERE numerator = 6"))
    engine.dispose()
    outcome = run_cli("check", "-f", "csv", db=database)
    rows = [r for r in csv.DictReader(outcome.stdout.splitlines()) if r["check"].startswith("meta")]
    messages = sorted(row["message"] for row in rows)
    assert [row["row"] for row in rows] == ["first-three/bcg-01", "first-three/bcg-02"]
    assert "numerator was 8 and is now 9" in messages[0]
    assert messages[1].endswith(
        "(was 6) no longer exists; load the seed files again to recompute the analysis"
    )


def test_saved_analysis_files_are_validated_before_anything_is_written(
    database: TestDatabase, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    write_dataset(seeds, "bcg")
    bad = write_analysis(seeds / "analyses" / "bad.yaml", ["bcg-01", "bcg-01", "nope"])
    outcome = run_cli("load", str(seeds), db=database)
    assert outcome.exit_code == 1
    assert f"{bad}:" in outcome.stderr
    assert "analysis.studies[1].trial: trial 'bcg-01' is named twice" in outcome.stderr
    write_analysis(bad, ["bcg-01", "nope"], measure="relative_risk")
    outcome = run_cli("load", str(seeds), db=database)
    assert "analysis.measure: 'relative_risk': Input should be" in outcome.stderr
    write_analysis(bad, ["bcg-01", "nope"])
    outcome = run_cli("load", str(seeds), db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr.strip() == (
        f"error: {bad}:15 analysis.studies[1].trial: no trial 'nope' in this load or the database"
    )
    assert _sql(database, "SELECT count(*) FROM trials") == [(0,)]


def test_saved_analyses_are_exported_as_csv(database: TestDatabase, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_dataset(seeds, "bcg")
    write_analysis(seeds / "analyses" / "bcg-tb.yaml", BCG[:2], method="DL")
    _load(database, seeds)
    out = tmp_path / "exports"
    assert run_cli("export", "csv", "--out", str(out), db=database).exit_code == 0
    with (out / "meta_analyses.csv").open(encoding="utf-8") as stream:
        [row] = list(csv.DictReader(stream))
    assert (row["key"], row["method"], row["k"]) == ("bcg-tb", "DL", "2")
    assert math.isfinite(float(row["estimate"]))
    with (out / "meta_analysis_studies.csv").open(encoding="utf-8") as stream:
        studies = list(csv.DictReader(stream))
    assert [s["trial_key"] for s in studies] == ["bcg-01", "bcg-02"]
    missing = run_cli("meta", "--analysis", "other", db=database)
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "error: no saved analysis 'other'; there are: bcg-tb"
