"""Where the time of a SQLite CSV export goes, against `sqlite3 -csv`, in one run.

    python benchmarks/sqlite_export_floor.py DATABASE.db [EXPORT]

For one export (default `results`) of a loaded database, times, best of two runs each:

1. `sqlite3 -csv` of the export's SELECT: the baseline of `run.py`;
2. Python's sqlite3 module fetching the same rows, 5,000 at a time, and doing nothing else;
3. the same, plus `",".join(map(str, row))` of every row: the least that Python can do to turn
   rows into lines (no quoting, no formula prefixes, NULL written as "None");
4. the library's export (`export.write_select`, what `evidencedb export csv` runs).

and prints each as a ratio to the baseline. Steps 2 and 3 bound what any exporter that reads
through the sqlite3 module and formats in Python can reach, whatever its SQL.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.dialects import sqlite

from evidencedb.query import export
from evidencedb.store.database import reading

RUNS = 2


def best_seconds(work: Callable[[], object]) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path, help="a SQLite database file, loaded")
    parser.add_argument("export", nargs="?", default="results", help="table or flat view")
    arguments = parser.parse_args(argv)
    item = next((item for item in export.exports() if item.name == arguments.export), None)
    if item is None:
        parser.error(f"no export named {arguments.export!r}")
    sql = str(
        item.statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    )
    database = str(arguments.database)

    def native() -> None:
        subprocess.run(["sqlite3", "-csv", database, sql], stdout=subprocess.DEVNULL, check=True)

    def fetch(make_lines: bool) -> None:
        connection = sqlite3.connect(database)
        try:
            cursor = connection.execute(sql)
            while batch := cursor.fetchmany(export.FETCH_ROWS):
                if make_lines:
                    "\r\n".join([",".join(map(str, row)) for row in batch])
        finally:
            connection.close()

    def library() -> None:
        with reading(f"sqlite:///{database}", snapshot=True) as connection:
            export.write_select(connection, item.statement, io.StringIO(newline=""))

    figures = {
        "sqlite3 -csv": best_seconds(native),
        "sqlite3 module, fetch only": best_seconds(lambda: fetch(False)),
        "sqlite3 module, fetch and str-join": best_seconds(lambda: fetch(True)),
        "evidencedb export": best_seconds(library),
    }
    baseline = figures["sqlite3 -csv"]
    print(f"{arguments.export}: seconds (best of {RUNS}) and ratio to sqlite3 -csv")
    for name, seconds in figures.items():
        print(f"  {name:36} {seconds:8.2f} s  {baseline / seconds:5.2f}x")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
