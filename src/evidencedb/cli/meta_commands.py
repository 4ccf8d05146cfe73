"""`evidencedb meta` and `evidencedb export metafor`: pooling, and the long CSV R pools from."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidencedb.cli import export_commands
from evidencedb.cli.command import command, command_group
from evidencedb.cli.options import FormatOption, InterventionOption, choices
from evidencedb.cli.output import Format, echo_err, number_text, print_rows
from evidencedb.enums import EndpointKind, MetaMeasure, MetaMethod

if TYPE_CHECKING:
    from evidencedb.analysis.meta.analysis import MetaResult

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
    trial: Annotated[
        list[str] | None, typer.Option("--trial", metavar="KEY", help="Trial key (repeatable).")
    ] = None,
    endpoint: Annotated[
        list[str] | None,
        typer.Option(
            "--endpoint",
            metavar="KEY|TRIAL:KEY",
            help="Endpoint key, or TRIAL:KEY for one trial's endpoint (repeatable).",
        ),
    ] = None,
    endpoint_kind: Annotated[
        EndpointKind | None, typer.Option("--endpoint-kind", help="Kind of endpoint.")
    ] = None,
    intervention: InterventionOption = None,
    timepoint: Annotated[
        float | None, typer.Option("--timepoint", metavar="NUMBER", help="Timepoint value.")
    ] = None,
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
    trial: Annotated[
        list[str] | None, typer.Option("--trial", metavar="KEY", help="Trial key (repeatable).")
    ] = None,
    endpoint: Annotated[
        list[str] | None,
        typer.Option(
            "--endpoint",
            metavar="KEY|TRIAL:KEY",
            help="Endpoint key, or TRIAL:KEY for one trial's endpoint (repeatable).",
        ),
    ] = None,
    endpoint_kind: Annotated[
        EndpointKind | None, typer.Option("--endpoint-kind", help="Kind of endpoint.")
    ] = None,
    intervention: InterventionOption = None,
    timepoint: Annotated[
        float | None, typer.Option("--timepoint", metavar="NUMBER", help="Timepoint value.")
    ] = None,
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
