"""How query rows look in a terminal table: the columns a reader scans, and values made readable
(a value with its qualifier and unit, n/N, the CI in one cell); csv and json keep every column."""

from __future__ import annotations

from typing import Any

from evidencedb.cli.output import Format, print_rows
from evidencedb.errors import EvidenceError
from evidencedb.query.readable import (
    ci_text,
    counts_text,
    duration_text,
    number_text,
    registry_text,
    spread_text,
    value_text,
)

# A terminal table shows the columns a reader scans; csv and json carry every column.
TABLE_COLUMNS = {
    "trials": ["key", "title", "design", "phase", "enrollment", "registry_ids", "results"],
    "results": [
        "trial_key",
        "arm_key",
        "endpoint_key",
        "timepoint",
        "subgroup",
        "category",
        "value",
        "n/N",
        "ci",
        "source_key",
        "quote",
    ],
    "comparisons": [
        "trial_key",
        "endpoint_key",
        "arm_key",
        "comparator_arm_key",
        "measure",
        "value",
        "ci",
        "p_value",
        "origin",
        "randomized",
        "source_key",
    ],
    "adverse events": [
        "trial_key",
        "arm_key",
        "term",
        "category",
        "grade",
        "participants_affected",
        "participants_at_risk",
        "event_count",
        "source_key",
    ],
    "baseline": [
        "trial_key",
        "arm_key",
        "characteristic",
        "class",
        "category",
        "value",
        "spread",
        "n",
    ],
    "flow": ["trial_key", "arm_key", "period", "kind", "label", "count"],
}


TRIAL_SECTIONS = {
    "identifiers": ["registry", "value"],
    "sources": ["key", "kind", "relation", "title"],
    "arms": ["key", "label", "role", "n_enrolled", "source_trial", "interventions"],
    "endpoints": ["key", "name", "kind", "role", "timepoint"],
    "results": ["arm_key", "endpoint_key", "subgroup", "value", "n/N", "ci"],
    "comparisons": [
        "endpoint_key",
        "arm_key",
        "comparator_arm_key",
        "measure",
        "value",
        "ci",
        "origin",
        "randomized",
    ],
    "adverse_events": [
        "arm_key",
        "term",
        "category",
        "grade",
        "participants_affected",
        "participants_at_risk",
        "event_count",
    ],
    "baseline_measurements": ["arm_key", "characteristic", "class", "category", "value", "n"],
    "participant_flow": ["arm_key", "period", "kind", "label", "count"],
}


def readable(row: dict[str, Any]) -> dict[str, Any]:
    """Derived display columns: value with its qualifier and unit, the p-value with its own
    qualifier, n/N, CI, timepoint."""
    shown = dict(row)
    if "value" in row:
        shown["value"] = value_text(row)
    if row.get("p_value") is not None:
        qualifier = row.get("p_value_qualifier") or ""
        shown["p_value"] = f"{qualifier} {number_text(row['p_value'])}".strip()
    _with_registry_text(row, shown)
    if "numerator" in row:
        shown["n/N"] = counts_text(row)
    if "ci_lower" in row:
        shown["ci"] = ci_text(row)
    if "timepoint_value" in row:
        shown["timepoint"] = duration_text(row["timepoint_value"], row["timepoint_unit"])
    return shown


def _with_registry_text(row: dict[str, Any], shown: dict[str, Any]) -> None:
    """Baseline and flow rows: the registry's text wherever it is kept (it is kept when the
    value is not a plain number: "<5" is stored as 5 beside its text, and must not read as
    5), by the web view's rule (`readable.registry_text`); and a baseline value's spread or
    limits in one cell."""
    if row.get("value_raw") is not None:
        unit = row.get("unit") if row.get("value") is not None else None  # "NA", not "NA years"
        text = registry_text(row["value"], row["value_raw"])
        shown["value"] = " ".join(filter(None, (text, unit)))
    if "characteristic" in row:
        shown["spread"] = spread_text(row)
    if row.get("count_raw") is not None:
        shown["count"] = registry_text(row["count"], row["count_raw"])


def show(rows: Any, fmt: Format, title: str, columns: str | None = None) -> None:
    materialised = [dict(row) for row in rows]
    if columns:
        wanted = [column.strip() for column in columns.split(",") if column.strip()]
        available = list(materialised[0]) if materialised else wanted
        unknown = [column for column in wanted if column not in available]
        if unknown:
            raise EvidenceError(
                f"unknown column(s) {', '.join(unknown)}; available: {', '.join(available)}"
            )
        materialised = [{column: row[column] for column in wanted} for row in materialised]
    elif fmt == "table" and title in TABLE_COLUMNS:
        materialised = [
            {column: shown.get(column) for column in TABLE_COLUMNS[title]}
            for shown in map(readable, materialised)
        ]
    print_rows(materialised, fmt, title)
