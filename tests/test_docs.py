"""The documentation follows the code: generated pages are current, every command and module
says what it does, and the README's command table names every command."""

from __future__ import annotations

import re

import pytest
from typer.core import TyperGroup

from tests.support.docs import (
    ARCHITECTURE,
    CLI_REFERENCE,
    REGENERATE,
    REPO,
    Command,
    Module,
    architecture_page,
    cli_reference,
    commands,
    modules,
)

STALE = "{page} differs from what the code generates: run `{command}` and commit the result"


def test_cli_reference_is_current() -> None:
    page = CLI_REFERENCE.relative_to(REPO)
    current = CLI_REFERENCE.read_text(encoding="utf-8") if CLI_REFERENCE.exists() else ""
    assert current == cli_reference(), STALE.format(page=page, command=REGENERATE)


def test_module_map_is_current() -> None:
    current = ARCHITECTURE.read_text(encoding="utf-8")
    assert current == architecture_page(current), STALE.format(
        page=ARCHITECTURE.relative_to(REPO), command=REGENERATE
    )


@pytest.mark.parametrize("command", commands(), ids=lambda command: command.name)
def test_every_command_has_help(command: Command) -> None:
    assert (command.command.help or "").strip(), f"`{command.name}` has no help text"


@pytest.mark.parametrize("module", modules(), ids=lambda module: module.path)
def test_every_module_says_what_it_owns(module: Module) -> None:
    assert module.summary, f"src/{module.path} does not open with a docstring"


def readme_command_names() -> set[str]:
    """What the first column of the README's command table names, e.g. `db downgrade REV`."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Commands\n", 1)[-1].split("\n## ", 1)[0]
    rows = (line.split("|")[1] for line in section.splitlines() if line.startswith("| `"))
    return {name for cell in rows for name in re.findall(r"`([^`]+)`", cell)}


@pytest.mark.parametrize(
    "command",
    [command for command in commands() if not isinstance(command.command, TyperGroup)],
    ids=lambda command: command.name,
)
def test_readme_command_table_names_every_command(command: Command) -> None:
    words = " ".join(command.words)
    named = readme_command_names()
    assert any(name == words or name.startswith(f"{words} ") for name in named), (
        f"README.md's command table (section Commands) does not name `{words}`"
    )
