"""Crash safety: a load killed with SIGKILL at a random moment leaves the SQLite file either as
it was or fully loaded, and intact.

The load is a real `evidencedb load` process over a copy of the seeds plus a generated seed
file of 1,500 results with long notes (and some 6,000 comparisons the loader derives): a 3 MB
transaction, more than SQLite's page cache, so that it spills into the WAL before COMMIT. Half
the runs are killed at a random moment after the load opens the database (its WAL file
appears), half at a random moment after it starts writing transaction pages into the WAL
(spill, commit and checkpoint: where a kill is most likely to tear something). The delays are
drawn over how long an uninterrupted load keeps the database open, or writes the WAL before
checkpointing it, times 1.6 (the runs go two at a time, each a little slower than alone).
Half of the runs start from the seeds already loaded, half from no database at all (the kill
may then land while the schema is being created, in the temporary file a new database is
written to before it is put in place: then no database appears). After each kill,
`PRAGMA integrity_check` must say ok and the content must equal the content before the load
or the content after an uninterrupted one, byte for byte.

PostgreSQL is not killed here: its durability is the server's, and a client killed mid-
transaction is an aborted transaction (the concurrency tests cover PostgreSQL).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.budgets import CRASH_KILLS
from tests.support.cli import installed_script, run_cli
from tests.support.database_content import content, digest
from tests.support.databases import TestDatabase
from tests.support.generated_seeds import generated_seed
from tests.support.seeds import copy_seeds

ARMS, ENDPOINTS, NOTE = 30, 50, 2000  # 1,500 results with 2 KB notes: a 3 MB transaction


def _database(path: Path) -> TestDatabase:
    return TestDatabase(f"sqlite:///{path}", "sqlite")


def _integrity(path: Path) -> list[str]:
    if not path.exists():
        return ["ok"]
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def _load(path: Path, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(installed_script()), "--db", f"sqlite:///{path}", "load", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wal(target: Path) -> Path:
    """The WAL file of the load into `target`: a new database is written under a temporary
    name beside it (`store.database.created_atomically`), and has that file's WAL."""
    creating = sorted(target.parent.glob(f".{target.name}.*.creating-wal"))
    return creating[0] if creating else Path(f"{target}-wal")


def _reached(process: subprocess.Popen[bytes], target: Path, moment: str) -> float | None:
    """Wait until the load reaches `moment`: "open", it has opened the database (its WAL file
    appears), or "wal", it writes transaction pages into the WAL (spilling a transaction too
    big for the page cache, or committing). Returns when, or None if it ended first."""
    while not ((wal := _wal(target)).exists() and (moment == "open" or wal.stat().st_size > 0)):
        if process.poll() is not None:
            return None
        time.sleep(0.0005)
    return time.monotonic()


def _calibrate(target: Path, folder: Path) -> dict[str, float]:
    """Run one uninterrupted load, watching its files: how long from opening the database to
    the end, and how long it writes the WAL before the checkpoint copies it into the file."""
    wal, started = Path(f"{target}-wal"), time.monotonic()
    original = target.stat() if target.exists() else None
    process = _load(target, folder)
    opened = spilled = checkpoint = None
    while process.poll() is None:
        now = time.monotonic()
        if opened is None and wal.exists():
            opened = now
        if spilled is None and wal.exists() and wal.stat().st_size > 0:
            spilled = now
        if spilled is not None and checkpoint is None and target.exists():
            state = target.stat()
            if original is None or (state.st_size, state.st_mtime_ns) != (
                original.st_size,
                original.st_mtime_ns,
            ):
                checkpoint = now
        time.sleep(0.0005)
    ended = time.monotonic()
    _, stderr = process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert opened is not None, "the load was too quick to watch"
    assert spilled is not None, "the load was too quick to watch"
    return {
        "run": ended - started,
        "open": ended - opened,
        "wal": (checkpoint or ended) - spilled,
    }


def _killed(target: Path, folder: Path, moment: str, delay: float) -> tuple[bool, bool]:
    """Run a load and SIGKILL it `delay` seconds after `moment`; returns whether it was still
    running, and whether its WAL then held transaction pages."""
    process = _load(target, folder)
    reached = _reached(process, target, moment)
    if reached is None:  # it finished before the moment could be seen
        reached = time.monotonic()
    try:
        process.wait(timeout=max(reached + delay - time.monotonic(), 0.0001))
    except subprocess.TimeoutExpired:
        wal = _wal(target)
        writing = wal.exists() and wal.stat().st_size > 0
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        return True, writing
    process.communicate(timeout=60)
    return False, False


def test_killed_loads_leave_the_database_as_before_or_fully_loaded(tmp_path: Path) -> None:
    folder = copy_seeds(tmp_path)
    (folder / "generated.yaml").write_text(
        generated_seed(arms=ARMS, endpoints=ENDPOINTS, note=NOTE), encoding="utf-8"
    )
    seeds_only = sorted(str(path) for path in folder.glob("*.yaml") if path.stem != "generated")

    # Two starting points: no database, and the seeds loaded; the content before a load from
    # each, and after it.
    starts: dict[str, Path | None] = {"empty": None, "seeded": tmp_path / "seeded.db"}
    seeded = starts["seeded"]
    assert seeded is not None
    outcome = run_cli("load", *seeds_only, db=_database(seeded))
    assert outcome.exit_code == 0, outcome.stderr
    before = {"empty": [], "seeded": content(_database(seeded))}
    after: dict[str, object] = {}
    # How long a load keeps the database open, and writes the WAL: an uninterrupted process.
    calibration = tmp_path / "calibration.db"
    shutil.copy(seeded, calibration)
    phase = _calibrate(calibration, folder)
    after["seeded"] = content(_database(calibration))
    fresh = tmp_path / "fresh.db"
    assert run_cli("load", str(folder), db=_database(fresh)).exit_code == 0
    after["empty"] = content(_database(fresh))
    assert after["seeded"] != before["seeded"]

    seed = int(os.environ.get("EVIDENCEDB_CRASH_SEED", time.time_ns() % 2**32))
    chooser = random.Random(seed)
    runs = []
    for run in range(CRASH_KILLS):
        name = "empty" if run % 2 == 0 else "seeded"
        moment = "open" if run % 4 < 2 else "wal"
        target = tmp_path / f"killed-{run}.db"
        start = starts[name]
        if start is not None:
            shutil.copy(start, target)
        delay = chooser.uniform(0.0, 1.6) * phase[moment]
        runs.append((run, name, moment, target, delay))
    # Two at a time (CI has two cores), each timed from its own moment; two loads at once run
    # slower than the calibration, hence delays up to 1.6 times its phases.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_killed, r[3], folder, r[2], r[4]) for r in runs]
        killed = [future.result() for future in futures]

    outcomes = {"before": 0, "loaded": 0}
    for (run, name, moment, target, delay), _ in zip(runs, killed, strict=True):
        where = (
            f"run {run} from {name}, killed {delay:.3f} s after {moment} "
            f"(EVIDENCEDB_CRASH_SEED={seed})"
        )
        assert _integrity(target) == ["ok"], where
        state = content(_database(target))
        assert state in (before[name], after[name]), (
            f"{where}: content {digest(state)} is neither the one before "
            f"({digest(before[name])}) nor the fully loaded one ({digest(after[name])})"
        )
        outcomes["before" if state == before[name] else "loaded"] += 1

    # A killed database is a usable one: loading again completes the load.
    run, name, _, last, _ = runs[-1]
    assert run_cli("load", str(folder), db=_database(last)).exit_code == 0
    assert content(_database(last)) == after[name]

    interrupted = sum(running for running, _ in killed)
    writing = sum(pages for _, pages in killed)
    print(
        f"crash safety: {CRASH_KILLS} loads ({phase['run']:.1f} s each) killed with SIGKILL, "
        f"half at random in the {phase['open']:.2f} s they keep the database open, half in the "
        f"{phase['wal'] * 1000:.0f} ms they write the WAL ({interrupted} killed while running, "
        f"{writing} of them with transaction pages in the WAL): {outcomes['before']} left the "
        f"database as before, {outcomes['loaded']} fully loaded; integrity_check ok every "
        f"time (seed {seed})"
    )
    assert interrupted > 0
