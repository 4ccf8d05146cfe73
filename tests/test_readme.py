"""The README's session: its commands still run and print what the README shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.environment import REPO, SEEDS, require_shared

SESSION = re.compile(r"<!-- session -->\n```console\n(.*?)```\n<!-- /session -->", re.DOTALL)
RECONCILE_SESSION = re.compile(
    r"<!-- reconcile-session -->\n```console\n(.*?)```\n<!-- /reconcile-session -->", re.DOTALL
)
# An import says how long it took, which no two runs share.
_SECONDS = re.compile(r" in \d+\.\d+ s:")


def _session(block: re.Pattern[str] = SESSION) -> list[tuple[str, str]]:
    match = block.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert match, f"README.md has no {block.pattern[:30]} console block"
    steps: list[tuple[str, list[str]]] = []
    for line in match.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return [(command, "\n".join(output)) for command, output in steps]


def test_session_is_not_empty() -> None:
    commands = [command for command, _ in _session()]
    assert commands[0] == "evidencedb load seeds/"
    assert len(commands) >= 4


def test_readme_session_runs_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "seeds").symlink_to(SEEDS)
    monkeypatch.chdir(tmp_path)
    database = f"sqlite:///{tmp_path / 'evidence.db'}"
    for command, expected in _session():
        arguments = shlex.split(command)
        assert arguments[0] == "evidencedb"
        outcome = run_cli(*arguments[1:], db=database)
        assert outcome.exit_code == 0, f"{command}: {outcome.stderr}"
        printed = (outcome.stdout + outcome.stderr).replace("\r\n", "\n").rstrip("\n")
        assert printed == expected, f"`{command}` no longer prints what README.md shows"


def test_readme_reconcile_session_runs_as_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example of a curated trial and its registry record, read from ../shared."""
    shared = require_shared()
    work = tmp_path / "work"
    work.mkdir()
    (work / "examples").symlink_to(REPO / "examples")
    (tmp_path / "shared").symlink_to(shared)
    monkeypatch.chdir(work)
    database = f"sqlite:///{work / 'evidence.db'}"
    for command, expected in _session(RECONCILE_SESSION):
        outcome = run_cli(*shlex.split(command)[1:], db=database)
        assert outcome.exit_code == 0, f"{command}: {outcome.stderr}"
        printed = (outcome.stdout + outcome.stderr).replace("\r\n", "\n").rstrip("\n")
        assert _SECONDS.sub(" in s:", printed) == _SECONDS.sub(" in s:", expected), command
