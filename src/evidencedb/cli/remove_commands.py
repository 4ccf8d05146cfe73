"""`evidencedb remove trial` / `remove source`: a trial or a source deleted with its facts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.output import print_load_report

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy import Connection

    from evidencedb.loader.report import LoadReport

commands = command_group(
    "remove", help="Delete a trial or a source with its facts, in one transaction."
)

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Say what would be deleted; delete nothing.")
]


@command(commands, "trial")
def remove_trial(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Key of the trial.")],
    dry_run: DryRunOption = False,
) -> None:
    """Delete a trial with its identifiers, arms, endpoints, results, comparisons and adverse
    events, in one transaction.

    Its sources and interventions stay (other trials may cite them: `remove source KEY`).
    Refused while another trial's control arm is taken from it. Loading its seed file again
    brings it back.

    Example: evidencedb remove trial interfant-06 --dry-run
    """
    from evidencedb.operations.remove import remove_trial as remove

    with _writing(ctx.obj, dry_run) as connection:
        report = remove(connection, key)
    _report(report, f"trial {key!r}", dry_run)


@command(commands, "source")
def remove_source(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Key of the source.")],
    cascade: Annotated[
        bool,
        typer.Option(
            "--cascade", help="Also delete the facts of other trials that cite the source."
        ),
    ] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Delete a source and every row that cites it, in one transaction.

    The facts that cite it go, and the arms, endpoints and trials it describes with their
    facts; an intervention it describes stays, without that description. Refused when
    trials it does not report on (no `trial_sources` link) cite it, unless `--cascade`.

    Example: evidencedb remove source news-blinatumomab-infant-all --dry-run
    """
    from evidencedb.operations.remove import remove_source as remove

    with _writing(ctx.obj, dry_run) as connection:
        report = remove(connection, key, cascade=cascade)
    _report(report, f"source {key!r}", dry_run)


def _writing(url: str | None, dry_run: bool) -> AbstractContextManager[Connection]:
    from evidencedb.errors import DatabaseNotReady
    from evidencedb.store.database import database_exists, writing
    from evidencedb.store.engine import resolve_url, sqlite_path

    if not database_exists(url):  # a removal creates no database
        where = sqlite_path(resolve_url(url))
        raise DatabaseNotReady(f"no database at {where}; nothing to remove")
    return writing(url, dry_run=dry_run)


def _report(report: LoadReport, what: str, dry_run: bool) -> None:
    verb = "would remove" if dry_run else "removed"
    print_load_report(report, f"{verb} {what}")
