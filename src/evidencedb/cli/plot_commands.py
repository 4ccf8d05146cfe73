"""`evidencedb plot forest`: figures of the database's comparisons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.options import choices
from evidencedb.cli.output import echo_err
from evidencedb.enums import ComparisonMeasure, ComparisonOrigin, EndpointKind

commands = command_group(
    "plot",
    help=(
        "Draw figures of the database's comparisons.\n\n"
        "Example: evidencedb plot forest --endpoint-kind overall_survival --out os.svg"
    ),
)


@command(commands)
def forest(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="FILE", help="Image to write: FILE.png or FILE.svg."),
    ],
    trial: Annotated[
        list[str] | None, typer.Option("--trial", metavar="KEY", help="Trial key (repeatable).")
    ] = None,
    endpoint_kind: Annotated[
        list[EndpointKind] | None,
        typer.Option(
            "--endpoint-kind", metavar=choices(EndpointKind), help="Kind of endpoint (repeatable)."
        ),
    ] = None,
    measure: Annotated[
        list[ComparisonMeasure] | None,
        typer.Option(
            "--measure", metavar=choices(ComparisonMeasure), help="Effect measure (repeatable)."
        ),
    ] = None,
    origin: Annotated[
        list[ComparisonOrigin] | None,
        typer.Option(
            "--origin", metavar=choices(ComparisonOrigin), help="reported or derived (repeatable)."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="Title of the figure.")
    ] = None,
) -> None:
    """Draw a forest plot of comparisons: each estimate with its CI, labelled by trial,
    endpoint and arms; one panel per measure, ratios on a log scale; randomised contrasts as
    filled squares, non-randomised ones as open circles. Needs matplotlib:
    pip install 'evidencedb[plot]'.

    Example: evidencedb plot forest --trial blinatumomab-infant-kmt2a-all --out forest.png
    """
    from evidencedb.analysis import plot
    from evidencedb.query.comparisons import comparison_rows
    from evidencedb.query.filters import FactFilters
    from evidencedb.store.database import reading

    with reading(ctx.obj) as connection:
        filters = FactFilters(
            trial=tuple(trial or ()),
            endpoint_kind=tuple(endpoint_kind or ()),
            measure=tuple(measure or ()),
            origin=tuple(origin or ()),
        )
        rows = comparison_rows(connection, filters)
    drawn = plot.forest_plot(rows, out, title=title)
    left_out = len(rows) - drawn
    note = f"; {left_out} without an estimate left out" if left_out else ""
    echo_err(f"wrote {out}: {drawn} comparison(s){note}")
