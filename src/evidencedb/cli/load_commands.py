"""`evidencedb load`, `validate`, `schema` and `summary`: seed files into the database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.options import SeedPaths
from evidencedb.cli.output import echo_err, print_load_report, print_rows

commands = command_group()


@command(commands)
def load(
    ctx: typer.Context,
    paths: SeedPaths,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and resolve references; write nothing.")
    ] = False,
) -> None:
    """Validate seed files, then load them all in one transaction.

    A new database is created at the current schema. Loading the same files again changes
    nothing; an edited file replaces that trial's facts. Any problem: nothing is written.

    Example: evidencedb load seeds/
    """
    from evidencedb.operations.load import check_seed_files, load_seed_files
    from evidencedb.seedfiles.reading import read_seeds
    from evidencedb.store.database import database_exists, writing

    reading = read_seeds(paths)
    if reading.problems and not database_exists(ctx.obj):
        check_seed_files(None, reading)  # raises: a refused file creates no database
    with writing(ctx.obj, dry_run=dry_run) as connection:
        report = load_seed_files(connection, reading)
    verb = "validated" if dry_run else "loaded"
    print_load_report(report, f"{verb} {len(report.trials)} trial(s), {report.facts} fact(s)")


@command(commands)
def validate(ctx: typer.Context, paths: SeedPaths) -> None:
    """Validate seed files; list every problem that `load` would refuse, in one pass.

    Checks the schema, duplicate facts, references to arms, endpoints, sources,
    interventions and trials, and that every quote is in its source's document. Without
    `--db`, references must be declared by the files given; with `--db` (or
    EVIDENCEDB_URL), that database is searched too, as `load` would. Nothing is written.

    Example: evidencedb validate seeds/
    """
    from evidencedb.operations.load import check_seed_files
    from evidencedb.seedfiles.reading import read_seeds
    from evidencedb.store.database import reading as reading_database

    read = read_seeds(paths)
    if ctx.obj is None:
        resolution = check_seed_files(None, read)
    else:
        with reading_database(ctx.obj, read_only=True) as connection:
            resolution = check_seed_files(connection, read)
    for warning in resolution.warnings:
        echo_err(f"warning: {warning}")
    echo_err(f"{len(read.bundles) + len(read.analyses)} file(s) valid")


@command(commands)
def schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write to this file instead of stdout."),
    ] = None,
    analysis: Annotated[
        bool, typer.Option("--analysis", help="The schema of saved-analysis files instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of seed files (editors use it to check and complete YAML).

    Example: evidencedb schema --out seeds/schema.json
    """
    import json

    from evidencedb.seedfiles.jsonschema import analysis_json_schema, json_schema

    found = analysis_json_schema() if analysis else json_schema()
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        echo_err(f"wrote {out}")


@command(commands)
def summary(ctx: typer.Context) -> None:
    """Show how many rows each table holds.

    Example: evidencedb summary
    """
    from evidencedb.operations.summary import table_counts
    from evidencedb.store.database import reading

    with reading(ctx.obj) as connection:
        counts = table_counts(connection)
    print_rows([{"table": name, "rows": count} for name, count in counts.items()], "table")
