"""Typer application, global options, and the commands for loading and schema."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from evidencedb import __version__
from evidencedb.cli.output import echo_err, handle_errors
from evidencedb.loader.report import LoadReport
from evidencedb.operations import service
from evidencedb.store.engine import URL_ENVIRONMENT_VARIABLE

app = typer.Typer(
    name="evidencedb",
    help=(
        "Structured evidence from clinical trials: load curated seed files and registry "
        "records, query results, comparisons and adverse events, export CSV.\n\n"
        "Example: evidencedb load seeds/ && evidencedb results --endpoint-kind overall_survival"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"evidencedb {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=URL_ENVIRONMENT_VARIABLE,
            help="Database URL or SQLite file [default: sqlite:///evidence.db].",
            show_envvar=True,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.obj = db


Paths = Annotated[
    list[Path],
    typer.Argument(help="Seed files (.yaml) or folders of them.", show_default=False),
]


def _print_report(report: LoadReport, *, verb: str) -> None:
    for warning in report.warnings:
        echo_err(f"warning: {warning}")
    changes = {
        name: counts
        for name, counts in sorted(report.changes.items())
        if counts.inserted or counts.updated or counts.deleted
    }
    trials = len(report.trials)
    if not changes:
        echo_err(f"{verb} {trials} trial(s), {report.facts} fact(s): nothing changed")
        return
    detail = "; ".join(
        f"{name} +{c.inserted} ~{c.updated} -{c.deleted}" for name, c in changes.items()
    )
    echo_err(f"{verb} {trials} trial(s), {report.facts} fact(s): {detail}")


@app.command()
@handle_errors
def load(
    ctx: typer.Context,
    paths: Paths,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and resolve references; write nothing.")
    ] = False,
) -> None:
    """Validate seed files, then load them all in one transaction.

    A new database is created at the current schema. Loading the same files again changes
    nothing; an edited file replaces that trial's facts. Any problem: nothing is written.

    Example: evidencedb load seeds/
    """
    report = service.load_seed_paths(ctx.obj, paths, dry_run=dry_run)
    _print_report(report, verb="validated" if dry_run else "loaded")


@app.command()
@handle_errors
def validate(paths: Paths) -> None:
    """Validate seed files without a database; list every problem found.

    Example: evidencedb validate seeds/
    """
    from evidencedb.seedfiles.reading import read_seed_files

    bundles = read_seed_files(paths)
    echo_err(f"{len(bundles)} file(s) valid")


@app.command()
@handle_errors
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of seed files (editors use it to check and complete YAML).

    Example: evidencedb schema --out seeds/schema.json
    """
    text = service.write_json_schema(out)
    if out is None:
        sys.stdout.write(text)
    else:
        echo_err(f"wrote {out}")


@app.command()
@handle_errors
def summary(ctx: typer.Context) -> None:
    """Show how many rows each table holds.

    Example: evidencedb summary
    """
    from evidencedb.cli.output import print_rows

    with service.reading(ctx.obj) as connection:
        counts = service.table_counts(connection)
    print_rows([{"table": name, "rows": count} for name, count in counts.items()], "table")


from evidencedb.cli import db_commands, query_commands  # noqa: E402

app.add_typer(db_commands.app, name="db")
query_commands.register(app)

from evidencedb.cli import analysis_commands  # noqa: E402  (compare, check, plot)

analysis_commands.register(app)

from evidencedb.cli import import_commands  # noqa: E402  (registers the `import` group)

app.add_typer(import_commands.app, name="import")
