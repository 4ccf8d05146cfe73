"""`evidencedb reconcile`: a trial's registry record against its publications and versions."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.options import FormatOption
from evidencedb.cli.output import print_rows
from evidencedb.query.readable import number_text

commands = command_group()

# The CSV's columns: the three lists in one table, each row saying which list it is from.
CSV_COLUMNS = (
    "section",
    "endpoint_key",
    "registered_role",
    "reported_role",
    "quantity",
    "arm_key",
    "subgroup",
    "category",
    "registry_value",
    "publication_value",
    "version_date",
    "change",
    "outcome",
    "after_start",
    "status",
)


@command(commands)
def reconcile(
    ctx: typer.Context,
    trial: Annotated[
        str, typer.Argument(metavar="TRIAL", help="Key of the trial.", show_default=False)
    ],
    fmt: FormatOption = "table",
) -> None:
    """Compare a trial's registry record with its publication(s), and its registry versions.

    Outcomes: each endpoint's registered role (primary, secondary, other, none: from the
    newest registry version) and reported role (in the publication), with a status:
    reported_as_registered, not_reported, not_registered or role_changed. Values: every arm
    x endpoint that both report, the arm sizes and the enrollment, with `agree` or `differ`
    beyond the rounding of the less precise number. History: registered primary outcomes
    added, removed or changed between versions, flagged after the study's start. The trial
    needs its seed file loaded and its registry record imported (in either order).

    Example: evidencedb reconcile smart-fm --format json
    """
    from evidencedb.analysis.reconcile import reconcile as reconcile_trial
    from evidencedb.store.database import reading

    with reading(ctx.obj) as connection:
        found = reconcile_trial(connection, trial)
    if fmt == "json":
        sys.stdout.write(json.dumps(found.as_json(), ensure_ascii=False, indent=2) + "\n")
        return
    sections = {"outcomes": found.outcomes, "values": found.values, "history": found.history}
    if fmt == "csv":
        from evidencedb.query.export import write_csv_rows

        cells = (
            [name, *(row.get(column, "") for column in CSV_COLUMNS[1:])]
            for name, rows in sections.items()
            for row in rows
        )
        write_csv_rows(sys.stdout, CSV_COLUMNS, cells)
        return
    for name, rows in sections.items():
        if rows:
            print_rows([_readable(row) for row in rows], fmt, title=f"{found.trial_key}: {name}")
        else:
            typer.echo(f"{found.trial_key}: no {name} to show", err=True)


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """Numbers rounded for the eye; empty subgroup and category columns left out."""
    shown = {key: value for key, value in row.items() if key not in ("subgroup", "category")}
    if row.get("subgroup") or row.get("category"):
        shown["subgroup / category"] = " / ".join(
            v for v in (row["subgroup"], row["category"]) if v
        )
    for key in ("registry_value", "publication_value"):
        if key in shown:
            shown[key] = number_text(shown[key], decimals=2)
    return shown
