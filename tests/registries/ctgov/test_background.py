"""Large imports map their records in a second process (`background.mapping_process`) while
this one writes. That must change nothing but the time taken: the same rows, warnings,
problems and all-or-nothing transaction as mapping in-process."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evidencedb.errors import ValidationFailed
from evidencedb.operations import import_ctgov as imports
from evidencedb.registries.ctgov.background import mapping_process
from evidencedb.store.database import writing
from tests.registries.ctgov.studies import BARE, EDGE, MALFORMED, NEW, OLD, PAGE, natural_rows
from tests.support.benchmarks import benchmark_module
from tests.support.databases import TestDatabase
from tests.support.snapshots import snapshot

INPUTS = [EDGE, PAGE, NEW, BARE, OLD]


def _run(
    url: str, paths: list[Path], *, background: bool, batch_size: int = 2, strict: bool = False
) -> imports.ImportReport:
    with writing(url) as connection:
        return imports.import_ctgov(
            connection, paths, batch_size=batch_size, background_mapping=background, strict=strict
        )


def test_background_mapping_gives_the_same_database(database: TestDatabase, tmp_path: Path) -> None:
    reference = TestDatabase(f"sqlite:///{tmp_path / 'inline.db'}", "sqlite")
    inline = _run(reference.url, INPUTS, background=False)
    background = _run(database.url, INPUTS, background=True)
    assert natural_rows(database) == natural_rows(reference)
    assert len(natural_rows(database)) > 10
    assert background.load.warnings == inline.load.warnings
    assert any("skipped" in warning for warning in background.load.warnings)
    assert (background.studies, background.imported, background.skipped) == (
        inline.studies,
        inline.imported,
        inline.skipped,
    )


def test_background_mapping_reports_the_same_problems_and_writes_nothing(
    empty_database: TestDatabase,
) -> None:
    found = {}
    for background in (False, True):
        with pytest.raises(ValidationFailed) as failure:
            _run(
                empty_database.url,
                [EDGE, MALFORMED],
                background=background,
                batch_size=500,
                strict=True,
            )
        found[background] = failure.value.problems
        assert snapshot(empty_database) == {}
    assert found[True] == found[False]
    assert len(found[True]) == 6


def test_a_failure_in_the_mapping_process_is_raised_here(tmp_path: Path) -> None:
    missing = tmp_path / "gone.json"
    with (
        pytest.raises(RuntimeError, match="no such file or folder"),
        mapping_process([missing], 10) as batches,
    ):
        list(batches)


_KILLED_PARENT = """
import sys
from pathlib import Path
from evidencedb.operations import import_ctgov as imports
from evidencedb.store.database import writing
with writing(sys.argv[1]) as connection:
    imports.import_ctgov(connection, [Path(sys.argv[2])], batch_size=5, background_mapping=True)
"""


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text(encoding="utf-8").split()
        found += [int(child) for child in text]
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_the_mapping_process_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    """A SIGKILLed import must not leave its mapping process behind: the child's next hand-over
    fails on the broken pipe and it exits."""
    write_corpus = benchmark_module("corpus").write_corpus
    corpus = write_corpus(tmp_path / "corpus", 300).folder
    parent = subprocess.Popen(
        [sys.executable, "-c", _KILLED_PARENT, f"sqlite:///{tmp_path / 'e.db'}", str(corpus)]
    )
    try:
        deadline = time.monotonic() + 60
        children: list[int] = []
        while not children and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.05)
            children = _children(parent.pid)
        assert children, "the import never started its mapping process"
        parent.kill()
        parent.wait()
        while time.monotonic() < deadline and Path(f"/proc/{children[0]}").exists():
            # Reap it if it became ours (it is re-parented to init or a subreaper otherwise).
            with contextlib.suppress(ChildProcessError):
                os.waitpid(children[0], os.WNOHANG)
            status = Path(f"/proc/{children[0]}/stat")
            if status.exists() and ") Z " in status.read_text(encoding="utf-8"):
                break  # a zombie: it has ended, only not yet reaped
            time.sleep(0.1)
        alive = Path(f"/proc/{children[0]}/stat")
        ended = not alive.exists() or ") Z " in alive.read_text(encoding="utf-8")
        assert ended, "the mapping process outlived its killed parent by a minute"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
