"""`evidencedb import ...`: registry records into the database, through the one loader."""

from __future__ import annotations

import csv
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.output import echo_err, print_load_report

if TYPE_CHECKING:
    from rich.progress import Progress

    from evidencedb.operations.import_ctgov import ImportReport

commands = command_group(
    "import", help="Import registry records (ClinicalTrials.gov API v2 study JSON)."
)

MAX_WARNINGS_SHOWN = 20
REJECT_COLUMNS = ("file", "nct_id", "json_path", "value", "reason", "outcome")
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
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Any problem is fatal and nothing is written: a value kept as text, a record "
            "or a file skipped.",
        ),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            metavar="FILE.csv",
            help="Write every problem to this CSV: file, NCT id, JSON path, the registry's "
            "value, reason, and what became of it.",
            dir_okay=False,
        ),
    ] = None,
    every_record: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Map and load every record, also those imported before exactly as they are "
            "(skipped by default).",
        ),
    ] = False,
) -> None:
    """Import ClinicalTrials.gov API v2 study records, offline, in one transaction.

    PATH is a study as /api/v2/studies/NCT... returns it, a page of /api/v2/studies, a folder
    of such files, or the bulk download's ZIP (read without unpacking it). The registry is
    taken as it is: a value that is not a number or is impossible (a p-value of 60.66, an odds
    ratio of 0) is stored as the registry's text with no number, a record that cannot be
    mapped is skipped, and so is a file that holds no study; the summary counts them,
    --rejects lists them, --strict refuses them. A record imported before exactly as it is now
    is skipped without being read further (--all maps it again); a newer version of a study
    replaces its registry facts, and the facts it added, changed and removed are listed per
    study; an older one is skipped, with a warning.

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
            strict=strict,
            skip_unchanged=not every_record,
        )
    verb = "validated" if dry_run else "imported"
    left_out = [
        f"{report.unchanged} unchanged" if report.unchanged else "",
        f"{report.skipped} skipped" if report.skipped else "",
    ]
    skipped = f" ({', '.join(part for part in left_out if part)})" if any(left_out) else ""
    changed = report.changed_records()
    for key, counts in list(changed.items())[:MAX_WARNINGS_SHOWN]:
        echo_err(
            f"changed: {key}: facts +{counts.inserted} added, ~{counts.updated} changed, "
            f"-{counts.deleted} removed"
        )
    if len(changed) > MAX_WARNINGS_SHOWN:
        echo_err(f"changed: ... and {len(changed) - MAX_WARNINGS_SHOWN} more studies")
    seconds = time.perf_counter() - started  # the commit included
    print_load_report(
        report.load,
        f"{verb} {report.imported} of {report.studies} studies{skipped}, "
        f"{report.load.facts} facts in {seconds:.1f} s",
        warnings_shown=MAX_WARNINGS_SHOWN,
    )
    _report_rejects(report, rejects)


def _report_rejects(report: ImportReport, path: Path | None) -> None:
    """One line of what was not taken as it stands, and the --rejects file."""
    from evidencedb.errors import EvidenceError, RejectOutcome

    kept = report.count(RejectOutcome.KEPT_RAW)
    records = report.count(RejectOutcome.RECORD_SKIPPED)
    files = report.count(RejectOutcome.FILE_SKIPPED)
    if kept or records or files:
        where = f"; listed in {path}" if path else "; --rejects FILE.csv lists them"
        echo_err(
            f"{kept} value(s) kept as the registry's text, {records} record(s) and "
            f"{files} file(s) skipped{where}"
        )
    if path is None:
        return
    try:
        handle = path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise EvidenceError(f"cannot write {path}: {error.strerror or error}") from error
    with handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for reject in sorted(report.rejects):
            writer.writerow(
                [
                    reject.file,
                    reject.nct_id,
                    reject.path,
                    reject.value,
                    reject.reason,
                    reject.outcome,
                ]
            )
