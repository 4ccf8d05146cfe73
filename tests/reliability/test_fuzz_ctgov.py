"""Fuzzing the ClinicalTrials.gov road: damaged study JSON never gets a traceback, is refused
without a trace in the database, or is accepted only when every rule holds; small files are
decided within a second and 100 MB.

The records damaged are the importer's hand-written edge cases
(tests/registries/ctgov/data): a study with results, analyses, classes and categories; a bare
study; a page of two studies. Each example imports one damaged file through the CLI into a
database holding the seeds and the undamaged study with results, and checks what
`tests.support.fuzzing.check_outcome` checks.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import event, given, settings
from hypothesis import strategies as st

from evidencedb.store.database import open_engine
from tests.support.budgets import fuzz_examples
from tests.support.cli import run_cli
from tests.support.database_content import content
from tests.support.databases import TestDatabase
from tests.support.environment import REPO, SEEDS
from tests.support.fuzzing import FUZZ_SETTINGS, HUNDRED_MB, ONE_SECOND, check_outcome
from tests.support.mutations import mutated

DATA = REPO / "tests" / "registries" / "ctgov" / "data"
EDGE = (DATA / "NCT09000001.json").read_bytes()
BARE = (DATA / "NCT09000003.json").read_bytes()
PAGE = (DATA / "page.json").read_bytes()


def _compact(raw: bytes) -> bytes:
    return json.dumps(json.loads(raw), separators=(",", ":")).encode("utf-8")


ORIGINALS = {"edge": EDGE, "bare": BARE, "page": PAGE}
SMALL = {"bare": _compact(BARE), "page": _compact(PAGE)}
assert all(len(raw) < 1024 for raw in SMALL.values())


@pytest.fixture
def imported(database: TestDatabase, tmp_path: Path) -> TestDatabase:
    loaded = run_cli("load", str(SEEDS), db=database)
    assert loaded.exit_code == 0, loaded.stderr
    edge = tmp_path / "edge.json"
    edge.write_bytes(EDGE)
    outcome = run_cli("import", "ctgov", str(edge), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return database


def _import(
    database: TestDatabase, folder: Path, raw: bytes, applied: list[str]
) -> tuple[float, str]:
    """Import `raw` as one study file; check the outcome; returns the time it took."""
    folder.mkdir(exist_ok=True)
    path = folder / "study.json"
    path.write_bytes(raw)
    before = content(database)
    started = time.process_time()
    outcome = run_cli("import", "ctgov", str(path), db=database)
    elapsed = time.process_time() - started
    decision = check_outcome(database, folder, outcome.exit_code, outcome.stderr, before)
    event(decision)
    for mutation in applied:
        event(f"mutation: {mutation}")
    return elapsed, decision


@settings(FUZZ_SETTINGS, max_examples=fuzz_examples(0.4))
@given(data=st.data())
def test_damaged_study_records(imported: TestDatabase, tmp_path: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(ORIGINALS)), label="record")
    raw, applied = data.draw(
        mutated(
            ORIGINALS[name],
            language="json",
            nul=True,
            surrogates=True,
        ),
        label="mutation",
    )
    _import(imported, tmp_path / "fuzz", raw, applied)


@settings(FUZZ_SETTINGS, max_examples=fuzz_examples(0.1))
@given(data=st.data())
def test_small_study_files_are_decided_within_a_second_and_100_mb(
    imported: TestDatabase, tmp_path: Path, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(sorted(SMALL)), label="record")
    raw, applied = data.draw(
        mutated(
            SMALL[name],
            language="json",
            nul=True,
            surrogates=True,
        ),
        label="mutation",
    )
    folder = tmp_path / "small"
    elapsed, _ = _import(imported, folder, raw, applied)
    if len(raw) >= 1024:
        return
    event("under 1 KB: time and memory asserted")
    assert elapsed < ONE_SECOND, f"{len(raw)} bytes took {elapsed:.2f} s"
    tracemalloc.start()
    try:
        run_cli("import", "ctgov", "--dry-run", str(folder / "study.json"), db=imported)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < HUNDRED_MB, f"{len(raw)} bytes took {peak / 1e6:.0f} MB"


# Bugs found by fuzzing: each test fails until its fix lands --------------------------------


def _refused(database: TestDatabase, tmp_path: Path, raw: bytes) -> None:
    folder = tmp_path / "bug"
    folder.mkdir()
    path = folder / "study.json"
    path.write_bytes(raw)
    before = content(database)
    outcome = run_cli("import", "ctgov", str(path), db=database)
    assert outcome.exit_code == 1, outcome.stderr
    check_outcome(database, folder, outcome.exit_code, outcome.stderr, before)


def test_huge_json_numbers_are_refused(sqlite_database: TestDatabase, tmp_path: Path) -> None:
    raw = BARE.replace(b'"hasResults": false', b'"hasResults": ' + b"9" * 5000)
    _refused(sqlite_database, tmp_path, raw)


@pytest.mark.parametrize("depth", [900, 5_000, 200_000])
def test_deeply_nested_json_is_refused(
    empty_sqlite_database: TestDatabase, tmp_path: Path, depth: int
) -> None:
    raw = BARE.replace(b'"hasResults": false', b'"hasResults": ' + b"[" * depth + b"]" * depth)
    folder = tmp_path / "deep"
    folder.mkdir()
    (folder / "study.json").write_bytes(raw)
    outcome = run_cli("import", "ctgov", str(folder / "study.json"), db=empty_sqlite_database)
    check_outcome(empty_sqlite_database, folder, outcome.exit_code, outcome.stderr, [])


@pytest.mark.parametrize(
    "raw",
    [
        BARE.replace(b'"A Record', b'"\\ud800A Record'),
        BARE.replace(b'"A Record', b'"\xed\xa0\x80A Record'),
        BARE.replace(b'"identificationModule"', b'"\xed\xa0\x80identificationModule"'),
    ],
    ids=["escape", "bytes", "bytes-in-a-key"],
)
def test_lone_surrogates_are_refused(
    sqlite_database: TestDatabase, tmp_path: Path, raw: bytes
) -> None:
    _refused(sqlite_database, tmp_path, raw)


def test_huge_count_strings_are_kept_as_text(sqlite_database: TestDatabase, tmp_path: Path) -> None:
    # Once refused (int() of 5,000 digits raises); the registry's own data never blocks an
    # import now: the flow keeps the text, the count is empty.
    huge = "9" * 5000
    raw = EDGE.replace(b'"numSubjects": "20"', b'"numSubjects": "' + huge.encode() + b'"', 1)
    assert raw != EDGE
    path = tmp_path / "study.json"
    path.write_bytes(raw)
    outcome = run_cli("import", "ctgov", str(path), db=sqlite_database)
    assert outcome.exit_code == 0, outcome.stderr
    with open_engine(sqlite_database.url, write=False) as engine, engine.connect() as connection:
        kept = connection.execute(
            sa.text("SELECT count, count_raw FROM participant_flow WHERE count_raw = :huge"),
            {"huge": huge},
        ).all()
    assert [tuple(row) for row in kept] == [(None, huge)]


def test_nul_character_in_a_registry_text(database: TestDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "nul"
    folder.mkdir()
    path = folder / "study.json"
    path.write_bytes(BARE.replace(b'"A Record', b'"\\u0000A Record'))
    before = content(database)
    outcome = run_cli("import", "ctgov", str(path), db=database)
    check_outcome(database, folder, outcome.exit_code, outcome.stderr, before)
