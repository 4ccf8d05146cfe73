"""`evidencedb db ...`: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.output import echo_err

commands = command_group("db", help="Schema migrations (Alembic).")


@command(commands)
def upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(metavar="REVISION", help="Target revision.")] = "head",
) -> None:
    """Create the database, or upgrade it to the newest schema (back it up first).

    Example: evidencedb db upgrade
    """
    from evidencedb.store import migrate
    from evidencedb.store.database import migrating
    from evidencedb.store.engine import display_url
    from evidencedb.store.revision import current_revision

    with migrating(ctx.obj) as connection:
        before = current_revision(connection)
        migrate.upgrade(connection, revision)
        after = current_revision(connection)
    echo_err(f"{display_url(connection.engine.url)}: {before or 'empty'} -> {after}")


@command(commands)
def downgrade(
    ctx: typer.Context,
    revision: Annotated[
        str, typer.Argument(metavar="REVISION", help="Target revision, e.g. -1 or base.")
    ],
) -> None:
    """Downgrade the schema to REVISION (data in dropped tables or columns is lost).

    Example: evidencedb db downgrade base
    """
    from evidencedb.store import migrate
    from evidencedb.store.database import migrating
    from evidencedb.store.engine import display_url
    from evidencedb.store.revision import current_revision

    with migrating(ctx.obj) as connection:
        before = current_revision(connection)
        migrate.downgrade(connection, revision)
        after = current_revision(connection)
    echo_err(f"{display_url(connection.engine.url)}: {before or 'empty'} -> {after or 'base'}")


@command(commands)
def current(ctx: typer.Context) -> None:
    """Print the database's schema revision and the newest one this version knows.

    Example: evidencedb db current
    """
    from evidencedb.store.database import database_exists, open_engine
    from evidencedb.store.engine import display_url
    from evidencedb.store.revision import HEAD_REVISION, current_revision
    from evidencedb.store.transaction import transaction

    with open_engine(ctx.obj, write=False) as engine:
        if not database_exists(engine.url):
            typer.echo(f"current: none (no database at {display_url(engine.url)})")
        else:
            with transaction(engine) as connection:
                typer.echo(f"current: {current_revision(connection) or 'none'}")
    typer.echo(f"head: {HEAD_REVISION}")
