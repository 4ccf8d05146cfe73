"""How the results groups of real records are bound to their protocol arms, counted.

    python benchmarks/arm_matching.py [FOLDER]

Maps every study record of FOLDER (default `../shared/ctgov-corpus`) that has results, and
counts each results group (outcome OG, adverse-event EG, participant-flow FG) by how it was
bound to a protocol arm (`arms.match_basis`: title, description, interventions, group_id) or
not (none: a results-only arm, or for a flow group no arm). Nothing is written to a
database. Counting wraps the matcher for this run only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from evidencedb.enums import MatchBasis
from evidencedb.errors import ValidationFailed
from evidencedb.registries.ctgov import arms as arms_module
from evidencedb.registries.ctgov.files import StudyInput
from evidencedb.registries.ctgov.mapper import map_study

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "ctgov-corpus"
MODULES = {"OG": "outcome", "EG": "adverse-event", "FG": "flow", "BG": "baseline"}


def count_bindings(folder: Path) -> tuple[int, Counter[tuple[str, str]]]:
    """(records with results, count of groups per (module, basis))."""
    counts: Counter[tuple[str, str]] = Counter()
    matcher = arms_module.Arms._match

    def counting(
        self: arms_module.Arms,
        group_id: str | None,
        title: str,
        description: str | None,
        taken: set[str],
    ) -> tuple[arms_module.Arm | None, MatchBasis]:
        arm, basis = matcher(self, group_id, title, description, taken)
        module = MODULES.get((group_id or "")[:2], "other")
        # A title that matches a results-only arm (of an earlier module) binds no protocol arm.
        bound = arm is not None and arm.from_protocol
        counts[(module, basis.value if bound else MatchBasis.NONE.value)] += 1
        return arm, basis

    arms_module.Arms._match = counting  # type: ignore[method-assign]
    records = 0
    try:
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if "resultsSection" not in data:
                continue
            records += 1
            try:
                map_study(StudyInput(str(path), (), data))
            except ValidationFailed as failure:
                print(f"{path.name}: not mapped: {failure}", file=sys.stderr)
    finally:
        arms_module.Arms._match = matcher  # type: ignore[method-assign]
    return records, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    folder = parser.parse_args().folder
    records, counts = count_bindings(folder)
    print(f"{records} records with results")
    for module in ("outcome", "adverse-event", "flow"):
        row = {basis.value: counts[(module, basis.value)] for basis in MatchBasis}
        total = sum(row.values())
        bound = total - row["none"]
        shown = ", ".join(f"{name} {count}" for name, count in row.items() if count)
        print(f"{module} groups: {total}, bound to a protocol arm {bound} ({shown})")


if __name__ == "__main__":
    main()
