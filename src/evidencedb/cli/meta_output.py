"""What `evidencedb meta` prints: the issue's JSON, a CSV row per study and the pooled row, or
tables for a person with the heterogeneity line and, asked for, every number's lineage."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer

from evidencedb.cli.output import Format, echo_err, print_rows
from evidencedb.enums import MetaMeasure
from evidencedb.query.readable import number_text

if TYPE_CHECKING:
    from evidencedb.analysis.meta.analysis import MetaResult


def print_meta(result: MetaResult, fmt: Format, *, lineage: bool = False) -> None:
    """A meta-analysis as JSON (the whole object), CSV (a row per study, then the pooled row)
    or tables for a person: the studies, the pooled estimate, heterogeneity, what was left out."""
    from evidencedb.analysis.meta.analysis import as_json

    document = as_json(result)
    if fmt == "json":
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        print_rows(_csv_rows(document), "csv")
        return
    if result.pooled is None:
        echo_err("no study could be pooled")
    else:
        print_rows(_table_rows(document), "table", title=_title(document))
        typer.echo(_heterogeneity_line(document))
        for line in _extra_lines(document):
            typer.echo(line)
    if document["excluded"]:
        print_rows(document["excluded"], "table", title="Left out")
    if lineage:
        for line in lineage_lines(document):
            typer.echo(line)


def _title(document: dict[str, Any]) -> str:
    measure = document["measure"].replace("_", " ")
    hksj = ", Hartung-Knapp" if document["hksj"] else ""
    return f"{measure}, {document['method']}{hksj}: {document['k']} studies"


def _ratio(document: dict[str, Any]) -> bool:
    return MetaMeasure(document["measure"]).is_ratio


def _table_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for study in document["studies"]:
        rows.append(
            {
                "trial": study["trial_name"],
                "arms": f"{study['arm_key']} vs {study['comparator_arm_key']}",
                "data": " vs ".join(x for x in (study["arm_data"], study["comparator_data"]) if x),
                "estimate (95% CI)": _interval(
                    study["estimate"], study["ci_lower"], study["ci_upper"]
                ),
                "weight %": number_text(study["weight"], decimals=1),
            }
        )
    rows.append(
        {
            "trial": "Pooled",
            "arms": "",
            "data": f"p = {_p(document['p_value'])}",
            "estimate (95% CI)": _interval(
                document["estimate"], document["ci_lower"], document["ci_upper"]
            ),
            "weight %": "100",
        }
    )
    rows.append(
        {
            "trial": "Prediction interval",
            "arms": "",
            "data": "",
            "estimate (95% CI)": _interval(None, document["pi_lower"], document["pi_upper"]),
            "weight %": "",
        }
    )
    return rows


def _interval(estimate: float | None, lower: float | None, upper: float | None) -> str:
    head = "" if estimate is None else number_text(estimate, decimals=3) + " "
    return f"{head}({number_text(lower, decimals=3)} to {number_text(upper, decimals=3)})"


def _p(value: float | None) -> str:
    if value is None:
        return "—"
    return "< 0.0001" if value < 0.0001 else number_text(value, decimals=4)


def _heterogeneity_line(document: dict[str, Any]) -> str:
    tau2 = number_text(document["tau2"], decimals=4)
    ci = ""
    if document["tau2_ci_lower"] is not None:
        ci = (
            f" (95% CI {number_text(document['tau2_ci_lower'], decimals=4)} to "
            f"{number_text(document['tau2_ci_upper'], decimals=4)})"
        )
    return (
        f"Heterogeneity: τ² = {tau2}{ci}; I² = {document['i2']:.1f}%; "
        f"H² = {document['h2']:.2f}; Q = {document['q']:.2f} on {document['q_df']} df "
        f"(p = {_p(document['q_p_value'])})"
    )


def _extra_lines(document: dict[str, Any]) -> list[str]:
    lines = []
    subgroups = document.get("subgroups")
    if subgroups:
        for label, group in subgroups["groups"].items():
            lines.append(
                f"Subgroup {subgroups['field']} = {label}: k = {group['k']}, "
                f"{_interval(group['estimate'], group['ci_lower'], group['ci_upper'])}, "
                f"I² = {group['i2']:.1f}%"
            )
        lines.append(
            f"Test for subgroup differences: Q = {subgroups['q_between']:.2f} on "
            f"{subgroups['q_between_df']} df (p = {_p(subgroups['q_between_p_value'])})"
        )
    for fit in document.get("leave_one_out", []):
        lines.append(
            f"Without {fit['left_out']}: "
            f"{_interval(fit['estimate'], fit['ci_lower'], fit['ci_upper'])}, "
            f"I² = {fit['i2']:.1f}%"
        )
    return lines


def lineage_lines(document: dict[str, Any]) -> list[str]:
    """For each study, every number used with the words or the field that state it."""
    lines = []
    for study in document["studies"]:
        lines.append(f"{study['trial_key']} / {study['endpoint_key']} ({study['basis']}):")
        for fact in study["facts"]:
            where = fact["locator"] or ""
            said = f'"{fact["quote"]}"' if fact["quote"] else where
            lines.append(
                f"  {fact['field']} = {fact['value']}  [{fact['table']} #{fact['id']}, "
                f"{fact['source_key']}] {said}"
            )
    return lines


_CSV_COLUMNS = (
    "row",
    "trial_key",
    "endpoint_key",
    "arm_key",
    "comparator_arm_key",
    "yi",
    "vi",
    "weight",
    "estimate",
    "ci_lower",
    "ci_upper",
    "basis",
    "facts",
)


def _csv_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    ratio = _ratio(document)
    rows = []
    for study in document["studies"]:
        rows.append(
            {
                "row": "study",
                **{name: study[name] for name in _CSV_COLUMNS[1:12]},
                "facts": " ".join(f"{f['table']}:{f['id']}:{f['field']}" for f in study["facts"]),
            }
        )
    pooled: dict[str, Any] = {name: None for name in _CSV_COLUMNS}
    pooled.update(
        row="pooled",
        yi=document.get("log_estimate") if ratio else document.get("estimate"),
        vi=None if document.get("se") is None else document["se"] ** 2,
        weight=100.0 if document["studies"] else None,
        estimate=document.get("estimate"),
        ci_lower=document.get("ci_lower"),
        ci_upper=document.get("ci_upper"),
        basis=f"{document['method']}{' HKSJ' if document['hksj'] else ''}",
    )
    rows.append(pooled)
    return rows
