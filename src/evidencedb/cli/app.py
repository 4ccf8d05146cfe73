"""The `evidencedb` Typer application: its global options, and every command group added in
one loop. Command modules import the library inside their commands, so that `--help` and the
read-only commands load nothing they do not use (no Alembic, loader or registry code)."""

from __future__ import annotations

from typing import Annotated

import typer

import evidencedb
from evidencedb.cli import (
    analysis_commands,
    arm_commands,
    db_commands,
    export_commands,
    import_commands,
    load_commands,
    meta_commands,
    plot_commands,
    query_commands,
    reconcile_commands,
    remove_commands,
    serve_commands,
)
from evidencedb.cli.command import Group
from evidencedb.cli.options import DATABASE_HELP
from evidencedb.store.urls import URL_ENVIRONMENT_VARIABLE

# In the order `evidencedb --help` lists them.
COMMAND_MODULES = (
    load_commands,
    query_commands,
    arm_commands,
    analysis_commands,
    reconcile_commands,
    meta_commands,
    db_commands,
    export_commands,
    plot_commands,
    import_commands,
    serve_commands,
    remove_commands,
)

app = typer.Typer(
    name="evidencedb",
    cls=Group,
    help=(
        "Structured evidence from clinical trials: load curated seed files and registry "
        "records, query results, comparisons and adverse events, export CSV.\n\n"
        "Example: evidencedb load seeds/ && evidencedb results --endpoint-kind overall_survival"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"evidencedb {evidencedb.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=URL_ENVIRONMENT_VARIABLE,
            metavar="URL",
            help=DATABASE_HELP,
            show_envvar=True,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.obj = db


for module in COMMAND_MODULES:
    app.add_typer(module.commands)
