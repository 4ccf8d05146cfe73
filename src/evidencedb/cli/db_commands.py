"""`evidencedb db ...`: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from evidencedb.cli.output import echo_err, handle_errors
from evidencedb.operations import service
from evidencedb.store import migrate
from evidencedb.store.engine import display_url, transaction

app = typer.Typer(help="Schema migrations (Alembic).", no_args_is_help=True)


@app.command()
@handle_errors
def upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create the database, or upgrade it to the newest schema (back it up first).

    Example: evidencedb db upgrade
    """
    with service.open_engine(ctx.obj, write=True) as engine, transaction(engine) as connection:
        service.take_write_lock(connection)
        before = migrate.current_revision(connection)
        migrate.upgrade(connection, revision)
        after = migrate.current_revision(connection)
    echo_err(f"{display_url(engine.url)}: {before or 'empty'} -> {after}")


@app.command()
@handle_errors
def downgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
) -> None:
    """Downgrade the schema to REVISION (data in dropped tables or columns is lost).

    Example: evidencedb db downgrade base
    """
    with service.open_engine(ctx.obj, write=True) as engine, transaction(engine) as connection:
        service.take_write_lock(connection)
        before = migrate.current_revision(connection)
        migrate.downgrade(connection, revision)
        after = migrate.current_revision(connection)
    echo_err(f"{display_url(engine.url)}: {before or 'empty'} -> {after or 'base'}")


@app.command()
@handle_errors
def current(ctx: typer.Context) -> None:
    """Print the database's schema revision and the newest one this version knows.

    Example: evidencedb db current
    """
    with service.open_engine(ctx.obj, write=False) as engine:
        if not migrate.database_exists(engine):
            typer.echo(f"current: none (no database at {display_url(engine.url)})")
        else:
            with transaction(engine) as connection:
                typer.echo(f"current: {migrate.current_revision(connection) or 'none'}")
    typer.echo(f"head: {migrate.head_revision()}")
