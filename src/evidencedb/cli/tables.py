"""How query rows look in a terminal table: the columns a reader scans, and values made readable
(a value with its qualifier and unit, n/N, the CI in one cell); csv and json keep every column."""

from __future__ import annotations

from typing import Any

from evidencedb.cli.output import Format, number_text, print_rows
from evidencedb.errors import EvidenceError

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
}


def readable(row: dict[str, Any]) -> dict[str, Any]:
    """Derived display columns: value with its qualifier and unit, n/N, CI, timepoint."""
    shown = dict(row)
    if "value" in row:
        qualifier = row.get("value_qualifier") or row.get("p_value_qualifier") or ""
        qualifier = "" if qualifier in ("not_reached",) else f"{qualifier} " if qualifier else ""
        unit = row.get("unit") or ""
        value = number_text(row["value"])
        if row.get("value_qualifier") == "not_reached":
            value = "not reached"
        shown["value"] = f"{qualifier}{value}{unit if unit == '%' else ' ' + unit if unit else ''}"
    if "numerator" in row:
        shown["n/N"] = (
            f"{number_text(row['numerator'])}/{number_text(row['denominator'])}"
            if row["numerator"] is not None or row["denominator"] is not None
            else ""
        )
    if "ci_lower" in row:
        level = f"{number_text(row['ci_level'] * 100)}% " if row.get("ci_level") else ""
        shown["ci"] = (
            f"{level}{number_text(row['ci_lower'])} to {number_text(row['ci_upper'])}"
            if row["ci_lower"] is not None
            else ""
        )
    if "timepoint_value" in row:
        shown["timepoint"] = (
            f"{number_text(row['timepoint_value'])} {row['timepoint_unit'] or ''}".strip()
            if row["timepoint_value"] is not None
            else ""
        )
    return shown


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
