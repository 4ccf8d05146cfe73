"""Options and arguments that several commands share, each defined once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from evidencedb.cli.output import Format
from evidencedb.enums import ArmRole, EndpointKind
from evidencedb.query.filter_help import FILTER_HELP
from evidencedb.store.urls import DEFAULT_URL

DATABASE_HELP = f"Database URL or SQLite file \\[default: {DEFAULT_URL}]."
# `--db` after a command's name (see `command.with_command_database_option`): the global one
# reads EVIDENCEDB_URL; this one, when given, wins over both.
CommandDatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Database URL or SQLite file, as --db before the command's name (this one wins).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="table (readable), csv or json (machine-readable)."),
]
SeedPaths = Annotated[
    list[Path],
    typer.Argument(
        metavar="PATH", help="Seed files (.yaml) or folders of them.", show_default=False
    ),
]
TrialOption = Annotated[
    str | None, typer.Option("--trial", metavar="KEY", help=FILTER_HELP["trial"])
]
InterventionOption = Annotated[
    str | None,
    typer.Option(
        "--intervention",
        metavar="TEXT",
        help=FILTER_HELP["intervention"],
    ),
]
ConditionOption = Annotated[
    str | None,
    typer.Option(
        "--condition",
        metavar="WORDS",
        help=FILTER_HELP["condition"],
    ),
]
TextOption = Annotated[
    str | None,
    typer.Option(
        "--text",
        metavar="WORDS",
        help=FILTER_HELP["text"],
    ),
]
ArmRoleOption = Annotated[ArmRole | None, typer.Option("--arm-role", help=FILTER_HELP["arm_role"])]
EndpointKindOption = Annotated[
    EndpointKind | None, typer.Option("--endpoint-kind", help=FILTER_HELP["endpoint_kind"])
]
EndpointOption = Annotated[
    str | None, typer.Option("--endpoint", metavar="KEY", help=FILTER_HELP["endpoint"])
]
SourceOption = Annotated[
    str | None, typer.Option("--source", metavar="KEY", help=FILTER_HELP["source"])
]
ColumnsOption = Annotated[
    str | None,
    typer.Option(
        "--columns", metavar="A,B,...", help="Comma-separated columns to show, in this order."
    ),
]


def choices(values: type[StrEnum]) -> str:
    """The metavar of a repeatable option with fixed values: the values, as Typer shows those
    of a single one (it would show a repeatable one as a Python `list[...]`)."""
    return "<" + "|".join(values) + ">"
