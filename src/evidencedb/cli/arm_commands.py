"""`evidencedb baseline` and `evidencedb flow`: who each arm enrolled, and what became of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.options import (
    ArmRoleOption,
    ColumnsOption,
    FormatOption,
    SourceOption,
    TrialOption,
)
from evidencedb.cli.output import Format
from evidencedb.cli.tables import show
from evidencedb.enums import ArmRole

if TYPE_CHECKING:
    from evidencedb.query.baseline import ArmView

commands = command_group()

ArmOption = Annotated[str | None, typer.Option("--arm", metavar="KEY", help="Arm key.")]


def _show(
    ctx: typer.Context,
    view: ArmView,
    trial: str | None,
    arm: str | None,
    arm_role: ArmRole | None,
    source: str | None,
    label: str | None,
    fmt: Format,
    columns: str | None,
) -> None:
    from evidencedb.query.baseline import fetch_arm_rows
    from evidencedb.query.filters import FactFilters
    from evidencedb.store.database import reading

    filters = FactFilters(trial=trial, arm=arm, arm_role=arm_role, source=source)
    with reading(ctx.obj) as connection:
        show(fetch_arm_rows(connection, view, filters, label), fmt, view, columns)


@command(commands)
def baseline(
    ctx: typer.Context,
    trial: TrialOption = None,
    arm: ArmOption = None,
    arm_role: ArmRoleOption = None,
    characteristic: Annotated[
        str | None,
        typer.Option("--characteristic", metavar="TEXT", help="Part of the characteristic."),
    ] = None,
    source: SourceOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Baseline characteristics per arm, as the registry reports them: characteristic, class,
    category, value with its spread or limits, unit and n. A value that is not a number
    keeps the registry's text in value_raw.

    Example: evidencedb baseline --trial NCT04435626 --characteristic age
    """
    _show(ctx, "baseline", trial, arm, arm_role, source, characteristic, fmt, columns)


@command(commands)
def flow(
    ctx: typer.Context,
    trial: TrialOption = None,
    arm: ArmOption = None,
    arm_role: ArmRoleOption = None,
    label: Annotated[
        str | None,
        typer.Option("--label", metavar="TEXT", help="Part of the milestone or reason."),
    ] = None,
    source: SourceOption = None,
    columns: ColumnsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Participant flow per arm and period: each milestone (STARTED, COMPLETED, ...) and each
    reason for withdrawal, with its count.

    Example: evidencedb flow --trial NCT04435626 --format csv
    """
    _show(ctx, "flow", trial, arm, arm_role, source, label, fmt, columns)
