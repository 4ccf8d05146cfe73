"""`evidencedb meta` and `evidencedb export metafor`: pooling, and the long CSV R pools from."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from evidencedb.cli import export_commands
from evidencedb.cli.command import command, command_group
from evidencedb.cli.meta_output import print_meta
from evidencedb.cli.options import FormatOption, InterventionOption, choices
from evidencedb.cli.output import echo_err
from evidencedb.enums import EndpointKind, MetaMeasure, MetaMethod

if TYPE_CHECKING:
    from evidencedb.analysis.meta.analysis import MetaResult

# The studies' filters, shared by `meta` and `export metafor`: the same options, the same help.
StudyTrialOption = Annotated[
    list[str] | None, typer.Option("--trial", metavar="KEY", help="Trial key (repeatable).")
]
StudyEndpointOption = Annotated[
    list[str] | None,
    typer.Option(
        "--endpoint",
        metavar="KEY|TRIAL:KEY",
        help="Endpoint key, or TRIAL:KEY for one trial's endpoint (repeatable).",
    ),
]
StudyEndpointKindOption = Annotated[
    EndpointKind | None, typer.Option("--endpoint-kind", help="Kind of endpoint.")
]
StudyTimepointOption = Annotated[
    float | None, typer.Option("--timepoint", metavar="NUMBER", help="Timepoint value.")
]


commands = command_group()

SUBGROUP_FIELDS = ("design", "phase", "status", "comparator_role", "endpoint_kind")


@command(commands)
def meta(
    ctx: typer.Context,
    measure: Annotated[
        MetaMeasure,
        typer.Option("--measure", "-m", metavar=choices(MetaMeasure), help="Effect measure."),
    ] = MetaMeasure.RISK_RATIO,
    method: Annotated[
        MetaMethod,
        typer.Option(
            "--method",
            metavar=choices(MetaMethod),
            help="FE (inverse variance), MH, PETO, or random effects by a τ² estimator.",
        ),
    ] = MetaMethod.REML,
    hksj: Annotated[
        bool, typer.Option("--hksj", help="Hartung-Knapp-Sidik-Jonkman CI and test (t, k-1 df).")
    ] = False,
    trial: StudyTrialOption = None,
    endpoint: StudyEndpointOption = None,
    endpoint_kind: StudyEndpointKindOption = None,
    intervention: InterventionOption = None,
    timepoint: StudyTimepointOption = None,
    timepoint_unit: Annotated[
        str | None, typer.Option("--timepoint-unit", metavar="UNIT", help="Timepoint unit.")
    ] = None,
    subgroup: Annotated[
        str | None,
        typer.Option(
            "--subgroup",
            metavar="<" + "|".join(SUBGROUP_FIELDS) + ">",
            help="Pool each subgroup apart and test the differences between them.",
        ),
    ] = None,
    leave_one_out: Annotated[
        bool, typer.Option("--leave-one-out", help="Pool again without each study in turn.")
    ] = False,
    zero_cell_add: Annotated[
        float,
        typer.Option(
            "--zero-cell-add",
            metavar="NUMBER",
            help="Added to the cells of a study with a zero cell.",
        ),
    ] = 0.5,
    include_double_zero: Annotated[
        bool,
        typer.Option(
            "--include-double-zero", help="Keep studies with no events in both arms (ratios)."
        ),
    ] = False,
    lineage: Annotated[
        bool,
        typer.Option("--lineage", help="With the table: the quote or JSON path of every number."),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="FILE", help="Forest plot to write: FILE.png or FILE.svg."),
    ] = None,
    funnel: Annotated[
        Path | None,
        typer.Option(
            "--funnel", metavar="FILE", help="Funnel plot with Egger's test (10 studies or more)."
        ),
    ] = None,
    analysis: Annotated[
        str | None,
        typer.Option(
            "--analysis",
            metavar="KEY",
            help="A saved analysis (seeds/analyses/*.yaml): its studies, measure and model.",
        ),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Pool the studies a filter selects: one study per trial, experimental vs comparator.

    Each study's effect size comes from arm-level results (events/N for risk ratio, odds ratio
    and risk difference; mean, SD and N for mean differences, Hedges' g for the standardised
    one) or from a reported estimate with its CI (hazard ratios always). The numbers equal R's
    metafor (escalc, rma, rma.mh, rma.peto). Studies that cannot be used are listed with the
    reason: no usable numbers, direction unknown, several endpoints of one trial (choose one
    with --endpoint TRIAL:KEY).

    With --analysis KEY: the saved analysis, recomputed from the facts as they are (its
    stored results are those of the last load); the selection and model options do not apply.

    Example: evidencedb meta --endpoint-kind relapse --measure risk_ratio --method DL --hksj
    """
    from evidencedb.analysis.meta.analysis import MetaOptions
    from evidencedb.analysis.meta.studies import ZeroCellPolicy
    from evidencedb.errors import EvidenceError
    from evidencedb.operations.meta import run_meta
    from evidencedb.query.meta_inputs import MetaSelection
    from evidencedb.store.database import reading

    if subgroup is not None and subgroup not in SUBGROUP_FIELDS:
        raise typer.BadParameter(
            f"{subgroup!r} is not one of {', '.join(SUBGROUP_FIELDS)}", param_hint="--subgroup"
        )
    if zero_cell_add < 0:
        raise typer.BadParameter("must be 0 or more", param_hint="--zero-cell-add")
    selection = MetaSelection(
        trials=tuple(trial or ()),
        endpoints=tuple(endpoint or ()),
        endpoint_kind=endpoint_kind,
        intervention=intervention,
        timepoint=timepoint,
        timepoint_unit=timepoint_unit,
    )
    options = MetaOptions(
        measure=measure,
        method=method,
        knha=hksj,
        zero_cells=ZeroCellPolicy(zero_cell_add, include_double_zero),
        subgroup=subgroup,
        leave_one_out=leave_one_out,
    )
    filtered = trial or endpoint or endpoint_kind or intervention or timepoint is not None
    if analysis is not None and filtered:
        raise typer.BadParameter("a saved analysis names its own studies", param_hint="--analysis")
    with reading(ctx.obj) as connection:
        if analysis is None:
            result = run_meta(connection, selection, options)
        else:
            from evidencedb.operations.saved_meta import compute_saved, saved_by_key

            record = saved_by_key(connection, analysis).record
            result = compute_saved(
                connection, record, subgroup=subgroup, leave_one_out=leave_one_out
            )
    if result.pooled is None and not result.excluded:
        raise EvidenceError("no study matches the filters")
    print_meta(result, fmt, lineage=lineage)
    if plot is not None or funnel is not None:
        _plots(result, plot, funnel)


def _plots(result: MetaResult, forest: Path | None, funnel: Path | None) -> None:
    from evidencedb.analysis.meta import forest as figures

    if forest is not None:
        figures.draw_forest(result, forest)
        echo_err(f"wrote {forest}")
    if funnel is not None:
        figures.draw_funnel(result, funnel)
        echo_err(f"wrote {funnel}")


@command(export_commands.commands, "metafor")
def export_metafor(
    ctx: typer.Context,
    trial: StudyTrialOption = None,
    endpoint: StudyEndpointOption = None,
    endpoint_kind: StudyEndpointKindOption = None,
    intervention: InterventionOption = None,
    timepoint: StudyTimepointOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="CSV file \\[default: stdout].")
    ] = None,
) -> None:
    """Write analysis-ready long CSV for R's metafor or meta: one row per study × contrast,
    oriented experimental vs comparator, with events/N per arm (ai, n1i, ci, n2i), mean/SD/N
    per arm (m1i, sd1i, n1i, m2i, sd2i, n2i) or a reported estimate as yi and sei (log scale
    for ratios), the trial, endpoint, timepoint and the ids of the facts used.

    In R: d <- read.csv("metafor.csv"); escalc("RR", ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=d,
    subset=data_type == "counts")

    Example: evidencedb export metafor --endpoint-kind relapse --out metafor.csv
    """
    from evidencedb.analysis.meta.long_format import METAFOR_COLUMNS
    from evidencedb.operations.meta import metafor_export
    from evidencedb.query import export
    from evidencedb.query.meta_inputs import MetaSelection
    from evidencedb.store.database import reading

    selection = MetaSelection(
        trials=tuple(trial or ()),
        endpoints=tuple(endpoint or ()),
        endpoint_kind=endpoint_kind,
        intervention=intervention,
        timepoint=timepoint,
    )
    with reading(ctx.obj) as connection:
        rows = metafor_export(connection, selection)
    lines = ([row[column] for column in METAFOR_COLUMNS] for row in rows)
    if out is None:
        export.write_csv_rows(sys.stdout, METAFOR_COLUMNS, lines)
        return
    written = export.write_file_atomically(
        out, lambda stream: export.write_csv_rows(stream, METAFOR_COLUMNS, lines)
    )
    echo_err(f"wrote {written} rows to {out}")
