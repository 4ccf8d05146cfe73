"""The command line: exit codes, streams, help, and the installed script as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from evidencedb import __version__
from evidencedb.cli import app
from tests.support.cli import run_cli
from tests.support.environment import REPO, SEEDS


def _commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):  # a group
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            found.append(path)

    walk(root, [])
    return found


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    outcome = run_cli(*path, "--help")
    assert outcome.exit_code == 0
    assert "Example" in outcome.stdout, f"`evidencedb {' '.join(path)} --help` shows no example"


def test_version() -> None:
    outcome = run_cli("--version")
    assert outcome.exit_code == 0
    assert outcome.stdout.strip() == f"evidencedb {__version__}"


def test_usage_error_exits_2() -> None:
    assert run_cli("load").exit_code == 2
    assert run_cli("no-such-command").exit_code == 2


def test_missing_database_says_how_to_create_one(tmp_path: Path) -> None:
    outcome = run_cli("summary", db=f"sqlite:///{tmp_path / 'none.db'}")
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith("error: no database at")
    assert "evidencedb load seeds/" in outcome.stderr
    assert not (tmp_path / "none.db").exists()


def test_unsupported_url_is_a_user_error() -> None:
    outcome = run_cli("summary", db="mysql://localhost/x")
    assert outcome.exit_code == 1
    assert "unsupported database 'mysql'" in outcome.stderr


def test_installed_script_as_a_subprocess(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "evidencedb"
    environment = {**os.environ, "EVIDENCEDB_URL": f"sqlite:///{tmp_path / 'e.db'}"}
    loaded = subprocess.run(
        [str(script), "load", str(SEEDS)], capture_output=True, text=True, env=environment
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout == ""
    assert loaded.stderr.startswith("loaded 2 trial(s)")
    summary = subprocess.run(
        [str(script), "summary"], capture_output=True, text=True, env=environment
    )
    assert summary.returncode == 0
    listed = [line.split()[1] for line in summary.stdout.splitlines() if line.startswith("│")]
    # The trials' tables first, as the export writes them; the saved meta-analyses last.
    assert listed[:3] == ["sources", "interventions", "trials"]
    assert listed[-2:] == ["meta_analyses", "meta_analysis_studies"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("trial: [unclosed\n", encoding="utf-8")
    refused = subprocess.run(
        [str(script), "load", str(broken)], capture_output=True, text=True, env=environment
    )
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"error: {broken}:")
    assert "Traceback" not in refused.stderr


def test_library_never_imports_the_cli() -> None:
    package = REPO / "src" / "evidencedb"
    modules = sorted(
        "evidencedb." + ".".join(path.relative_to(package).with_suffix("").parts)
        for path in package.rglob("*.py")
        if "cli" not in path.relative_to(package).parts and path.name != "__init__.py"
    )
    assert "evidencedb.loader.load" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [name for name in sys.modules if name.startswith('evidencedb.cli')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# Modules `--help` and the read-only commands must not import: they cost most of the start-up
# time and none of those commands use them (the pydantic records; Typer itself uses pydantic).
WRITE_PATH_MODULES = ("alembic", "evidencedb.records", "evidencedb.loader", "evidencedb.registries")
# `--help` reads no database either: SQLAlchemy is a third of its start-up time.
DATABASE_MODULES = ("sqlalchemy", "evidencedb.store.engine")


def never_imported(prefixes: tuple[str, ...]) -> str:
    """A program that runs the CLI with its arguments and fails if it imported any of these."""
    return (
        "import sys\n"
        "from evidencedb.cli import main\n"
        "sys.argv = ['evidencedb', *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        f"prefixes = {prefixes!r}\n"
        "bad = [n for n in sys.modules if any(n == p or n.startswith(p + '.') for p in prefixes)]\n"
        "assert not bad, bad\n"
    )


NEVER_FOR_READING = never_imported(WRITE_PATH_MODULES)


@pytest.mark.parametrize(
    "args",
    [["--help"], ["results", "--help"], ["import", "ctgov", "--help"]],
    ids=" ".join,
)
def test_help_imports_no_write_path_code(args: list[str]) -> None:
    subprocess.run([sys.executable, "-c", NEVER_FOR_READING, *args], check=True, cwd=REPO)


@pytest.mark.parametrize("args", [["--help"], ["results", "--help"], ["--version"]], ids=" ".join)
def test_help_imports_no_database_code(args: list[str]) -> None:
    program = never_imported(DATABASE_MODULES)
    subprocess.run([sys.executable, "-c", program, *args], check=True, cwd=REPO)


@pytest.mark.parametrize(
    "args",
    [
        ["trials"],
        ["results", "--format", "csv"],
        ["sql", "SELECT count(*) FROM trials"],
        ["export", "csv", "results_flat"],
        ["summary"],
        ["compare", "blinatumomab-infant-kmt2a-all"],
    ],
    ids=" ".join,
)
def test_read_only_commands_import_no_write_path_code(tmp_path: Path, args: list[str]) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    assert run_cli("load", str(SEEDS), db=url).exit_code == 0
    subprocess.run(
        [sys.executable, "-c", NEVER_FOR_READING, "--db", url, *args],
        check=True,
        cwd=REPO,
        capture_output=True,
    )


def test_the_import_batch_size_shown_is_the_operations_default() -> None:
    from evidencedb.cli.import_commands import IMPORT_BATCH_SIZE
    from evidencedb.operations import import_ctgov

    assert import_ctgov.IMPORT_BATCH_SIZE == IMPORT_BATCH_SIZE


def test_a_refused_input_creates_no_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    missing = str(tmp_path / "missing.json")
    assert run_cli("import", "ctgov", missing, db=url).exit_code == 1
    assert run_cli("load", missing, db=url).exit_code == 1
    assert not (tmp_path / "new.db").exists()
