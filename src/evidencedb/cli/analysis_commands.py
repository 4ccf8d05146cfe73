"""`evidencedb compare` and `evidencedb check`: derived effect sizes and data-quality findings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.options import FormatOption
from evidencedb.cli.output import Format, echo_err, print_rows
from evidencedb.query.readable import number_text

if TYPE_CHECKING:
    from evidencedb.analysis.findings import Finding

commands = command_group()

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


@command(commands)
def compare(
    ctx: typer.Context,
    trial: Annotated[
        str, typer.Argument(metavar="TRIAL", help="Key of the trial.", show_default=False)
    ],
    endpoint: Annotated[
        str | None,
        typer.Option("--endpoint", "-e", metavar="KEY", help="Only this endpoint (its key)."),
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
    from evidencedb.analysis.contrast import contrast_of
    from evidencedb.query.comparisons import derived_for_trial
    from evidencedb.store.database import reading

    with reading(ctx.obj) as connection:
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
    _print(rows, (*COMPARE_COLUMNS, *_every_other_column(COMPARE_COLUMNS)), fmt)


def _every_other_column(shown: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of a comparison row that `shown` leaves out, so that csv and json carry
    every column, the ones a reader scans first."""
    from evidencedb.query.comparisons import COMPARISON_ROW_COLUMNS

    return tuple(column for column in COMPARISON_ROW_COLUMNS if column not in shown)


def _compare_display(row: dict[str, Any]) -> dict[str, Any]:
    """A row as a person reads it in a terminal: rounded numbers, the CI in one cell, and
    only what fits a screen (the csv and json formats have every column)."""
    from evidencedb.analysis.stats import DERIVED_LEVEL

    lower, upper, level = row["ci_lower"], row["ci_upper"], row["ci_level"]
    endpoint = row["endpoint_key"] + (f" [{row['label']}]" if row["label"] else "")
    interval = (
        "—" if lower is None or upper is None else f"{_estimate(lower)} to {_estimate(upper)}"
    )
    if level is not None and level != DERIVED_LEVEL:  # a curated row may have another level
        interval += f" ({level:.0%})"
    return {
        "endpoint": endpoint,
        "arm vs comparator": f"{row['arm_key']} vs {row['comparator_arm_key']}",
        "measure": str(row["measure"]).replace("_", " "),
        "estimate": _estimate(row["value"]),
        f"{DERIVED_LEVEL:.0%} CI": interval,
        "contrast": row["contrast"],
        "derived from": row["note"],
    }


@command(commands)
def check(
    ctx: typer.Context,
    seeds: Annotated[
        Path,
        typer.Option(
            "--seeds",
            metavar="FOLDER",
            help="Where to look for a document the loader did not record or that moved: the "
            "folder its `document:` path is relative to.",
        ),
    ] = Path("seeds"),
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 on warnings too (a document not read, ...)."),
    ] = False,
    fmt: FormatOption = "table",
) -> None:
    """List data-quality findings with their severity, the fact and its source; exit 1 when
    any is an error (with --strict, a warning too), so that it can gate a pipeline.

    Quotes are checked against each source's document where the loader found it, relative to
    the seed file that declared it; --seeds is only where to look for one that moved.

    Errors: a percentage that is not numerator/denominator beyond rounding, a CI that does
    not contain its estimate, more participants affected than at risk, a randomised contrast
    against a historical or external control, a quote missing from its source's document.

    Warnings: arm sizes that differ between endpoints, counts above an arm's enrolment, an
    endpoint with no result, a randomised contrast in a non-randomised trial, a registry value
    that is impossible (kept as text) or a registry's participant flow or baseline that cannot
    be true as published, a fact whose number its quote does not write (81.6 / 81.6%, .59 /
    0.59, 1,234, ten all match), a document that cannot be read (its quotes were not checked)
    or that changed since it was loaded.

    Info: endpoints of a trial that has no results yet.

    Example: evidencedb check --strict --format csv > findings.csv
    """
    from evidencedb.analysis import checks
    from evidencedb.analysis.findings import FINDING_COLUMNS, has_errors
    from evidencedb.store.database import reading

    with reading(ctx.obj) as connection:
        findings = checks.run_checks(connection, documents_root=seeds)
    if findings or fmt != "table":
        _print([finding.as_dict() for finding in findings], FINDING_COLUMNS, fmt)
    echo_err(_summary(findings))
    if has_errors(findings) or (strict and any(f.severity == "warning" for f in findings)):
        raise typer.Exit(1)


def _print(rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: Format) -> None:
    if fmt == "table" and not rows:
        echo_err("no rows")
        return
    if fmt == "csv" and not rows:
        from evidencedb.query.export import write_csv_rows

        write_csv_rows(sys.stdout, columns, [])  # the header still tells a pipeline the shape
        return
    print_rows([{column: row[column] for column in columns} for row in rows], fmt)


def _summary(findings: list[Finding]) -> str:
    from evidencedb.analysis.findings import Severity

    if not findings:
        return "no findings"
    counts = {severity: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    return ", ".join(f"{count} {severity.value}" for severity, count in counts.items()) + (
        " finding(s)"
    )


def _estimate(value: float | None) -> str:
    return number_text(value, decimals=3)
