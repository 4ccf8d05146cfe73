"""What commands print: rows as a table, CSV or JSON on stdout, numbers as people read them,
load reports and messages on stderr."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from evidencedb.loader.report import LoadReport

Format = Literal["table", "csv", "json"]


def echo_err(message: str) -> None:
    """A message for the person at the terminal: stderr, so that stdout stays data."""
    typer.echo(message, err=True)


def _cell(value: Any) -> str:
    """A value in a terminal table: booleans as CSV writes them (true, false), a mapping one
    `key: value` line per entry (a row's `field_quotes`), a list joined by '; '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return "\n".join(f"{key}: {_cell(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value)
    return str(value)


def _table_console() -> Console:
    """The console of a table: the terminal's width on a terminal; elsewhere (a file, a pipe)
    as wide as the rows need, since a wrapped table cannot be read back."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console()
    return Console(width=UNLIMITED_WIDTH)


# Wide enough for any row: rich lays a table out to its content, up to the console's width.
UNLIMITED_WIDTH = 1_000_000


def print_rows(rows: Iterable[Mapping[str, Any]], fmt: Format, title: str | None = None) -> None:
    rows = list(rows)
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if fmt == "csv":
        from evidencedb.query.export import write_csv_rows

        columns = list(rows[0]) if rows else []
        write_csv_rows(sys.stdout, columns, ([row[c] for c in columns] for row in rows))
        return
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row[c]) for c in columns))
    _table_console().print(table)
    if not rows:
        echo_err("no rows")


def print_load_report(
    report: LoadReport, headline: str, *, warnings_shown: int | None = None
) -> None:
    """A load's warnings (the first `warnings_shown` of them), then one line: the headline and
    what changed per table (+inserted ~updated -deleted), or that nothing did."""
    warnings = report.warnings if warnings_shown is None else report.warnings[:warnings_shown]
    for warning in warnings:
        echo_err(f"warning: {warning}")
    if len(report.warnings) > len(warnings):
        echo_err(f"warning: ... and {len(report.warnings) - len(warnings)} more warning(s)")
    changes = "; ".join(
        f"{name} +{counts.inserted} ~{counts.updated} -{counts.deleted}"
        for name, counts in sorted(report.changes.items())
        if counts.inserted or counts.updated or counts.deleted
    )
    echo_err(f"{headline}: {changes or 'nothing changed'}")
