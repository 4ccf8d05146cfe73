"""How long `evidencedb --help` takes against importing what it cannot do without, in one run.

    python benchmarks/cli_startup.py [--runs N]

Issue 14 asks that `--help` take at most 1.5x the time of `python -c "import sqlalchemy,
typer"`: the floor of any command built on them. Each command runs N times as a new process,
alternating, and the medians are compared (a start-up is a few hundred milliseconds, so a
single run says little on a shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 1.5


def commands() -> dict[str, list[str]]:
    script = Path(sys.executable).with_name("evidencedb")
    return {
        "import sqlalchemy, typer": [sys.executable, "-c", "import sqlalchemy, typer"],
        "evidencedb --help": [str(script), "--help"],
    }


def medians(runs: int) -> dict[str, float]:
    timings: dict[str, list[float]] = {name: [] for name in commands()}
    for _ in range(runs):
        for name, command in commands().items():
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (15)")
    options = parser.parse_args(argv)
    figures = medians(options.runs)
    floor, help_ = figures["import sqlalchemy, typer"], figures["evidencedb --help"]
    ratio = help_ / floor
    print(f"{'start-up, median of ' + str(options.runs):40} {'seconds':>8}")
    for name, seconds in figures.items():
        print(f"{name:40} {seconds:8.3f}")
    verdict = "within" if ratio <= TARGET else "over"
    print(f"{'--help / floor':40} {ratio:7.2f}x ({verdict} the {TARGET}x target)")
    return {**figures, "ratio": ratio}


if __name__ == "__main__":
    main()
