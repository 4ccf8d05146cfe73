"""Query commands: trials, trial, results, comparisons, adverse-events, sql."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.options import (
    ArmRoleOption,
    ColumnsOption,
    ConditionOption,
    EndpointKindOption,
    EndpointOption,
    FormatOption,
    InterventionOption,
    SourceOption,
    TextOption,
    TrialOption,
)
from evidencedb.cli.output import Format, print_rows
from evidencedb.cli.tables import TRIAL_SECTIONS, readable, show
from evidencedb.enums import (
    AdverseEventCategory,
    ComparisonMeasure,
    ComparisonOrigin,
    EndpointRole,
    TrialDesign,
    TrialPhase,
)
from evidencedb.query.filter_help import FILTER_HELP

if TYPE_CHECKING:
    from evidencedb.query.facts import FactView
    from evidencedb.query.filters import FactFilters

commands = command_group()


def _show_facts(
    ctx: typer.Context,
    view: FactView,
    filters: FactFilters,
    fmt: Format,
    title: str,
    columns: str | None,
) -> None:
    from evidencedb.query.facts import fetch_facts
    from evidencedb.store.database import reading

    with reading(ctx.obj) as connection:
        show(fetch_facts(connection, view, filters), fmt, title, columns)


@command(commands)
def trials(
    ctx: typer.Context,
    trial: TrialOption = None,
    intervention: InterventionOption = None,
    condition: ConditionOption = None,
    design: Annotated[TrialDesign | None, typer.Option("--design")] = None,
    phase: Annotated[TrialPhase | None, typer.Option("--phase")] = None,
    registry_id: Annotated[
        str | None,
        typer.Option("--registry-id", metavar="ID", help=FILTER_HELP["registry_id"]),
    ] = None,
    text: TextOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """List trials, with filters that combine.

    Example: evidencedb trials --intervention CD19 --format csv
    """
    from evidencedb.query.filters import TrialFilters
    from evidencedb.query.trials import list_trials
    from evidencedb.store.database import reading

    filters = TrialFilters(
        trial=trial,
        intervention=intervention,
        condition=condition,
        design=design,
        phase=phase,
        registry_id=registry_id,
        text=text,
    )
    with reading(ctx.obj) as connection:
        show(list_trials(connection, filters), fmt, "trials", columns)


@command(commands)
def trial(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Trial key.")],
    fmt: FormatOption = "table",
) -> None:
    """Show one trial in full: identifiers, sources, arms with interventions, endpoints,
    results, comparisons and adverse events (csv: its results as flat rows).

    Example: evidencedb trial blinatumomab-infant-kmt2a-all
    """
    from evidencedb.query.trials import trial_detail
    from evidencedb.store.database import reading

    with reading(ctx.obj) as connection:
        detail = trial_detail(connection, key)
    if fmt == "json":
        print_rows([detail], "json")
        return
    if fmt == "csv":
        print_rows(detail["results"], "csv")
        return
    header = {k: _shortened(v) for k, v in detail.items() if not isinstance(v, list)}
    print_rows([{"field": k, "value": v} for k, v in header.items()], "table", key)
    for section, columns in TRIAL_SECTIONS.items():
        rows = [readable(row) for row in detail[section]]
        for row in rows:
            if "interventions" in row:
                row["interventions"] = "; ".join(i["name"] for i in row["interventions"])
        if rows:
            shown = [{column: row.get(column) for column in columns} for row in rows]
            print_rows(shown, "table", section.replace("_", " "))


# A description longer than this (eligibility criteria run to pages) is cut in the table.
LONG_TEXT = 400


def _shortened(value: object) -> object:
    if isinstance(value, str) and len(value) > LONG_TEXT:
        return value[: LONG_TEXT - 1].rstrip() + "… (--format json shows it all)"
    return value


@command(commands)
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
        float | None, typer.Option("--timepoint", metavar="NUMBER", help=FILTER_HELP["timepoint"])
    ] = None,
    timepoint_unit: Annotated[
        str | None,
        typer.Option("--timepoint-unit", metavar="UNIT", help=FILTER_HELP["timepoint_unit"]),
    ] = None,
    source: SourceOption = None,
    text: TextOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Arm-level results with their source quote, one row per fact.

    Example: evidencedb results --intervention CD19 --endpoint-kind overall_survival --timepoint 2
    """
    from evidencedb.query.filters import FactFilters

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


@command(commands)
def comparisons(
    ctx: typer.Context,
    trial: TrialOption = None,
    intervention: InterventionOption = None,
    endpoint: EndpointOption = None,
    endpoint_kind: EndpointKindOption = None,
    measure: Annotated[ComparisonMeasure | None, typer.Option("--measure")] = None,
    origin: Annotated[
        ComparisonOrigin | None, typer.Option("--origin", help=FILTER_HELP["origin"])
    ] = None,
    source: SourceOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Between-arm estimates, reported by sources and derived by evidencedb, side by side.

    Example: evidencedb comparisons --trial blinatumomab-infant-kmt2a-all --format json
    """
    from evidencedb.query.filters import FactFilters

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


@command(commands, "adverse-events")
def adverse_events(
    ctx: typer.Context,
    trial: TrialOption = None,
    arm: Annotated[
        str | None, typer.Option("--arm", metavar="KEY", help=FILTER_HELP["arm"])
    ] = None,
    arm_role: ArmRoleOption = None,
    intervention: InterventionOption = None,
    serious: Annotated[
        bool | None,
        typer.Option(
            "--serious/--non-serious",
            help="Only events of category serious (or non_serious); not those of category any.",
        ),
    ] = None,
    category: Annotated[
        AdverseEventCategory | None,
        typer.Option("--category", help=FILTER_HELP["category"]),
    ] = None,
    min_grade: Annotated[
        int | None,
        typer.Option("--min-grade", min=1, max=5, metavar="GRADE", help=FILTER_HELP["min_grade"]),
    ] = None,
    term: Annotated[
        str | None, typer.Option("--term", metavar="TEXT", help=FILTER_HELP["term"])
    ] = None,
    source: SourceOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Adverse events per arm: affected, at risk, events, grade and organ system.

    Each row has a category: serious, non_serious, or any (a total over both, or a term whose
    source does not say). --serious keeps category serious and --non-serious category
    non_serious, so that together they hold every term stated serious or not; aggregate rows
    (is_aggregate: totals such as "Serious adverse events (all terms)") follow their category,
    and rows of category any are in neither: --category any shows them.

    Example: evidencedb adverse-events --serious --format csv
    """
    from evidencedb.query.filters import FactFilters

    if serious is not None and category is not None:
        raise typer.BadParameter(
            "give --serious, --non-serious or --category, not two of them",
            param_hint="'--category'",
        )

    filters = FactFilters(
        trial=trial,
        arm=arm,
        arm_role=arm_role,
        intervention=intervention,
        serious=serious,
        event_category=category,
        min_grade=min_grade,
        term=term,
        source=source,
    )
    _show_facts(ctx, "adverse_events_flat", filters, fmt, "adverse events", columns)


@command(commands)
def sql(
    ctx: typer.Context,
    statement: Annotated[str, typer.Argument(metavar="STATEMENT", help="One SELECT statement.")],
    fmt: FormatOption = "table",
) -> None:
    """Run read-only SQL; the database refuses any statement that writes.

    Example: evidencedb sql "SELECT kind, count(*) FROM endpoints GROUP BY kind"
    """
    from evidencedb.query.export import write_csv_rows
    from evidencedb.query.sql import read_only_connection, run_sql

    with read_only_connection(ctx.obj) as connection:
        columns, rows = run_sql(connection, statement)
        if fmt == "csv":
            write_csv_rows(sys.stdout, columns, rows)
        else:
            print_rows([dict(zip(columns, row, strict=True)) for row in rows], fmt, "sql")
