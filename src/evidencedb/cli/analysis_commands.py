"""`evidencedb compare`, `evidencedb check` and `evidencedb plot forest`."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from evidencedb.analysis import checks
from evidencedb.analysis.contrast import contrast_of
from evidencedb.analysis.derive import LEVEL as DERIVED_LEVEL
from evidencedb.analysis.findings import FINDING_COLUMNS, Finding, Severity, has_errors
from evidencedb.cli.output import Format, echo_err, handle_errors, print_rows
from evidencedb.enums import ComparisonMeasure, ComparisonOrigin, EndpointKind
from evidencedb.operations import service
from evidencedb.query.comparisons import comparison_rows, derived_for_trial
from evidencedb.query.export import write_csv_rows
from evidencedb.query.filters import FactFilters

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, csv or json.")
]

COMPARE_COLUMNS = (
    "trial_key",
    "endpoint_key",
    "label",
    "arm_key",
    "comparator_arm_key",
    "comparator_role",
    "measure",
    "measure_label",
    "value",
    "ci_lower",
    "ci_upper",
    "ci_level",
    "method",
    "randomized",
    "contrast",
    "note",
    "source_key",
    "quote",
)


def compare(
    ctx: typer.Context,
    trial: Annotated[str, typer.Argument(help="Key of the trial.", show_default=False)],
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", "-e", help="Only this endpoint (its key).")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Show the effect sizes derived from a trial's arm-level results, with 95% CIs.

    For every endpoint with results in two contrasted arms (experimental vs comparator, or
    arms that a reported comparison contrasts): from counts the risk difference (Newcombe),
    risk ratio (Katz), odds ratio (Woolf) and, where the outcome's direction is known, the
    number needed to treat; from reported rates the difference of rates. Each row says
    whether the contrast is randomised. They are computed when the trial is loaded and sit
    beside the reported estimates in `evidencedb comparisons`.

    Example: evidencedb compare blinatumomab-infant-kmt2a-all --endpoint dfs-2y
    """
    with service.reading(ctx.obj) as connection:
        rows = [
            {**row, "contrast": contrast_of(row)}
            for row in derived_for_trial(connection, trial, endpoint)
        ]
    if not rows:
        echo_err(
            f"no derived comparisons for {trial}: they need results of two contrasted arms on "
            "the same endpoint, subgroup and source (a file loaded by an older evidencedb "
            "gets them when it is loaded again)"
        )
    if fmt == "table":
        if rows:
            print_rows([_compare_display(row) for row in rows], fmt)
        return
    _print(rows, COMPARE_COLUMNS, fmt)


def _compare_display(row: dict[str, Any]) -> dict[str, Any]:
    """A row as a person reads it in a terminal: rounded numbers, the CI in one cell, and
    only what fits a screen (the csv and json formats have every column)."""
    lower, upper, level = row["ci_lower"], row["ci_upper"], row["ci_level"]
    endpoint = row["endpoint_key"] + (f" [{row['label']}]" if row["label"] else "")
    interval = "—" if lower is None or upper is None else f"{_fmt(lower)} to {_fmt(upper)}"
    if level is not None and level != DERIVED_LEVEL:  # a curated row may have another level
        interval += f" ({level:.0%})"
    return {
        "endpoint": endpoint,
        "arm vs comparator": f"{row['arm_key']} vs {row['comparator_arm_key']}",
        "measure": str(row["measure"]).replace("_", " "),
        "estimate": _fmt(row["value"]),
        f"{DERIVED_LEVEL:.0%} CI": interval,
        "contrast": row["contrast"],
        "derived from": row["note"],
    }


def check(
    ctx: typer.Context,
    seeds: Annotated[
        Path,
        typer.Option(
            "--seeds",
            help="Folder the sources' document paths are relative to (the seed files' folder).",
        ),
    ] = Path("seeds"),
    fmt: FormatOption = "table",
) -> None:
    """List data-quality findings with their severity, the fact and its source; exit 1 when
    any is an error, so that it can gate a pipeline.

    Errors: a percentage that is not numerator/denominator beyond rounding, a CI that does
    not contain its estimate, more participants affected than at risk, a randomised contrast
    against a historical or external control, a quote missing from its source's document.

    Warnings: arm sizes that differ between endpoints, counts above an arm's enrolment, an
    endpoint with no result, a randomised contrast in a non-randomised trial.

    Info: a document that is not at hand (its quotes were not checked), endpoints of a trial
    that has no results yet.

    Example: evidencedb check --seeds seeds/ --format csv > findings.csv
    """
    with service.reading(ctx.obj) as connection:
        findings = checks.run_checks(connection, documents_root=seeds)
    if findings or fmt != "table":
        _print([finding.as_dict() for finding in findings], FINDING_COLUMNS, fmt)
    echo_err(_summary(findings))
    if has_errors(findings):
        raise typer.Exit(1)


plot_app = typer.Typer(
    help=(
        "Draw figures of the database's comparisons.\n\n"
        "Example: evidencedb plot forest --endpoint-kind overall_survival --out os.svg"
    ),
    no_args_is_help=True,
)


def forest(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Image to write: FILE.png or FILE.svg.")],
    trial: Annotated[
        list[str] | None, typer.Option("--trial", help="Trial key (repeatable).")
    ] = None,
    endpoint_kind: Annotated[
        list[EndpointKind] | None,
        typer.Option("--endpoint-kind", help="Kind of endpoint (repeatable)."),
    ] = None,
    measure: Annotated[
        list[ComparisonMeasure] | None,
        typer.Option("--measure", help="Effect measure (repeatable)."),
    ] = None,
    origin: Annotated[
        list[ComparisonOrigin] | None,
        typer.Option("--origin", help="reported or derived (repeatable)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the figure.")] = None,
) -> None:
    """Draw a forest plot of comparisons: each estimate with its CI, labelled by trial,
    endpoint and arms; one panel per measure, ratios on a log scale; randomised contrasts as
    filled squares, non-randomised ones as open circles. Needs matplotlib:
    pip install 'evidencedb[plot]'.

    Example: evidencedb plot forest --trial blinatumomab-infant-kmt2a-all --out forest.png
    """
    from evidencedb.analysis import plot

    with service.reading(ctx.obj) as connection:
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


def _print(rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: Format) -> None:
    if fmt == "table" and not rows:
        echo_err("no rows")
        return
    if fmt == "csv" and not rows:
        write_csv_rows(sys.stdout, columns, [])  # the header still tells a pipeline the shape
        return
    print_rows([{column: row[column] for column in columns} for row in rows], fmt)


def _summary(findings: list[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = {severity: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    return ", ".join(f"{count} {severity.value}" for severity, count in counts.items()) + (
        " finding(s)"
    )


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0 or 0.001 <= abs(value) < 100_000:
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def _help(function: Callable[..., Any]) -> str:
    """A docstring as help text: its paragraphs unwrapped, since Typer's rich help keeps each
    line break of the source, and brackets escaped, which rich would take for markup."""
    paragraphs = inspect.cleandoc(function.__doc__ or "").split("\n\n")
    return "\n\n".join(escape(" ".join(p.split("\n"))) for p in paragraphs)


plot_app.command(help=_help(forest))(handle_errors(forest))


def register(app: typer.Typer) -> None:
    app.command(help=_help(compare))(handle_errors(compare))
    app.command(help=_help(check))(handle_errors(check))
    app.add_typer(plot_app, name="plot")
