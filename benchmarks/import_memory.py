"""Peak memory of importing many copies of one heavy real record against a few of them.

Writes COPIES copies of a ClinicalTrials.gov record (by default `../shared/ctgov-corpus/
NCT04435626.json`: 2,811 adverse-event stats), each with its own NCT id, into a temporary
folder, and imports them into a fresh SQLite database in a subprocess (`run.py`'s import
worker), once for each count given; prints each run's peak RSS (the writing process, and at
most that of the mapping process) and the difference from the smallest run.

    python benchmarks/import_memory.py --copies 3,300
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import run_worker  # noqa: E402

DEFAULT_RECORD = HERE.parent.parent / "shared" / "ctgov-corpus" / "NCT04435626.json"


def write_copies(record: Path, copies: int, folder: Path) -> None:
    """`copies` files of `record`, each with the NCT id NCT9xxxxxxx of its number."""
    folder.mkdir(parents=True)
    data = json.loads(record.read_text(encoding="utf-8"))
    identification = data["protocolSection"]["identificationModule"]
    for number in range(copies):
        identification["nctId"] = f"NCT{91_000_000 + number:08d}"
        (folder / f"{identification['nctId']}.json").write_text(json.dumps(data))


def measure(record: Path, counts: list[int], batch_size: int) -> list[dict[str, Any]]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="evidencedb-memory-") as scratch:
        for copies in counts:
            folder = Path(scratch) / f"copies-{copies}"
            write_copies(record, copies, folder)
            url = f"sqlite:///{Path(scratch) / f'copies-{copies}.db'}"
            figures = run_worker("import", url, str(folder), str(batch_size))
            figures["copies"] = copies
            runs.append(figures)
            shutil.rmtree(folder)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", type=Path, default=DEFAULT_RECORD)
    parser.add_argument("--copies", default="3,300", help="comma-separated counts of copies")
    parser.add_argument("--batch-size", type=int, default=500, help="studies per import batch")
    args = parser.parse_args()
    counts = sorted(int(count) for count in args.copies.split(","))
    runs = measure(args.record, counts, args.batch_size)
    smallest = runs[0]
    print(f"{'copies':>7} {'seconds':>8} {'facts':>10} {'peak RSS MB':>12} {'over':>6} "
          f"{'mapping process MB, at most':>28}")  # fmt: skip
    for run in runs:
        over = run["peak_rss_mb"] - smallest["peak_rss_mb"]
        print(
            f"{run['copies']:>7} {run['seconds']:>8.1f} {run['facts']:>10,} "
            f"{run['peak_rss_mb']:>12.0f} {over:>+6.0f} "
            f"{run['mapping_process_peak_rss_mb_at_most']:>28.0f}"
        )


if __name__ == "__main__":
    main()
