"""Query commands: trials, trial, results, comparisons, adverse-events, export, sql."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from evidencedb.cli.output import Format, echo_err, handle_errors, print_rows
from evidencedb.enums import (
    ArmRole,
    ComparisonMeasure,
    ComparisonOrigin,
    EndpointKind,
    EndpointRole,
    TrialDesign,
    TrialPhase,
)
from evidencedb.errors import EvidenceError
from evidencedb.operations import service
from evidencedb.query import export
from evidencedb.query import sql as readonly
from evidencedb.query.facts import FactView, fetch_facts
from evidencedb.query.filters import FactFilters, TrialFilters
from evidencedb.query.trials import list_trials, trial_detail
from evidencedb.store.engine import resolve_url

FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="table (readable), csv or json (machine-readable)."),
]
TrialOption = Annotated[str | None, typer.Option("--trial", help="Trial key.")]
InterventionOption = Annotated[
    str | None,
    typer.Option("--intervention", help="Intervention key, or part of its name, target or class."),
]
ConditionOption = Annotated[
    str | None, typer.Option("--condition", help="Part of the trial's condition.")
]
TextOption = Annotated[
    str | None, typer.Option("--text", help="Words in the trial's key, title or population.")
]
ArmRoleOption = Annotated[ArmRole | None, typer.Option("--arm-role", help="Role of the arm.")]
EndpointKindOption = Annotated[
    EndpointKind | None, typer.Option("--endpoint-kind", help="Kind of endpoint.")
]
EndpointOption = Annotated[str | None, typer.Option("--endpoint", help="Endpoint key.")]
SourceOption = Annotated[str | None, typer.Option("--source", help="Source key.")]
ColumnsOption = Annotated[
    str | None,
    typer.Option("--columns", help="Comma-separated columns to show, in this order."),
]


def register(app: typer.Typer) -> None:
    app.command("trials")(trials)
    app.command("trial")(trial)
    app.command("results")(results)
    app.command("comparisons")(comparisons)
    app.command("adverse-events")(adverse_events)
    app.command("sql")(sql)
    export_app = typer.Typer(help="Export tables and views.", no_args_is_help=True)
    export_app.command("csv")(export_csv)
    app.add_typer(export_app, name="export")


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


def _number(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """Derived display columns: value with its qualifier and unit, n/N, CI, timepoint."""
    shown = dict(row)
    if "value" in row:
        qualifier = row.get("value_qualifier") or row.get("p_value_qualifier") or ""
        qualifier = "" if qualifier in ("not_reached",) else f"{qualifier} " if qualifier else ""
        unit = row.get("unit") or ""
        value = _number(row["value"])
        if row.get("value_qualifier") == "not_reached":
            value = "not reached"
        shown["value"] = f"{qualifier}{value}{unit if unit == '%' else ' ' + unit if unit else ''}"
    if "numerator" in row:
        shown["n/N"] = (
            f"{_number(row['numerator'])}/{_number(row['denominator'])}"
            if row["numerator"] is not None or row["denominator"] is not None
            else ""
        )
    if "ci_lower" in row:
        level = f"{row['ci_level'] * 100:g}% " if row.get("ci_level") else ""
        shown["ci"] = (
            f"{level}{_number(row['ci_lower'])} to {_number(row['ci_upper'])}"
            if row["ci_lower"] is not None
            else ""
        )
    if "timepoint_value" in row:
        shown["timepoint"] = (
            f"{_number(row['timepoint_value'])} {row['timepoint_unit'] or ''}".strip()
            if row["timepoint_value"] is not None
            else ""
        )
    return shown


def _show(rows: Any, fmt: Format, title: str, columns: str | None = None) -> None:
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
            for shown in map(_readable, materialised)
        ]
    print_rows(materialised, fmt, title)


def _show_facts(
    ctx: typer.Context,
    view: FactView,
    filters: FactFilters,
    fmt: Format,
    title: str,
    columns: str | None,
) -> None:
    with service.reading(ctx.obj) as connection:
        _show(fetch_facts(connection, view, filters), fmt, title, columns)


@handle_errors
def trials(
    ctx: typer.Context,
    trial: TrialOption = None,
    intervention: InterventionOption = None,
    condition: ConditionOption = None,
    design: Annotated[TrialDesign | None, typer.Option("--design")] = None,
    phase: Annotated[TrialPhase | None, typer.Option("--phase")] = None,
    registry_id: Annotated[
        str | None, typer.Option("--registry-id", help="An NCT, EudraCT, ... identifier.")
    ] = None,
    text: TextOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """List trials, with filters that combine.

    Example: evidencedb trials --intervention CD19 --format csv
    """
    filters = TrialFilters(
        trial=trial,
        intervention=intervention,
        condition=condition,
        design=design,
        phase=phase,
        registry_id=registry_id,
        text=text,
    )
    with service.reading(ctx.obj) as connection:
        _show(list_trials(connection, filters), fmt, "trials", columns)


@handle_errors
def trial(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Trial key.")],
    fmt: FormatOption = "table",
) -> None:
    """Show one trial in full: identifiers, sources, arms with interventions, endpoints,
    results, comparisons and adverse events (csv: its results as flat rows).

    Example: evidencedb trial blinatumomab-infant-kmt2a-all
    """
    with service.reading(ctx.obj) as connection:
        detail = trial_detail(connection, key)
    if fmt == "json":
        print_rows([detail], "json")
        return
    if fmt == "csv":
        print_rows(detail["results"], "csv")
        return
    header = {k: v for k, v in detail.items() if not isinstance(v, list)}
    print_rows([{"field": k, "value": v} for k, v in header.items()], "table", key)
    for section, columns in TRIAL_SECTIONS.items():
        rows = [_readable(row) for row in detail[section]]
        for row in rows:
            if "interventions" in row:
                row["interventions"] = "; ".join(i["name"] for i in row["interventions"])
        if rows:
            shown = [{column: row.get(column) for column in columns} for row in rows]
            print_rows(shown, "table", section.replace("_", " "))


@handle_errors
def results(
    ctx: typer.Context,
    trial: TrialOption = None,
    intervention: InterventionOption = None,
    condition: ConditionOption = None,
    endpoint: EndpointOption = None,
    endpoint_kind: EndpointKindOption = None,
    endpoint_role: Annotated[EndpointRole | None, typer.Option("--endpoint-role")] = None,
    arm_role: ArmRoleOption = None,
    timepoint: Annotated[
        float | None, typer.Option("--timepoint", help="Timepoint value, e.g. 2.")
    ] = None,
    timepoint_unit: Annotated[
        str | None, typer.Option("--timepoint-unit", help="Timepoint unit, e.g. years.")
    ] = None,
    source: SourceOption = None,
    text: TextOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Arm-level results with their source quote, one row per fact.

    Example: evidencedb results --intervention CD19 --endpoint-kind overall_survival --timepoint 2
    """
    filters = FactFilters(
        trial=trial,
        intervention=intervention,
        condition=condition,
        endpoint=endpoint,
        endpoint_kind=endpoint_kind,
        endpoint_role=endpoint_role,
        arm_role=arm_role,
        timepoint=timepoint,
        timepoint_unit=timepoint_unit,
        source=source,
        text=text,
    )
    _show_facts(ctx, "results_flat", filters, fmt, "results", columns)


@handle_errors
def comparisons(
    ctx: typer.Context,
    trial: TrialOption = None,
    intervention: InterventionOption = None,
    endpoint: EndpointOption = None,
    endpoint_kind: EndpointKindOption = None,
    measure: Annotated[ComparisonMeasure | None, typer.Option("--measure")] = None,
    origin: Annotated[
        ComparisonOrigin | None, typer.Option("--origin", help="reported or derived.")
    ] = None,
    source: SourceOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Between-arm estimates, reported by sources and derived by evidencedb, side by side.

    Example: evidencedb comparisons --trial blinatumomab-infant-kmt2a-all --format json
    """
    filters = FactFilters(
        trial=trial,
        intervention=intervention,
        endpoint=endpoint,
        endpoint_kind=endpoint_kind,
        measure=measure,
        origin=origin,
        source=source,
    )
    _show_facts(ctx, "comparisons_flat", filters, fmt, "comparisons", columns)


@handle_errors
def adverse_events(
    ctx: typer.Context,
    trial: TrialOption = None,
    arm: Annotated[str | None, typer.Option("--arm", help="Arm key.")] = None,
    arm_role: ArmRoleOption = None,
    intervention: InterventionOption = None,
    serious: Annotated[
        bool | None,
        typer.Option("--serious/--non-serious", help="Only serious (or only non-serious) events."),
    ] = None,
    min_grade: Annotated[
        int | None,
        typer.Option("--min-grade", min=1, max=5, help="Only events graded at least this."),
    ] = None,
    term: Annotated[str | None, typer.Option("--term", help="Part of the event term.")] = None,
    source: SourceOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Adverse events per arm: affected, at risk, events, grade and organ system.

    Example: evidencedb adverse-events --serious --format csv
    """
    filters = FactFilters(
        trial=trial,
        arm=arm,
        arm_role=arm_role,
        intervention=intervention,
        serious=serious,
        min_grade=min_grade,
        term=term,
        source=source,
    )
    _show_facts(ctx, "adverse_events_flat", filters, fmt, "adverse events", columns)


@handle_errors
def export_csv(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(help="One table or view (e.g. results_flat); omit to export all."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for all exports [default: exports], or file for one export."
        ),
    ] = None,
) -> None:
    """Write CSV: every table, the flat views and data_dictionary.csv into a folder, or one
    of them to a file or stdout. UTF-8, RFC 4180, empty cell for NULL, formulas neutralised.

    Example: evidencedb export csv --out exports/   |   evidencedb export csv results_flat
    """
    with service.reading(ctx.obj, snapshot=True) as connection:
        if name is None:
            folder = out or Path("exports")
            counts = export.export_all(connection, folder)
            echo_err(f"wrote {len(counts)} CSV files to {folder}/ ({sum(counts.values())} rows)")
        elif out is None:
            export.write_export(connection, name, sys.stdout)
        else:
            rows = export.write_file_atomically(
                out, lambda stream: export.write_export(connection, name, stream)
            )
            echo_err(f"wrote {rows} rows to {out}")


@handle_errors
def sql(
    ctx: typer.Context,
    statement: Annotated[str, typer.Argument(help="One SELECT statement.")],
    fmt: FormatOption = "table",
) -> None:
    """Run read-only SQL; the database refuses any statement that writes.

    Example: evidencedb sql "SELECT kind, count(*) FROM endpoints GROUP BY kind"
    """
    with readonly.read_only_connection(resolve_url(ctx.obj)) as connection:
        columns, rows = readonly.run_sql(connection, statement)
        if fmt == "csv":
            export.write_csv_rows(sys.stdout, columns, rows)
        else:
            print_rows([dict(zip(columns, row, strict=True)) for row in rows], fmt, "sql")
