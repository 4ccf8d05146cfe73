"""Output helpers shared by the commands, and the one place that turns user errors into exit 1."""

from __future__ import annotations

import csv
import functools
import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, ParamSpec, TypeVar

import typer

from evidencedb.errors import EvidenceError, ValidationFailed

P = ParamSpec("P")
R = TypeVar("R")

Format = Literal["table", "csv", "json"]


def echo_err(message: str) -> None:
    typer.echo(message, err=True)


def handle_errors(function: Callable[P, R]) -> Callable[P, R]:
    """User errors become one line each on stderr and exit 1; bugs keep their traceback."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except ValidationFailed as failure:
            for problem in failure.problems:
                echo_err(f"error: {problem}")
            if len(failure.problems) > 1:
                echo_err(f"{len(failure.problems)} problems; nothing was written")
            raise typer.Exit(1) from None
        except EvidenceError as error:
            echo_err(f"error: {error}")
            raise typer.Exit(1) from None
        except BrokenPipeError:  # `evidencedb ... | head`
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return str(value)


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
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row[c]) for c in columns))
    Console().print(table)
    if not rows:
        echo_err("no rows")


__all__ = ["Format", "csv", "echo_err", "handle_errors", "print_rows"]
