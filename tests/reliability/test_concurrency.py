"""Concurrency: loads and exports at once on one database, SQLite (WAL, busy timeout,
BEGIN IMMEDIATE) and PostgreSQL.

Three tests, from the most controlled to the least:
- two loads whose transactions overlap, made to overlap on purpose (threads, the first held open
  until the second has started): the outcome must be the serial one, first then second, and
  neither may fail with anything but a user error;
- an export whose transaction sees a load commit half-way through: every file it writes still
  comes from the snapshot it started with;
- rounds of real `evidencedb load` and `evidencedb export csv` processes started together:
  all finish (no deadlock: a time limit), each exits 0 or 1 with `error:` lines and no
  traceback, the final database is one of the states a serial order can produce (no partial
  data), and every export folder is one such state in all its files.

The loads rewrite a generated trial whose results differ in every row between variants, so a
mixture of two states cannot pass for either.
"""

from __future__ import annotations

import csv
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evidencedb.errors import EvidenceError
from evidencedb.loader.load import load
from evidencedb.operations.load import load_bundles
from evidencedb.query import export
from evidencedb.seedfiles.reading import read_seed_files
from evidencedb.store.database import reading, writing
from tests.support.budgets import CONCURRENCY_ROUNDS
from tests.support.cli import installed_script, run_cli
from tests.support.constraints import constraint_violations
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS
from tests.support.generated_seeds import generated_seed

ARMS, ENDPOINTS = 12, 20  # 240 results: a load spends a few tenths of a second writing
HALF = ARMS // 2


def _variant(folder: Path, value: int | Callable[[int], int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "generated.yaml").write_text(
        generated_seed(arms=ARMS, endpoints=ENDPOINTS, value=value), encoding="utf-8"
    )
    return folder


COMPARISON_COLUMNS = (
    "trial_key",
    "endpoint_key",
    "arm_key",
    "comparator_arm_key",
    "measure",
    "origin",
    "source_key",
    "value",
    "ci_lower",
    "ci_upper",
)


def _signature(folder: Path) -> tuple[Any, ...]:
    """What an export folder says about the generated trial and everything else, without ids:
    the flat views' facts with their values, the tables' values, and every file's row count."""

    def rows(name: str) -> list[dict[str, str]]:
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    results = sorted(
        (r["trial_key"], r["arm_key"], r["endpoint_key"], r["source_key"], r["value"])
        for r in rows("results_flat")
    )
    comparisons = sorted(
        tuple(r[column] for column in COMPARISON_COLUMNS) for r in rows("comparisons_flat")
    )
    table_values = (
        sorted(r["value"] for r in rows("results")),
        sorted(r["value"] for r in rows("comparisons")),
    )
    counts = tuple(
        (name, len(rows(name))) for name in export.export_names() if name != "data_dictionary"
    )
    return (tuple(results), tuple(comparisons), table_values, counts)


def _state(database: TestDatabase, folder: Path) -> tuple[Any, ...]:
    outcome = run_cli("export", "csv", "--out", str(folder), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return _signature(folder)


# Overlapping transactions, on purpose -------------------------------------------------------


def _held_load(url: str, first: Path, second: Path) -> tuple[BaseException | None, float]:
    """Load `first` and keep its transaction open while a second load of `second` starts;
    commit the first half a second later; return how the second load ended, and when."""
    first_bundles, second_bundles = read_seed_files([first]), read_seed_files([second])
    loaded, release = threading.Event(), threading.Event()
    failures: dict[str, BaseException] = {}
    finished: dict[str, float] = {}

    def hold() -> None:
        try:
            with writing(url) as connection:
                load(connection, first_bundles)
                loaded.set()
                release.wait(timeout=60)
        except BaseException as error:  # reported below
            failures["first"] = error
            loaded.set()

    def follow() -> None:
        try:
            with writing(url) as connection:
                load_bundles(connection, second_bundles)
        except BaseException as error:  # reported below
            failures["second"] = error
        finished["second"] = time.monotonic()

    holder = threading.Thread(target=hold)
    holder.start()
    assert loaded.wait(timeout=60)
    follower = threading.Thread(target=follow)
    follower.start()
    time.sleep(0.5)  # the second load is waiting for the first (or has failed)
    committed = time.monotonic()
    release.set()
    holder.join(timeout=60)
    follower.join(timeout=60)
    assert not holder.is_alive(), "deadlock: the first load never finished"
    assert not follower.is_alive(), "deadlock: the second load never finished"
    assert "first" not in failures, repr(failures["first"])
    assert finished["second"] >= committed, "the second load did not wait for the first"
    return failures.get("second"), finished["second"]


@pytest.mark.parametrize("case", ["same-new-trial", "interleaved-edits"])
def test_overlapping_loads_end_as_if_one_after_the_other(
    database: TestDatabase, tmp_path: Path, case: str
) -> None:
    assert run_cli("load", str(SEEDS), db=database).exit_code == 0
    if case == "same-new-trial":  # both insert the same rows
        first = second = _variant(tmp_path / "x", 10) / "generated.yaml"
    else:  # both update; the second restates half the rows as they were before the first
        start = _variant(tmp_path / "s", 0) / "generated.yaml"
        assert run_cli("load", str(start), db=database).exit_code == 0
        first = _variant(tmp_path / "x", 10) / "generated.yaml"
        second = _variant(tmp_path / "y", lambda arm: 0 if arm < HALF else 20) / "generated.yaml"

    error, _ = _held_load(database.url, first, second)
    assert error is None or isinstance(error, EvidenceError), repr(error)

    serial = TestDatabase(f"sqlite:///{tmp_path / 'serial.db'}", "sqlite")
    assert run_cli("load", str(SEEDS), db=serial).exit_code == 0
    if case == "interleaved-edits":
        assert run_cli("load", str(start), db=serial).exit_code == 0
    assert run_cli("load", str(first), db=serial).exit_code == 0
    if error is None:
        assert run_cli("load", str(second), db=serial).exit_code == 0
    assert _state(database, tmp_path / "concurrent") == _state(serial, tmp_path / "serial")
    assert constraint_violations(database) == []


# An export that sees a load commit half-way ---------------------------------------------------


def test_an_export_sees_one_snapshot(database: TestDatabase, tmp_path: Path) -> None:
    assert run_cli("load", str(SEEDS), db=database).exit_code == 0
    start = _variant(tmp_path / "s", 0)
    changed = _variant(tmp_path / "x", 10)
    assert run_cli("load", str(start), db=database).exit_code == 0
    expected = _state(database, tmp_path / "expected")

    folder = tmp_path / "export"
    folder.mkdir()
    names = export.export_names()
    with reading(database.url, snapshot=True) as connection:
        for position, name in enumerate(names):
            if position == len(names) // 2:  # a load commits between two files
                outcome = run_cli("load", str(changed), db=database)
                assert outcome.exit_code == 0, outcome.stderr
            with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as stream:
                export.write_export(connection, name, stream)
    assert _signature(folder) == expected
    assert _state(database, tmp_path / "after") != expected  # the load did commit


# Real processes, started together --------------------------------------------------------------


def _cleanly_finished(process: subprocess.Popen[str], stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    assert process.returncode in (0, 1), stderr
    if process.returncode == 1:
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert lines
        assert all(line.startswith("error: ") or " problems; " in line for line in lines)
        return "failed with a message"
    return "finished"


def test_simultaneous_loads_and_exports(database: TestDatabase, tmp_path: Path) -> None:
    assert run_cli("load", str(SEEDS), db=database).exit_code == 0
    variants = {
        "start": _variant(tmp_path / "start", 0),
        "x": _variant(tmp_path / "x", 10),
        "y": _variant(tmp_path / "y", lambda arm: 0 if arm < HALF else 20),
    }
    states = {}
    for name, folder in variants.items():  # every state a serial order can leave behind
        scratch = TestDatabase(f"sqlite:///{tmp_path / f'{name}.db'}", "sqlite")
        assert run_cli("load", str(SEEDS), db=scratch).exit_code == 0
        assert run_cli("load", str(folder), db=scratch).exit_code == 0
        states[name] = _state(scratch, tmp_path / f"state-{name}")
    assert run_cli("load", str(variants["start"]), db=database).exit_code == 0

    command = [str(installed_script()), "--db", database.url]
    tally: dict[str, int] = {}
    runs = 0
    started = time.monotonic()
    for round_ in range(CONCURRENCY_ROUNDS):
        jobs: list[tuple[str, Path | None, list[str]]] = [
            ("load", None, ["load", str(variants["x"])]),
            ("load", None, ["load", str(variants["y"])]),
            ("load", None, ["load", str(variants["x" if round_ % 2 else "y"])]),
        ]
        for number in range(3):
            out = tmp_path / f"export-{round_}-{number}"
            jobs.append(("export", out, ["export", "csv", "--out", str(out)]))
        processes = [
            (kind, out, subprocess.Popen([*command, *arguments], text=True, **_PIPES))
            for kind, out, arguments in jobs
        ]
        deadline = time.monotonic() + 120
        for kind, out, process in processes:
            try:
                _, stderr = process.communicate(timeout=max(deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired:
                for _, _, other in processes:
                    other.kill()
                pytest.fail(f"deadlock or hang: a {kind} ran for more than 120 s")
            how = _cleanly_finished(process, stderr)
            tally[f"{kind} {how}"] = tally.get(f"{kind} {how}", 0) + 1
            runs += 1
            if kind == "export" and process.returncode == 0:
                assert out is not None
                assert _signature(out) in states.values(), "an export mixed two states"
        final = _state(database, tmp_path / f"final-{round_}")
        assert final in states.values(), "the database holds a mixture of two loads"
    assert constraint_violations(database) == []
    summary = ", ".join(f"{count} {what}" for what, count in sorted(tally.items()))
    print(
        f"concurrency ({database.backend}): {CONCURRENCY_ROUNDS} rounds of 3 loads and 3 "
        f"exports started together, {runs} processes in {time.monotonic() - started:.1f} s: "
        f"{summary}; no deadlock, no mixed state, every export one snapshot"
    )


_PIPES: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
