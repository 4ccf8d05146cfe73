"""`evidencedb import ...`: registry records into the database, through the one loader."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evidencedb.cli.output import echo_err, handle_errors
from evidencedb.operations import import_ctgov as imports

app = typer.Typer(
    help="Import registry records (ClinicalTrials.gov API v2 study JSON).", no_args_is_help=True
)

MAX_WARNINGS_SHOWN = 20


class ProgressBar:
    """A progress bar on stderr, counting input files; studies are counted in its text."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("reading", total=None)
        self.studies = 0

    def started(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def advanced(self, files: int, studies: int) -> None:
        self.studies += studies
        self.progress.update(self.task, advance=files, description=f"{self.studies} studies")


@app.command("ctgov")
@handle_errors
def ctgov(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Study files (.json), pages of /studies, folders of them, or the bulk ZIP.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read, map, validate and resolve; write nothing.")
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size", min=1, help="Studies mapped and loaded at a time (bounds memory)."
        ),
    ] = imports.IMPORT_BATCH_SIZE,
) -> None:
    """Import ClinicalTrials.gov API v2 study records, offline, in one transaction.

    PATH is a study as /api/v2/studies/NCT... returns it, a page of /api/v2/studies, a folder
    of such files, or the bulk download's ZIP (read without unpacking it). Any problem: every
    problem of the batch is listed and nothing is written. Importing the same records again
    changes nothing; a newer version of a study replaces its registry facts; an older one is
    skipped, with a warning.

    Example: evidencedb import ctgov NCT02210780.json ctg-studies.json.zip
    """
    show_bar = sys.stderr.isatty()
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) if show_bar else nullcontext() as bar:
        report = imports.import_ctgov(
            ctx.obj,
            paths,
            dry_run=dry_run,
            batch_size=batch_size,
            progress=ProgressBar(bar) if isinstance(bar, Progress) else None,
        )
    _print_summary(report, dry_run=dry_run)


def _print_summary(report: imports.ImportReport, *, dry_run: bool) -> None:
    warnings = report.load.warnings
    for warning in warnings[:MAX_WARNINGS_SHOWN]:
        echo_err(f"warning: {warning}")
    if len(warnings) > MAX_WARNINGS_SHOWN:
        echo_err(f"warning: ... and {len(warnings) - MAX_WARNINGS_SHOWN} more warning(s)")
    verb = "validated" if dry_run else "imported"
    skipped = f" ({report.skipped} skipped)" if report.skipped else ""
    changes = "; ".join(
        f"{name} +{c.inserted} ~{c.updated} -{c.deleted}"
        for name, c in sorted(report.load.changes.items())
        if c.inserted or c.updated or c.deleted
    )
    echo_err(
        f"{verb} {report.imported} of {report.studies} studies{skipped}, "
        f"{report.load.facts} facts in {report.seconds:.1f} s: {changes or 'nothing changed'}"
    )
