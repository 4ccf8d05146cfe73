"""Large imports map their records in a second process (`imports.mapping_process`) while
this one writes. That must change nothing but the time taken: the same rows, warnings,
problems and all-or-nothing transaction as mapping in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencedb import imports
from evidencedb.errors import ValidationFailed
from tests.conftest import TestDatabase
from tests.helpers import snapshot
from tests.importers.test_ctgov import BARE, EDGE, MALFORMED, NEW, OLD, PAGE, natural_rows

INPUTS = [EDGE, PAGE, NEW, BARE, OLD]


def _run(
    url: str, paths: list[Path], *, background: bool, batch_size: int = 2
) -> imports.ImportReport:
    return imports.import_ctgov(
        url, paths, dry_run=False, batch_size=batch_size, background_mapping=background
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
    database: TestDatabase,
) -> None:
    found = {}
    for background in (False, True):
        with pytest.raises(ValidationFailed) as failure:
            _run(database.url, [EDGE, MALFORMED], background=background, batch_size=500)
        found[background] = failure.value.problems
        assert snapshot(database) == {}
    assert found[True] == found[False]
    assert len(found[True]) == 10


def test_a_failure_in_the_mapping_process_is_raised_here(tmp_path: Path) -> None:
    missing = tmp_path / "gone.json"
    with (
        pytest.raises(RuntimeError, match="no such file or folder"),
        imports.mapping_process([missing], 10) as batches,
    ):
        list(batches)
