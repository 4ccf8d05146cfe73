"""`evidencedb meta` over loaded seed files equals metafor on the same studies (issue #17, item 4).

metafor's datasets are written as curated trial files (tests/support/meta_seeds.py), loaded into
a real database (SQLite and PostgreSQL), and pooled through the command line; every number of
the JSON is compared with metafor's output for the same rows.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.analysis.meta.expected import ABSOLUTE, ITERATIVE, expected
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.meta_seeds import write_dataset, write_reported_hazard_ratios

RATIO_FIELDS = ("estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper")
SCALE_FIELDS = ("se", "p_value", "tau2", "i2", "h2", "q", "q_p_value")


def _loaded(database: TestDatabase, tmp_path: Path, dataset: str) -> TestDatabase:
    paths = write_dataset(tmp_path / dataset, dataset)
    outcome = run_cli("load", str(tmp_path / dataset), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert f"loaded {len(paths)} trial(s)" in outcome.stderr
    return database


def _meta(database: TestDatabase, *args: str) -> dict[str, Any]:
    outcome = run_cli("meta", *args, "--format", "json", db=database)
    assert outcome.exit_code == 0, outcome.stderr
    document: dict[str, Any] = json.loads(outcome.stdout)
    return document


def _model(dataset: str, measure: str, method: str, knha: bool = False) -> dict[str, Any]:
    for case in expected()["models"] + expected()["pooled_by_counts"]:
        same = (case["dataset"], case["measure"], case["method"]) == (dataset, measure, method)
        drop00 = dataset == "nielweise"  # escalc's drop00 as evidencedb's default for ratios
        options = (case.get("knha", False), case.get("add", 0.5), case.get("drop00", drop00))
        if same and options == (knha, 0.5, drop00):
            return case["result"]  # type: ignore[no-any-return]
    raise AssertionError(f"no expectation for {dataset} {measure} {method}")


def _assert_pooled_equal(document: dict[str, Any], want: dict[str, Any], ratio: bool) -> None:
    tol = ITERATIVE if document["method"] in ("REML", "ML", "PM", "EB") else ABSOLUTE
    # MH and Peto have no prediction interval of their own in metafor: it is their CI.
    want = {"pi_lower": want["ci_lower"], "pi_upper": want["ci_upper"], **want}
    for name in RATIO_FIELDS:
        got = math.log(document[name]) if ratio else document[name]
        assert got == pytest.approx(want[name], abs=tol), name
    if ratio:
        assert document["log_estimate"] == pytest.approx(want["estimate"], abs=tol)
    for name in SCALE_FIELDS:
        assert document[name] == pytest.approx(want[name], abs=tol), name
    assert document["k"] == want["k"]
    assert [s["weight"] for s in document["studies"]] == pytest.approx(want["weights"], abs=tol)


@pytest.mark.parametrize(
    ("method", "knha"),
    [("REML", False), ("DL", True), ("PM", False), ("FE", False), ("MH", False), ("PETO", False)],
)
def test_meta_pools_the_loaded_bcg_trials_as_metafor(
    database: TestDatabase, tmp_path: Path, method: str, knha: bool
) -> None:
    _loaded(database, tmp_path, "bcg")
    measure = "odds_ratio" if method == "PETO" else "risk_ratio"
    args = ["--measure", measure, "--method", method, *(["--hksj"] if knha else [])]
    document = _meta(database, *args)
    want = _model("bcg", "OR" if method == "PETO" else "RR", method, knha)
    _assert_pooled_equal(document, want, ratio=True)
    assert document["measure"] == measure
    assert document["method"] == method
    assert document["excluded"] == []
    first = document["studies"][0]
    assert (first["trial_key"], first["arm_key"], first["comparator_arm_key"]) == (
        "bcg-01",
        "treated",
        "control",
    )
    log_rr, log_or = math.log((4 / 123) / (11 / 139)), math.log((4 / 119) / (11 / 128))
    assert first["yi"] == pytest.approx(log_or if method == "PETO" else log_rr, abs=ABSOLUTE)
    assert [(f["field"], f["value"]) for f in first["facts"]] == [
        ("numerator", 4),
        ("denominator", 123),
        ("numerator", 11),
        ("denominator", 139),
    ]
    assert first["facts"][0]["quote"] == "4 of 123 treated"


def test_meta_subgroups_and_leave_one_out_equal_metafor(
    database: TestDatabase, tmp_path: Path
) -> None:
    _loaded(database, tmp_path, "bcg")
    document = _meta(database, "--method", "DL", "--subgroup", "design", "--leave-one-out")
    case = next(
        c
        for c in expected()["subgroups"]
        if (c["field"], c["method"], c["knha"]) == ("design", "DL", False)
    )
    subgroups = document["subgroups"]
    assert subgroups["field"] == "design"
    assert list(subgroups["groups"]) == list(case["groups"])
    for label, want in case["groups"].items():
        got = subgroups["groups"][label]
        assert math.log(got["estimate"]) == pytest.approx(want["estimate"], abs=ABSOLUTE)
        assert got["tau2"] == pytest.approx(want["tau2"], abs=ABSOLUTE)
    assert subgroups["q_between"] == pytest.approx(case["q_between"], abs=ABSOLUTE)
    assert subgroups["q_between_p_value"] == pytest.approx(case["q_between_p_value"], abs=ABSOLUTE)
    l1o = next(c for c in expected()["leave_one_out"] if (c["method"], c["knha"]) == ("DL", False))
    got = [math.log(fit["estimate"]) for fit in document["leave_one_out"]]
    assert got == pytest.approx(l1o["estimate"], abs=ABSOLUTE)
    assert [fit["left_out"] for fit in document["leave_one_out"]][:2] == ["bcg-01", "bcg-02"]


def test_meta_leaves_double_zero_studies_out_of_ratios_unless_asked(
    database: TestDatabase, tmp_path: Path
) -> None:
    _loaded(database, tmp_path, "nielweise")
    document = _meta(database, "--measure", "odds_ratio", "--method", "REML")
    _assert_pooled_equal(document, _model("nielweise", "OR", "REML"), ratio=True)
    assert document["excluded"] == [
        {
            "trial_key": "nielweise-15",
            "endpoint_key": "outcome",
            "reason": "no events (or only events) in both arms: uninformative for a ratio; "
            "no reported odds ratio",
        }
    ]
    kept = _meta(database, "--measure", "odds_ratio", "--include-double-zero")
    assert kept["k"] == 18
    assert kept["excluded"] == []


def test_meta_pools_mean_differences_and_hedges_g(database: TestDatabase, tmp_path: Path) -> None:
    _loaded(database, tmp_path, "normand")
    for measure, short in (("mean_difference", "MD"), ("standardized_mean_difference", "SMD")):
        document = _meta(database, "--measure", measure, "--method", "HE")
        _assert_pooled_equal(document, _model("normand", short, "HE"), ratio=False)
        assert document["log_estimate"] is None
        assert document["studies"][0]["arm_data"] == "55 (47) 155"


def test_meta_table_csv_and_lineage(database: TestDatabase, tmp_path: Path) -> None:
    _loaded(database, tmp_path, "bcg")
    table = run_cli("meta", "--method", "DL", "--lineage", db=database)
    assert table.exit_code == 0, table.stderr
    assert "Heterogeneity: τ² = 0.3088" in table.stdout
    assert "Pooled" in table.stdout
    assert "numerator = 4  [results #" in table.stdout
    assert '"4 of 123 treated"' in table.stdout
    rows = list(csv.DictReader(io.StringIO(run_cli("meta", "-f", "csv", db=database).stdout)))
    assert [row["row"] for row in rows] == ["study"] * 13 + ["pooled"]
    assert float(rows[-1]["estimate"]) == pytest.approx(math.exp(-0.714532342158168), abs=1e-6)


def test_meta_refuses_what_cannot_be_pooled(database: TestDatabase, tmp_path: Path) -> None:
    _loaded(database, tmp_path, "normand")
    peto = run_cli("meta", "--measure", "risk_ratio", "--method", "PETO", db=database)
    assert peto.exit_code == 1
    assert peto.stderr.strip() == (
        "error: Peto's method pools odds ratios only (--measure odds_ratio)"
    )
    nothing = run_cli("meta", "--trial", "no-such-trial", db=database)
    assert nothing.exit_code == 1
    assert nothing.stderr.strip() == "error: no study matches the filters"
    assert run_cli("meta", "--subgroup", "colour", db=database).exit_code == 2
    # Means without counts: every study is listed with the reason, nothing pooled.
    counts = _meta(database, "--measure", "risk_ratio")
    assert counts["k"] == 0
    assert {e["reason"] for e in counts["excluded"]} == {
        "arm-level results lack events/N; no reported risk ratio"
    }


def test_meta_draws_the_forest_and_funnel_plots(database: TestDatabase, tmp_path: Path) -> None:
    _loaded(database, tmp_path, "bcg")
    forest, funnel = tmp_path / "forest.svg", tmp_path / "funnel.png"
    outcome = run_cli(
        "meta", "--plot", str(forest), "--funnel", str(funnel), "-f", "json", db=database
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert f"wrote {forest}" in outcome.stderr
    svg = forest.read_text(encoding="utf-8")
    for words in ("Aronson 1948", "4/123", "favours comparator", "Prediction interval", "I² = 92%"):
        assert words in svg, words
    assert funnel.read_bytes().startswith(b"\x89PNG")
    few = run_cli("meta", "--trial", "bcg-01", "--funnel", str(tmp_path / "f.svg"), db=database)
    assert few.exit_code == 1
    assert few.stderr.strip().endswith("error: a funnel plot needs 10 studies or more")
    bad = run_cli("meta", "--plot", str(tmp_path / "forest.pdf"), db=database)
    assert bad.exit_code == 1
    assert "name it .png or .svg" in bad.stderr


def test_meta_orients_reported_hazard_ratios_and_leaves_out_unknown_directions(
    database: TestDatabase, tmp_path: Path
) -> None:
    write_reported_hazard_ratios(tmp_path / "hr")
    assert run_cli("load", str(tmp_path / "hr"), db=database).exit_code == 0
    document = _meta(database, "--measure", "hazard_ratio", "--method", "FE")
    assert [s["trial_key"] for s in document["studies"]] == ["hr-forward", "hr-reversed"]
    # HR 2.0 (1.0 to 4.0) of control vs treated is HR 0.5 (0.25 to 1.0) of treated vs control.
    for study in document["studies"]:
        assert (study["arm_key"], study["comparator_arm_key"]) == ("treated", "control")
        assert study["yi"] == pytest.approx(math.log(0.5), abs=ABSOLUTE)
        assert math.sqrt(study["vi"]) == pytest.approx(
            (math.log(4.0) - math.log(1.0)) / (2 * 1.959963984540054), abs=ABSOLUTE
        )
        assert study["facts"][0]["table"] == "comparisons"
    assert document["excluded"] == [
        {
            "trial_key": "hr-unknown",
            "endpoint_key": "outcome",
            "reason": "no arm-level results; direction unknown for the reported hazard ratio",
        }
    ]


def _export(database: TestDatabase, *args: str) -> list[dict[str, str]]:
    outcome = run_cli("export", "metafor", *args, db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return list(csv.DictReader(io.StringIO(outcome.stdout)))


def test_export_metafor_writes_escalc_columns(database: TestDatabase, tmp_path: Path) -> None:
    _loaded(database, tmp_path, "bcg")
    _loaded(database, tmp_path, "normand")
    write_reported_hazard_ratios(tmp_path / "hr")
    assert run_cli("load", str(tmp_path / "hr"), db=database).exit_code == 0
    rows = _export(database)
    # escalc's own argument names, so that R reads the file as it is.
    for column in ("ai", "n1i", "ci", "n2i", "m1i", "sd1i", "m2i", "sd2i", "yi", "sei"):
        assert column in rows[0]
    by_trial = {row["trial_key"]: row for row in rows}
    assert len(rows) == 13 + 9 + 2
    first = by_trial["bcg-01"]
    assert (first["data_type"], first["ai"], first["n1i"], first["ci"], first["n2i"]) == (
        "counts",
        "4",
        "123",
        "11",
        "139",
    )
    assert first["fact_ids"].split(" ")[0].endswith(":numerator")
    edinburgh = by_trial["normand-01"]
    assert [edinburgh[c] for c in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")] == [
        "55.0",
        "47.0",
        "155",
        "75.0",
        "64.0",
        "156",
    ]
    reversed_hr = by_trial["hr-reversed"]
    assert (reversed_hr["arm_key"], reversed_hr["comparator_arm_key"]) == ("treated", "control")
    assert float(reversed_hr["yi"]) == pytest.approx(math.log(0.5), abs=ABSOLUTE)
    assert "hr-unknown" not in by_trial
    only = _export(database, "--trial", "bcg-02", "--trial", "normand-02")
    assert [row["trial_key"] for row in only] == ["bcg-02", "normand-02"]
    out = tmp_path / "metafor.csv"
    written = run_cli("export", "metafor", "--out", str(out), db=database)
    assert written.stderr.strip() == f"wrote {len(rows)} rows to {out}"


def test_r_reads_the_metafor_export(database: TestDatabase, tmp_path: Path) -> None:
    """R's escalc and rma on the exported file give the pooled estimate `meta` gives."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed")
    _loaded(database, tmp_path, "bcg")
    out = tmp_path / "metafor.csv"
    assert run_cli("export", "metafor", "--out", str(out), db=database).exit_code == 0
    script = (
        "suppressPackageStartupMessages(library(metafor));"
        f"d <- read.csv('{out}');"
        "es <- escalc('RR', ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d,"
        " subset = data_type == 'counts');"
        "cat(sprintf('%.15f', coef(rma(yi, vi, data = es, method = 'DL'))))"
    )
    ran = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
    if "there is no package called" in ran.stderr:
        pytest.skip("R has no metafor package")
    assert ran.returncode == 0, ran.stderr
    pooled = _meta(database, "--method", "DL")
    assert float(ran.stdout) == pytest.approx(pooled["log_estimate"], abs=ABSOLUTE)
