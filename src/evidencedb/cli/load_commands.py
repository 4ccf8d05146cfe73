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
    from evidencedb.operations.load import load_bundles
    from evidencedb.seedfiles.reading import read_seed_inputs
    from evidencedb.store.database import writing

    inputs = read_seed_inputs(paths)  # before opening: a refused file creates no database
    with writing(ctx.obj, dry_run=dry_run) as connection:
        report = load_bundles(connection, inputs.bundles, inputs.analyses)
    verb = "validated" if dry_run else "loaded"
    print_load_report(report, f"{verb} {len(report.trials)} trial(s), {report.facts} fact(s)")


@command(commands)
def validate(paths: SeedPaths) -> None:
    """Validate seed files without a database; list every problem found.

    Example: evidencedb validate seeds/
    """
    from evidencedb.seedfiles.reading import read_seed_inputs

    inputs = read_seed_inputs(paths)
    echo_err(f"{len(inputs.bundles) + len(inputs.analyses)} file(s) valid")


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
