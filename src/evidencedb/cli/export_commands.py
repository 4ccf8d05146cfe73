"""`evidencedb export csv`: tables and flat views as CSV files."""

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
) -> None:
    """Write CSV: every table, the flat views and data_dictionary.csv into a folder, or one
    of them to a file or stdout. UTF-8, RFC 4180, empty cell for NULL, formulas neutralised.

    Example: evidencedb export csv --out exports/   |   evidencedb export csv results_flat
    """
    from evidencedb.query import export
    from evidencedb.store.database import reading

    with reading(ctx.obj, snapshot=True) as connection:
        if name is None:
            folder = out or Path("exports")
            counts = export.export_all(connection, folder)
            echo_err(f"wrote {len(counts)} CSV files to {folder}/ ({sum(counts.values())} rows)")
        elif out is None:
            export.write_export(connection, name, sys.stdout)
        else:
            rows = export.write_file_atomically(
                out, lambda stream: export.write_export(connection, name, stream)
            )
            echo_err(f"wrote {rows} rows to {out}")
