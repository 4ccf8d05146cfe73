"""Editable copies of the curated seeds, and edits located by line."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.environment import SEEDS


def copy_seeds(tmp_path: Path) -> Path:
    """A copy of seeds/ at the same depth, so the documents' relative paths still resolve."""
    target = tmp_path / "repo" / "seeds"
    shutil.copytree(SEEDS, target)
    shared = SEEDS.parent.parent / "shared"
    if shared.exists():
        (tmp_path / "shared").symlink_to(shared)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, whole_line: str) -> int:
    """1-based number of the first line equal to `whole_line` (ignoring indentation)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() == whole_line.strip():
            return number
    raise AssertionError(f"{whole_line!r} not in {path}")
