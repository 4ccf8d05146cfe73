"""The README's session: its commands still run and print what the README shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.environment import REPO, SEEDS

SESSION = re.compile(r"<!-- session -->\n```console\n(.*?)```\n<!-- /session -->", re.DOTALL)


def _session() -> list[tuple[str, str]]:
    match = SESSION.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert match, "README.md has no <!-- session --> console block"
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
