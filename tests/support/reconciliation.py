"""A curated trial and its registry record, in versions: SMART-FM (NCT05005351) from the
shared corpus, its seed file in examples/, and edited copies of the record for the tests of
linking, history and reconciliation."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import REPO, require_shared

EXAMPLE_SEED = REPO / "examples" / "smart-fm.yaml"
NCT = "NCT05005351"


def smart_fm_record() -> Path:
    return require_shared() / "ctgov-corpus" / f"{NCT}.json"


def record_version(
    folder: Path, date: str, edit: Callable[[dict[str, Any]], None] | None = None
) -> Path:
    """A copy of the SMART-FM record as the version of `date`, edited by `edit`."""
    data = json.loads(smart_fm_record().read_text(encoding="utf-8"))
    status = data["protocolSection"]["statusModule"]
    status["lastUpdatePostDateStruct"]["date"] = date
    status["lastUpdateSubmitDate"] = date
    if edit is not None:
        edit(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NCT}-{date}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def primary_outcomes(data: dict[str, Any]) -> list[dict[str, Any]]:
    outcomes: list[dict[str, Any]] = data["protocolSection"]["outcomesModule"]["primaryOutcomes"]
    return outcomes


def seed_variant(folder: Path, replace: dict[str, str]) -> Path:
    """The example seed file with some of its text replaced."""
    text = EXAMPLE_SEED.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "smart-fm.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def ok(*args: str, db: TestDatabase) -> str:
    outcome = run_cli(*args, db=db)
    assert outcome.exit_code == 0, outcome.stderr
    return outcome.stdout


def exported_content(database: TestDatabase, folder: Path) -> dict[str, list[tuple[str, ...]]]:
    """Every CSV file of `export csv`, with the surrogate ids (`id`, `*_id`) left out and the
    rows sorted: what two databases written in another order must have in common."""
    ok("export", "csv", "--out", str(folder), db=database)
    content = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as stream:
            header, *rows = list(csv.reader(stream))
        kept = [i for i, name in enumerate(header) if name != "id" and not name.endswith("_id")]
        # The flat views aggregate a trial's identifiers in the order the database stores
        # them, which an UPDATE changes on PostgreSQL: compared as a set.
        listed = {i for i, name in enumerate(header) if name == "registry_ids"}
        content[path.name] = sorted(
            tuple("; ".join(sorted(row[i].split("; "))) if i in listed else row[i] for i in kept)
            for row in rows
        )
    return content
