"""`evidencedb import ...`: registry records into the database, through the one loader."""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.output import print_load_report

if TYPE_CHECKING:
    from rich.progress import Progress

commands = command_group(
    "import", help="Import registry records (ClinicalTrials.gov API v2 study JSON)."
)

MAX_WARNINGS_SHOWN = 20
# The operation's default, repeated so that `--help` need not import the importer.
IMPORT_BATCH_SIZE = 500


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


@command(commands)
def ctgov(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
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
            "--batch-size",
            min=1,
            metavar="STUDIES",
            help="Studies mapped and loaded at a time (bounds memory).",
        ),
    ] = IMPORT_BATCH_SIZE,
) -> None:
    """Import ClinicalTrials.gov API v2 study records, offline, in one transaction.

    PATH is a study as /api/v2/studies/NCT... returns it, a page of /api/v2/studies, a folder
    of such files, or the bulk download's ZIP (read without unpacking it). Any problem: every
    problem of the batch is listed and nothing is written. Importing the same records again
    changes nothing; a newer version of a study replaces its registry facts; an older one is
    skipped, with a warning.

    Example: evidencedb import ctgov NCT02210780.json ctg-studies.json.zip
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from evidencedb.operations.import_ctgov import import_ctgov
    from evidencedb.records.input_paths import expand_paths
    from evidencedb.registries.ctgov.files import SUFFIXES
    from evidencedb.store.database import writing

    # Refuse a missing path before opening: it must not leave a new, empty database behind.
    for _ in expand_paths(paths, SUFFIXES):
        pass

    started = time.perf_counter()
    show_bar = sys.stderr.isatty()
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, console=console, transient=True) if show_bar else nullcontext() as bar,
        writing(ctx.obj, dry_run=dry_run) as connection,
    ):
        report = import_ctgov(
            connection,
            paths,
            batch_size=batch_size,
            progress=ProgressBar(bar) if isinstance(bar, Progress) else None,
        )
    verb = "validated" if dry_run else "imported"
    skipped = f" ({report.skipped} skipped)" if report.skipped else ""
    seconds = time.perf_counter() - started  # the commit included
    print_load_report(
        report.load,
        f"{verb} {report.imported} of {report.studies} studies{skipped}, "
        f"{report.load.facts} facts in {seconds:.1f} s",
        warnings_shown=MAX_WARNINGS_SHOWN,
    )
