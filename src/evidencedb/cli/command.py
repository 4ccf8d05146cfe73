"""How a command is defined: its group, its help, its `--db`, and the one handler of user errors.

Every module under `cli/` defines its commands on its own `command_group()` with `@command`,
and `cli/app.py` adds every group in one loop. A user error (`EvidenceError`) becomes one line
on stderr and exit 1; anything else is a bug and keeps its traceback. A command that opens the
database (one that takes `ctx`, whose `obj` is the URL) accepts `--db` after its name too.
"""

from __future__ import annotations

import functools
import inspect
import sys
import typing
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
import typer.core
from rich.markup import escape

from evidencedb.cli.options import CommandDatabaseOption
from evidencedb.cli.output import echo_err
from evidencedb.errors import EvidenceError, ValidationFailed

P = ParamSpec("P")
R = TypeVar("R")


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


class _NoTypeNames:
    """Help that names a parameter by its metavar (PATH, URL) and a flag by nothing, instead of
    the Python type Typer would show (`<list[Path]>`, `<bool>`), the help option included."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._strip_type_names()

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option

    def _strip_type_names(self) -> None:
        for param in self.params:
            if isinstance(param, typer.core.TyperArgument) and param.metavar is not None:
                param.__class__ = _MetavarArgument
            elif isinstance(param, typer.core.TyperOption) and param.is_flag:
                param.metavar = ""


class _MetavarArgument(typer.core.TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class Command(_NoTypeNames, typer.core.TyperCommand):
    pass


class Group(_NoTypeNames, typer.core.TyperGroup):
    pass


def command_group(name: str | None = None, help: str | None = None) -> typer.Typer:
    """The commands of one module: a subcommand group when named (`evidencedb db ...`), else
    commands at the top level (`evidencedb load`)."""
    return typer.Typer(name=name, help=help, cls=Group, no_args_is_help=name is not None)


def command(
    group: typer.Typer, name: str | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register the decorated function on `group` as a command: its docstring is the help,
    and user errors are handled (`handle_errors`)."""

    def register(function: Callable[P, R]) -> Callable[P, R]:
        callback = handle_errors(with_command_database_option(function))
        group.command(name, help=help_text(function), cls=Command)(callback)
        return function

    return register


# The parameter that `with_command_database_option` adds; no command has one of this name.
COMMAND_DATABASE_PARAMETER = "command_database_url"


def with_command_database_option(function: Callable[..., R]) -> Callable[..., R]:
    """`function` with a `--db` option of its own when it opens the database (it takes `ctx`,
    whose `obj` is the URL of the global `--db`), so that `evidencedb results --db X` works as
    `evidencedb --db X results` does; given both, the one after the command's name wins.

    Typer reads a command's options from its signature: the option is one more parameter of a
    wrapper's signature, taken out of the call and put into `ctx.obj` before `function` runs."""
    signature = inspect.signature(function, eval_str=True)
    if "ctx" not in signature.parameters:
        return function
    option = inspect.Parameter(
        COMMAND_DATABASE_PARAMETER,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=CommandDatabaseOption,
    )

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        url = kwargs.pop(COMMAND_DATABASE_PARAMETER, None)
        if url is not None:
            kwargs["ctx"].obj = url
        return function(*args, **kwargs)

    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), option]
    )
    wrapper.__annotations__ = {
        **typing.get_type_hints(function, include_extras=True),
        COMMAND_DATABASE_PARAMETER: CommandDatabaseOption,
    }
    return wrapper


def help_text(function: Callable[..., Any]) -> str:
    """A docstring as help text: its paragraphs unwrapped, since Typer's rich help keeps each
    line break of the source, and brackets escaped, which rich would take for markup."""
    paragraphs = inspect.cleandoc(function.__doc__ or "").split("\n\n")
    return "\n\n".join(escape(" ".join(p.split("\n"))) for p in paragraphs)
