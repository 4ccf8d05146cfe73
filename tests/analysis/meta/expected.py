"""metafor's expected values (metafor_expected.json, written by metafor_expected.R) and the
same datasets' effect sizes computed by evidencedb, for the exactness tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from evidencedb.analysis.meta import effects
from evidencedb.analysis.meta.counts import Counts
from evidencedb.enums import MetaMeasure

HERE = Path(__file__).parent
EXPECTED_JSON = HERE / "metafor_expected.json"
SCRIPT = HERE / "metafor_expected.R"

ABSOLUTE = 1e-8
ITERATIVE = 1e-6  # REML, ML, PM, EB: metafor iterates to a threshold, evidencedb to a root
ITERATIVE_METHODS = {"REML", "ML", "PM", "EB"}

MEASURES = {
    "RR": MetaMeasure.RISK_RATIO,
    "OR": MetaMeasure.ODDS_RATIO,
    "RD": MetaMeasure.RISK_DIFFERENCE,
    "MD": MetaMeasure.MEAN_DIFFERENCE,
    "SMD": MetaMeasure.STANDARDIZED_MEAN_DIFFERENCE,
}
_FROM_CELLS = {
    "RR": effects.log_risk_ratio,
    "OR": effects.log_odds_ratio,
    "RD": effects.risk_difference,
}


@cache
def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))
    return data


def counts(dataset: str) -> list[Counts]:
    rows = expected()["datasets"][dataset]
    if dataset == "bcg":
        return [
            Counts(r["tpos"], r["tpos"] + r["tneg"], r["cpos"], r["cpos"] + r["cneg"]) for r in rows
        ]
    return [Counts(r["ai"], r["n1i"], r["ci"], r["n2i"]) for r in rows]


def effect_sizes(
    dataset: str, measure: str, add: float = 0.5, drop00: bool = False
) -> list[effects.Effect | None]:
    """Each study's effect, ``None`` for a double zero left out as escalc's ``drop00`` does."""
    rows = expected()["datasets"][dataset]
    if dataset == "normand":
        compute = (
            effects.mean_difference if measure == "MD" else effects.standardized_mean_difference
        )
        return [compute(r["m1i"], r["sd1i"], r["n1i"], r["m2i"], r["sd2i"], r["n2i"]) for r in rows]
    if dataset == "reported":
        return [
            effects.from_ratio_ci(r["ratio"], r["ci_lower"], r["ci_upper"], r["ci_level"])
            for r in rows
        ]
    if dataset == "differences":
        return [
            effects.from_difference_ci(r["difference"], r["ci_lower"], r["ci_upper"], r["ci_level"])
            for r in rows
        ]
    out: list[effects.Effect | None] = []
    for study in counts(dataset):
        cells = (study.events1, study.n1, study.events2, study.n2)
        if drop00 and effects.is_double_zero(*cells):
            out.append(None)
        else:
            out.append(_FROM_CELLS[measure](effects.two_by_two(*cells, add=add)))
    return out


def vectors(case: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    kept = [
        e
        for e in effect_sizes(case["dataset"], case["measure"], case["add"], case["drop00"])
        if e is not None
    ]
    return np.array([e.yi for e in kept]), np.array([e.vi for e in kept])


def tolerance(method: str) -> float:
    return ITERATIVE if method in ITERATIVE_METHODS else ABSOLUTE


def case_id(case: dict[str, Any]) -> str:
    parts = [case["dataset"], case["measure"], case.get("field", ""), case.get("method", "")]
    if case.get("knha"):
        parts.append("knha")
    if case.get("add", 0.5) != 0.5:
        parts.append(f"add{case['add']}")
    if case.get("drop00"):
        parts.append("drop00")
    return "-".join(p for p in parts if p)
