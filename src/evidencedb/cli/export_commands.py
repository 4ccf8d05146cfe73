"""`evidencedb export csv`: tables and flat views as CSV files.

`export metafor` is in this group too; it is defined in `meta_commands`, beside `meta`, whose
study selection it shares.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.output import echo_err

commands = command_group("export", help="Export tables and views.")


@command(commands, "csv")
def export_csv(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME", help="One table or view (e.g. results_flat); omit to export all."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="PATH",
            help="Folder for all exports \\[default: exports], or file for one export.",
        ),
    ] = None,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="Start each file with a UTF-8 BOM, for Excel on Windows."),
    ] = False,
) -> None:
    """Write CSV: every table, the flat views and data_dictionary.csv into a folder (created
    if missing) with datapackage.json, their Frictionless Data Package (fields, types, primary
    and foreign keys); or one of them to a file or stdout. UTF-8, RFC 4180, empty cell for
    NULL, formulas neutralised.

    Example: evidencedb export csv --out exports/   |   evidencedb export csv results_flat
    """
    from evidencedb.query import export
    from evidencedb.query.datapackage import DATAPACKAGE
    from evidencedb.store.database import reading

    with reading(ctx.obj, snapshot=True) as connection:
        if name is None:
            folder = out or Path("exports")
            counts = export.export_all(connection, folder, bom=bom)
            echo_err(
                f"wrote {len(counts)} CSV files and {DATAPACKAGE} to {folder}/ "
                f"({sum(counts.values())} rows)"
            )
        elif out is None:
            if bom:
                sys.stdout.write(export.BOM)
            export.write_export(connection, name, sys.stdout)
        else:
            rows = export.write_file_atomically(
                out, lambda stream: export.write_export(connection, name, stream), bom=bom
            )
            echo_err(f"wrote {rows} rows to {out}")
