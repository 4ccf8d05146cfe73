"""examples/finerenone: two curated trials from their registry records and a saved analysis.

The expected numbers are metafor's (3.8-1) on the same inputs:
rma(yi = log(c(0.860, 0.87)), method = "FE",
    sei = (log(c(0.989, 0.98)) - log(c(0.747, 0.76))) / (2 * qnorm(0.975)))
rma.mh(ai = c(367, 458), n1i = c(2833, 3686), ci = c(420, 519), n2i = c(2841, 3666),
       measure = "RR")
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import REPO

EXAMPLES = REPO / "examples" / "finerenone"


def _json(database: TestDatabase, *args: str) -> dict[str, object]:
    outcome = run_cli("meta", *args, "--format", "json", db=database)
    assert outcome.exit_code == 0, outcome.stderr
    document: dict[str, object] = json.loads(outcome.stdout)
    return document


def test_the_finerenone_example_pools_as_metafor(sqlite_database: TestDatabase) -> None:
    loaded = run_cli("load", str(EXAMPLES), db=sqlite_database)
    assert loaded.exit_code == 0, loaded.stderr
    assert "meta_analyses +1" in loaded.stderr
    saved = _json(sqlite_database, "--analysis", "fidelity-cv")
    assert (saved["estimate"], saved["ci_lower"], saved["ci_upper"], saved["p_value"]) == (
        pytest.approx(0.86547797823710138, abs=1e-12),
        pytest.approx(0.78766704785664732, abs=1e-12),
        pytest.approx(0.95097558397505200, abs=1e-12),
        pytest.approx(0.00264912849014344, abs=1e-12),
    )
    mh = _json(sqlite_database, "--measure", "risk_ratio", "--method", "MH")
    assert (mh["estimate"], mh["ci_lower"], mh["ci_upper"]) == (
        pytest.approx(0.877052844188986, abs=1e-12),
        pytest.approx(0.803982502148322, abs=1e-12),
        pytest.approx(0.956764219923383, abs=1e-12),
    )


def test_every_number_of_the_example_is_where_its_locator_says(tmp_path: Path) -> None:
    """The registry records are read from the shared corpus: each result's locator holds it."""
    import yaml

    corpus = REPO.parent / "shared" / "ctgov-corpus"
    if not corpus.is_dir():
        pytest.skip(f"no registry corpus at {corpus}")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        nct = document["trial"]["identifiers"][0]["value"]
        record = json.loads((corpus / f"{nct}.json").read_text(encoding="utf-8"))
        for result in document["results"]:
            assert _at(record, result["locator"]) == str(result["numerator"])
            denominator = result["locator"].split(".classes")[0] + ".denoms[0].counts"
            counts = {c["value"] for c in _at(record, denominator)}
            assert str(result["denominator"]) in counts
        for comparison in document["comparisons"]:
            found = _at(record, comparison["locator"])
            assert float(found["paramValue"]) == comparison["value"]
            assert float(found["ciLowerLimit"]) == comparison["ci_lower"]
            assert float(found["ciUpperLimit"]) == comparison["ci_upper"]


def _at(record: object, path: str) -> object:
    import re

    value = record
    for name, index in re.findall(r"([A-Za-z]+)(?:\[(\d+)\])?", path):
        value = value[name]  # type: ignore[index]
        if index:
            value = value[int(index)]  # type: ignore[index]
    return value
