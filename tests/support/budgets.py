"""The reliability tests' budgets, from the environment: small in `make test`, large in
`make fuzz`.

- EVIDENCEDB_FUZZ_EXAMPLES: fuzzed inputs in all, shared out among the fuzz tests and the two
  backends (default 200: 100 on SQLite, 100 on PostgreSQL; fewer leave branches of the
  importer and the YAML reader that only fuzzing reaches unvisited, and cost coverage);
- EVIDENCEDB_CRASH_KILLS: SIGKILLed loads in the crash test (default 4: one of each start,
  empty or seeded, and moment, open or writing the WAL);
- EVIDENCEDB_CONCURRENCY_ROUNDS: rounds of simultaneous loads and exports (default 1).

The defaults are what `make test` runs, every test case at a small budget; `make fuzz` sets
the large ones.
"""

from __future__ import annotations

import os


def budget(name: str, default: int) -> int:
    """The budget the environment variable `name` sets, else `default`; at least 1."""
    value = int(os.environ.get(name, default))
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


FUZZ_EXAMPLES = budget("EVIDENCEDB_FUZZ_EXAMPLES", 200)
CRASH_KILLS = budget("EVIDENCEDB_CRASH_KILLS", 4)
CONCURRENCY_ROUNDS = budget("EVIDENCEDB_CONCURRENCY_ROUNDS", 1)


def fuzz_examples(share: float) -> int:
    """A fuzz test's examples on each backend: its `share` of the budget, halved between
    SQLite and PostgreSQL (the shares of all fuzz tests add up to 1)."""
    return max(5, round(FUZZ_EXAMPLES * share / 2))
