"""The real corpus (../shared/ctgov-corpus) imported once per test run, for every module and
xdist worker that reads it.

Importing the 849 records costs 10-20 s; two modules imported them each, once per worker
that ran one of their tests (up to four imports a run). The first to ask imports them under
a file lock, in the folder pytest shares between the workers of one run; every module then
reads a copy of its own, so that a test that writes changes no other module's database.
"""

from __future__ import annotations

import fcntl
import pickle
import shutil
from pathlib import Path

import pytest

from evidencedb.operations.import_ctgov import ImportReport, import_ctgov
from evidencedb.store.database import writing
from tests.support.databases import TestDatabase, sqlite_database_at
from tests.support.environment import require_shared


def corpus_folder() -> Path:
    return require_shared() / "ctgov-corpus"


def _shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The run's imported corpus and the pickled report of its import, made if missing."""
    records = sorted(corpus_folder().glob("*.json"))
    if not records:
        pytest.skip(f"no records in {corpus_folder()}")
    # getbasetemp() is the worker's own folder; its parent is the run's, shared by workers.
    root = tmp_path_factory.getbasetemp().parent
    database, report = root / "ctgov-corpus.db", root / "ctgov-corpus.report"
    with (root / "ctgov-corpus.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not report.exists():
            partial = root / "ctgov-corpus.partial.db"
            partial.unlink(missing_ok=True)
            with writing(f"sqlite:///{partial}") as connection:
                imported = import_ctgov(connection, [corpus_folder()], background_mapping=False)
            partial.rename(database)
            report.write_bytes(pickle.dumps(imported))
    return database, report


def imported_corpus(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[TestDatabase, ImportReport]:
    """A copy of the imported corpus for one module, and the report of the import."""
    database, report = _shared(tmp_path_factory)
    copy = tmp_path_factory.mktemp("corpus") / "corpus.db"
    shutil.copyfile(database, copy)
    loaded: ImportReport = pickle.loads(report.read_bytes())
    return sqlite_database_at(copy), loaded
