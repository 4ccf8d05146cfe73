"""Fuzzing the seed-file road: damaged YAML never gets a traceback, is refused without a trace
in the database, or is accepted only when every rule holds; small files and alias bombs are
decided within a second and 100 MB.

Each example damages one of the seed files (see `tests.support.mutations.mutated`), loads the seed
folder with it through the CLI, and checks:
- the command exits 0 or 1, never with a traceback (`run_cli` lets any other exception
  through, which fails the test);
- refused (1): every line is a located `error:` naming a file of the load, and the database's
  content is byte-for-byte what it was;
- accepted (0): the database breaks no rule of the design (`constraint_violations`).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.support.budgets import fuzz_examples
from tests.support.byte_mutations import alias_bomb
from tests.support.cli import installed_script, run_cli
from tests.support.database_content import content
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS
from tests.support.fuzzing import (
    FUZZ_SETTINGS,
    HUNDRED_MB,
    ONE_SECOND,
    check_outcome,
    least_cpu_seconds,
)
from tests.support.mutations import mutated
from tests.support.seeds import copy_seeds

MAIN = "blinatumomab-infant-kmt2a-all.yaml"
INTERFANT = "interfant-06.yaml"
# A valid seed file under 1 KB: the small inputs whose decision must take under a second.
SMALL_SEED = """\
schema_version: 1
sources:
  - key: small-source
    kind: journal_article
    title: A small source
    year: 2023
trial:
  key: small-trial
  title: A small trial
  design: randomized
  enrollment: 40
  source: small-source
  quote: forty patients
arms:
  - key: treated
    label: Treated
    role: experimental
    n_enrolled: 20
    source: small-source
    quote: twenty treated
  - key: control
    label: Control
    role: placebo_comparator
    n_enrolled: 20
    source: small-source
    quote: twenty controls
endpoints:
  - key: response
    name: Response
    kind: response
    measure: proportion
    source: small-source
    quote: response
results:
  - endpoint: response
    arm: treated
    value: 50
    unit: "%"
    numerator: 10
    denominator: 20
    source: small-source
    quote: half responded
"""
assert len(SMALL_SEED.encode()) < 1024


@pytest.fixture
def seed_folder(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path)


@pytest.fixture
def seeded(database: TestDatabase, seed_folder: Path) -> TestDatabase:
    outcome = run_cli("load", str(seed_folder), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return database


ORIGINALS = {name: (SEEDS / name).read_bytes() for name in (MAIN, INTERFANT)}


@settings(FUZZ_SETTINGS, max_examples=fuzz_examples(0.4))
@given(data=st.data())
def test_damaged_seed_files(seeded: TestDatabase, seed_folder: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(ORIGINALS)), label="file")
    raw, applied = data.draw(
        mutated(ORIGINALS[name], language="yaml", nul=True, surrogates=True),
        label="mutation",
    )
    target = seed_folder / name
    before = content(seeded)
    target.write_bytes(raw)
    try:
        outcome = run_cli("load", str(seed_folder), db=seeded)
    finally:
        target.write_bytes(ORIGINALS[name])
    decision = check_outcome(seeded, seed_folder, outcome.exit_code, outcome.stderr, before)
    event(decision)
    for mutation in applied:
        event(f"mutation: {mutation}")


@pytest.fixture
def small_folder(database: TestDatabase, tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "small.yaml").write_text(SMALL_SEED, encoding="utf-8")
    outcome = run_cli("load", str(folder), db=database)  # also warms up lazy imports
    assert outcome.exit_code == 0, outcome.stderr
    return folder


@settings(FUZZ_SETTINGS, max_examples=fuzz_examples(0.1))
@given(data=st.data())
def test_small_seed_files_are_decided_within_a_second_and_100_mb(
    database: TestDatabase, small_folder: Path, data: st.DataObject
) -> None:
    raw, applied = data.draw(
        mutated(SMALL_SEED.encode(), language="yaml", nul=True),
        label="mutation",
    )
    target = small_folder / "small.yaml"
    before = content(database)
    target.write_bytes(raw)
    try:
        started = time.process_time()
        outcome = run_cli("load", str(small_folder), db=database)
        elapsed = time.process_time() - started
        if len(raw) < 1024:
            tracemalloc.start()
            try:
                run_cli("load", "--dry-run", str(small_folder), db=database)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    finally:
        target.write_text(SMALL_SEED, encoding="utf-8")
    decision = check_outcome(database, small_folder, outcome.exit_code, outcome.stderr, before)
    event(decision)
    for mutation in applied:
        event(f"mutation: {mutation}")
    if len(raw) < 1024:
        event("under 1 KB: time and memory asserted")
        assert elapsed < ONE_SECOND, f"{len(raw)} bytes took {elapsed:.2f} s"
        assert peak < HUNDRED_MB, f"{len(raw)} bytes took {peak / 1e6:.0f} MB"


# The alias bomb of the issue --------------------------------------------------------------

# 432 bytes: nine anchors, each a list of nine aliases of the previous one. Built as Python
# objects it would be 9**9 = 387,420,489 strings (gigabytes); the reader counts the nodes it
# builds, aliases expanded, and stops at located_yaml.MAX_NODES.
ISSUE_BOMB = "schema_version: 1\n" + alias_bomb(9, 9)
assert len(ISSUE_BOMB.encode()) == 432

# The same bomb where validation would walk it: in the trial's list of countries.
SEED_BOMB = (
    "schema_version: 1\n"
    + "defs:\n"
    + "".join(f"  {line}\n" for line in alias_bomb(9, 9).splitlines())
    + "trial: {key: t, title: t, source: s, quote: q, countries: *i}\n"
)


def _decide(path: Path, database: TestDatabase) -> tuple[float, int, str]:
    elapsed, outcome = least_cpu_seconds(lambda: run_cli("load", str(path), db=database))
    tracemalloc.start()
    try:
        run_cli("load", str(path), db=database)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcome.exit_code == 1, outcome.stderr
    return elapsed, peak, outcome.stderr


@pytest.mark.parametrize("bomb", [ISSUE_BOMB, SEED_BOMB], ids=["issue-bomb", "in-a-seed"])
def test_alias_bomb_refused_within_a_second_and_100_mb(
    sqlite_database: TestDatabase, tmp_path: Path, bomb: str
) -> None:
    assert run_cli("load", str(SEEDS), db=sqlite_database).exit_code == 0
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    before = content(sqlite_database)
    elapsed, peak, stderr = _decide(path, sqlite_database)
    assert stderr.startswith(f"error: {path}:")
    assert "alias bomb" in stderr
    assert elapsed < ONE_SECOND
    assert peak < HUNDRED_MB
    assert content(sqlite_database) == before


def _max_rss(arguments: list[str]) -> tuple[int, int]:
    """Exit code and peak resident memory (bytes) of the CLI run as its own process."""
    process = subprocess.Popen(
        [str(installed_script()), *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss * 1024


def test_alias_bomb_costs_the_process_under_100_mb(tmp_path: Path) -> None:
    """The whole process, C and Rust allocations included, against one that validates a
    one-line file: the bomb adds less than 100 MB."""
    trivial = tmp_path / "trivial.yaml"
    trivial.write_text("schema_version: 1\n", encoding="utf-8")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ISSUE_BOMB, encoding="utf-8")
    code, baseline = _max_rss(["validate", str(trivial)])
    assert code == 1  # no trial: refused, like the bomb
    code, peak = _max_rss(["validate", str(bomb)])
    assert code == 1
    assert peak - baseline < HUNDRED_MB, f"{(peak - baseline) / 1e6:.0f} MB above the baseline"


# Bugs found by fuzzing: each test fails until its fix lands --------------------------------


def _amplifier() -> str:
    """Under 1 KB, no bomb by node count (about 180,000 nodes, under MAX_NODES = 200,000), but
    every aliased mapping is wrong in many fields, so validation reports ~170,000 problems."""
    fields = ", ".join(f"{chr(ord('a') + n)}: 0" for n in range(20))
    text = (
        "defs:\n"
        f"  k: &k {{{fields}}}\n"
        "  l: &l [" + ",".join(["*k"] * 60) + "]\n"
        "  m: &m {interventions: *l}\n"
        "arms: [" + ",".join(["*m"] * 140) + "]\n"
    )
    assert len(text.encode()) < 1024
    return text


def test_alias_amplification_decided_within_a_second_and_100_mb(
    sqlite_database: TestDatabase, tmp_path: Path
) -> None:
    path = tmp_path / "amplifier.yaml"
    path.write_text(_amplifier(), encoding="utf-8")
    elapsed, outcome = least_cpu_seconds(lambda: run_cli("load", str(path), db=sqlite_database))
    assert outcome.exit_code == 1
    assert elapsed < ONE_SECOND, f"{elapsed:.2f} s"
    _, peak, _ = _decide(path, sqlite_database)
    assert peak < HUNDRED_MB, f"{peak / 1e6:.0f} MB"


def test_deeply_nested_yaml_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("trial: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    outcome = subprocess.run(
        [str(installed_script()), "validate", str(path)], capture_output=True, text=True, timeout=60
    )
    assert outcome.returncode == 1, f"exit {outcome.returncode}"
    # Our depth check, or libyaml's own limit where the installed build has one.
    assert re.search(r"nested deeper than|exceeded maximum nesting depth", outcome.stderr)
    assert outcome.stderr.startswith(f"error: {path}:1")


@pytest.mark.parametrize(
    "value", ["9" * 5000, "0x" + "f" * 4000, "0b" + "1" * 20_000, ":".join(["59"] * 3000)]
)
def test_huge_integers_are_refused(tmp_path: Path, value: str) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(f"schema_version: {value}\n", encoding="utf-8")
    outcome = run_cli("validate", str(path))
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith(f"error: {path}:1")


@pytest.mark.parametrize("value", ["!!int abc", "!!float abc", "!!int 1.5", "!!bool 1"])
def test_impossible_tagged_scalars_are_refused(tmp_path: Path, value: str) -> None:
    path = tmp_path / "tagged.yaml"
    path.write_text(f"schema_version: {value}\n", encoding="utf-8")
    outcome = run_cli("validate", str(path))
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith(f"error: {path}:1")


def test_nul_character_in_text(database: TestDatabase, seed_folder: Path) -> None:
    """Accepted where the database can store it, refused with a message where it cannot:
    either way, no traceback."""
    target = seed_folder / INTERFANT
    text = target.read_text(encoding="utf-8")
    target.write_text(
        text.replace("  title: Interfant-06 trial\n", '  title: "Interfant\\0-06 trial"\n'),
        encoding="utf-8",
    )
    before = content(database)
    outcome = run_cli("load", str(seed_folder), db=database)
    check_outcome(database, seed_folder, outcome.exit_code, outcome.stderr, before)


@pytest.mark.parametrize("document", ["binary.txt", '"a\\0b.txt"'], ids=["binary", "nul-in-path"])
def test_unreadable_document_is_a_warning_not_a_traceback(
    empty_sqlite_database: TestDatabase, tmp_path: Path, document: str
) -> None:
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00\x01")
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        SMALL_SEED.replace("    year: 2023\n", f"    year: 2023\n    document: {document}\n"),
        encoding="utf-8",
    )
    outcome = run_cli("load", str(seed), db=empty_sqlite_database)
    check_outcome(empty_sqlite_database, tmp_path, outcome.exit_code, outcome.stderr, [])


def test_check_with_an_unreadable_document_is_not_a_traceback(
    sqlite_database: TestDatabase, tmp_path: Path
) -> None:
    document = tmp_path / "document.txt"
    document.write_text(
        "forty patients, twenty treated, twenty controls; response: half responded",
        encoding="utf-8",
    )
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        SMALL_SEED.replace("    year: 2023\n", "    year: 2023\n    document: document.txt\n"),
        encoding="utf-8",
    )
    outcome = run_cli("load", str(seed), db=sqlite_database)
    assert outcome.exit_code == 0, outcome.stderr
    document.write_bytes(b"\xff\xfe\x00\x01")
    outcome = run_cli("check", "--seeds", str(tmp_path), db=sqlite_database)
    assert outcome.exit_code in (0, 1)
    assert "Traceback" not in outcome.stderr


def test_document_that_never_ends_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    seed = tmp_path / "fifo.yaml"
    seed.write_text(
        SMALL_SEED.replace("    year: 2023\n", f"    year: 2023\n    document: {fifo}\n"),
        encoding="utf-8",
    )
    assert len(seed.read_bytes()) < 1024
    try:
        outcome = subprocess.run(
            [str(installed_script()), "--db", f"sqlite:///{tmp_path / 'e.db'}", "load", str(seed)],
            capture_output=True,
            text=True,
            # A hang, not speed, is what this catches: reading the FIFO would block forever.
            # The margin covers the interpreter's start on a loaded 2-core machine.
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("a seed file under 1 KB was still loading after 30 s: it hangs")
    assert outcome.returncode in (0, 1)


def test_the_seed_files_parse_as_plain_yaml() -> None:
    """The fuzzers' structural mutations start from `yaml.safe_load` of the originals."""
    for raw in ORIGINALS.values():
        assert isinstance(yaml.safe_load(raw), dict)
