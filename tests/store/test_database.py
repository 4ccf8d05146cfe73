"""Opening a database to write: a new SQLite file appears only when its first write commits,
and a login that may not write is one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evidencedb.errors import EvidenceError
from evidencedb.store.database import created_atomically
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase, postgres_reader
from tests.support.environment import SEEDS
from tests.support.snapshots import snapshot

MAIN = SEEDS / "blinatumomab-infant-kmt2a-all.yaml"


def test_a_failed_first_load_leaves_no_file(tmp_path: Path) -> None:
    # Valid alone, refused against the database: its control arm's trial is not loaded.
    path = tmp_path / "evidence.db"
    outcome = run_cli("load", str(MAIN), db=f"sqlite:///{path}")
    assert outcome.exit_code == 1
    assert "unknown trial 'interfant-06'" in outcome.stderr
    assert sorted(tmp_path.iterdir()) == []


def test_a_first_load_puts_the_file_in_place(tmp_path: Path) -> None:
    path = tmp_path / "evidence.db"
    outcome = run_cli("load", str(SEEDS), db=f"sqlite:///{path}")
    assert outcome.exit_code == 0, outcome.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["evidence.db"]
    listed = run_cli("trials", "--format", "csv", "--columns", "key", db=f"sqlite:///{path}")
    assert listed.stdout.splitlines() == ["key", "blinatumomab-infant-kmt2a-all", "interfant-06"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()  # as any new file


def _create(path: Path, *, concurrent: bool = False, fail: bool = False) -> None:
    """Write a file through `created_atomically`, after another process created `path`
    (`concurrent`), or failing half-way with its journal written (`fail`)."""
    with created_atomically(path) as temporary:
        temporary.write_bytes(b"ours")
        Path(f"{temporary}-wal").write_bytes(b"log")
        if concurrent:
            path.write_bytes(b"theirs")
        if fail:
            raise ZeroDivisionError


def test_a_database_created_meanwhile_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "evidence.db"
    with pytest.raises(EvidenceError, match="was created by another process"):
        _create(path, concurrent=True)
    assert path.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["evidence.db"]


def test_an_error_inside_removes_the_temporary_file_and_its_journal(tmp_path: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        _create(tmp_path / "evidence.db", fail=True)
    assert list(tmp_path.iterdir()) == []


def test_the_file_is_put_in_place_when_the_block_ends(tmp_path: Path) -> None:
    _create(tmp_path / "evidence.db")
    assert [p.name for p in tmp_path.iterdir()] == ["evidence.db"]
    assert (tmp_path / "evidence.db").read_bytes() == b"ours"


@pytest.mark.postgres
@pytest.mark.parametrize("read_only_sessions", [False, True], ids=["select-only", "read-only"])
def test_load_with_a_read_only_login_is_one_line(
    postgresql_database: TestDatabase, read_only_sessions: bool
) -> None:
    before = snapshot(postgresql_database)
    with postgres_reader(postgresql_database, read_only_sessions=read_only_sessions) as reader:
        outcome = run_cli("load", str(SEEDS), db=reader)
        role = reader.url.split("://", 1)[1].split("@", 1)[0]
    assert outcome.exit_code == 1
    assert "Traceback" not in outcome.stderr
    assert outcome.stderr.startswith(f"error: the login '{role}' is read-only on postgresql")
    assert outcome.stderr.endswith(
        ": nothing was written; use a login that may write (the README's evidencedb_writer)\n"
    )
    assert len(outcome.stderr.splitlines()) == 1
    assert snapshot(postgresql_database) == before


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
