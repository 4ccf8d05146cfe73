"""Opening a database (`store.engine`): what a user sees when `--db` names something that
cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.environment import SEEDS

NOT_A_DATABASE = b"trial_key,value\nnct1,42\n"


@pytest.mark.parametrize(
    "command",
    [
        ["trials"],
        ["load", str(SEEDS)],
        ["sql", "SELECT 1"],
        ["export", "csv", "--out", "exports"],
        ["db", "current"],
        ["db", "upgrade"],
    ],
    ids=" ".join,
)
def test_a_file_that_is_not_a_database_is_one_line_and_left_alone(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "results.csv"
    path.write_bytes(NOT_A_DATABASE)
    outcome = run_cli(*command, db=str(path))
    assert outcome.exit_code == 1
    assert outcome.stderr == f"error: cannot connect to sqlite:///{path}: file is not a database\n"
    assert path.read_bytes() == NOT_A_DATABASE
