"""Seed files of two-arm trials for the meta-analysis tests: metafor's datasets as curated trials.

Each dataset row of tests/analysis/meta/metafor_expected.json becomes one trial file with an
experimental and a comparator arm and one endpoint, so that `evidencedb meta` over the loaded
files can be compared with metafor's numbers for the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.analysis.meta.expected import expected


def _trial_file(key: str, name: str, design: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    source = f"{key}-report"
    cited = {"source": source}
    return {
        "schema_version": 1,
        "sources": [{"key": source, "kind": "journal_article", "title": f"Report of {name}"}],
        "trial": {
            "key": key,
            "title": f"Trial {name}",
            "acronym": name,
            "design": design,
            **cited,
            "quote": name,
        },
        "arms": [
            {
                "key": "treated",
                "label": "Treated",
                "role": "experimental",
                **cited,
                "quote": "treated",
            },
            {
                "key": "control",
                "label": "Control",
                "role": "no_intervention",
                **cited,
                "quote": "control",
            },
        ],
        "endpoints": [
            {"key": "outcome", "name": "The outcome", "kind": "other", **cited, "quote": "outcome"},
        ],
        "results": [{"endpoint": "outcome", **cited, **result} for result in results],
    }


def _counts(arm: str, events: int, total: int) -> dict[str, Any]:
    return {
        "arm": arm,
        "numerator": events,
        "denominator": total,
        "quote": f"{events} of {total} {arm}",
    }


def _mean(arm: str, mean: float, sd: float, n: int) -> dict[str, Any]:
    return {
        "arm": arm,
        "value": mean,
        "spread": sd,
        "spread_type": "standard_deviation",
        "n_analyzed": n,
        "quote": f"{arm} mean {mean} (SD {sd}), n = {n}",
    }


def write_dataset(folder: Path, dataset: str) -> list[Path]:
    """One seed file per row of ``dataset`` (bcg, nielweise or normand) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, row in enumerate(expected()["datasets"][dataset], start=1):
        key = f"{dataset}-{index:02d}"
        if dataset == "bcg":
            name, design = f"{row['author']} {row['year']}", row["design"]
            results = [
                _counts("treated", row["tpos"], row["tpos"] + row["tneg"]),
                _counts("control", row["cpos"], row["cpos"] + row["cneg"]),
            ]
        elif dataset == "nielweise":
            name, design = f"{row['author']} {row['year']}", "randomized"
            results = [
                _counts("treated", row["ai"], row["n1i"]),
                _counts("control", row["ci"], row["n2i"]),
            ]
        else:
            name, design = row["source"], "randomized"
            results = [
                _mean("treated", row["m1i"], row["sd1i"], row["n1i"]),
                _mean("control", row["m2i"], row["sd2i"], row["n2i"]),
            ]
        path = folder / f"{key}.yaml"
        path.write_text(
            yaml.safe_dump(_trial_file(key, name, design, results), sort_keys=False),
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def write_reported_hazard_ratios(folder: Path) -> None:
    """Three trials reporting a hazard ratio with its 95% CI: one experimental vs control, one
    the other way round (control vs experimental), one between arms without roles."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = {
        "hr-forward": ("treated", "control", 0.5, 0.25, 1.0, ("experimental", "no_intervention")),
        "hr-reversed": ("control", "treated", 2.0, 1.0, 4.0, ("experimental", "no_intervention")),
        "hr-unknown": ("treated", "control", 0.8, 0.5, 1.28, ("other", "other")),
    }
    for key, (arm, comparator, value, lower, upper, roles) in cases.items():
        document = _trial_file(key, key.upper(), "randomized", [])
        for described, role in zip(document["arms"], roles, strict=True):
            described["role"] = role
        document["endpoints"][0]["kind"] = "overall_survival"
        document["comparisons"] = [
            {
                "endpoint": "outcome",
                "arm": arm,
                "comparator": comparator,
                "measure": "hazard_ratio",
                "value": value,
                "ci_lower": lower,
                "ci_upper": upper,
                "ci_level": 0.95,
                "source": f"{key}-report",
                "quote": f"HR {value} (95% CI {lower} to {upper})",
            }
        ]
        (folder / f"{key}.yaml").write_text(
            yaml.safe_dump(document, sort_keys=False), encoding="utf-8"
        )


def write_analysis(
    path: Path, trials: list[str], *, measure: str = "risk_ratio", method: str = "REML"
) -> Path:
    """A saved-analysis file pooling ``trials`` (each with its endpoint `outcome`)."""
    document = {
        "schema_version": 1,
        "analysis": {
            "key": path.stem,
            "title": "BCG vaccine against tuberculosis",
            "question": {
                "population": "People without tuberculosis",
                "intervention": "BCG vaccine",
                "comparator": "No vaccine",
                "outcome": "Tuberculosis",
            },
            "measure": measure,
            "method": method,
            "studies": [{"trial": trial, "endpoint": "outcome"} for trial in trials],
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
