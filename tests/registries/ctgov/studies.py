"""The hand-written study records of data/, and readers of what an import wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from evidencedb.store.database import open_engine
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import require_shared

DATA = Path(__file__).parent / "data"
EDGE = DATA / "NCT09000001.json"
BARE = DATA / "NCT09000003.json"
PAGE = DATA / "page.json"
OLD = DATA / "versions" / "NCT09000006-2020.json"
NEW = DATA / "versions" / "NCT09000006-2021.json"
MALFORMED = DATA / "malformed"


def shared_records() -> list[Path]:
    folder = require_shared() / "ctgov"
    return sorted(folder.glob("*.json"))


def rows(database: TestDatabase, sql: str, **params: Any) -> list[dict[str, Any]]:
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(sql), params)]


def imported(database: TestDatabase, *paths: Path | str) -> str:
    outcome = run_cli("import", "ctgov", *map(str, paths), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    return outcome.stderr


def natural_rows(database: TestDatabase) -> list[tuple[Any, ...]]:
    found = rows(
        database,
        "SELECT t.key AS trial, a.key AS arm, e.key AS endpoint, r.subgroup, r.category,"
        " r.value, r.locator FROM results r JOIN trials t ON t.id = r.trial_id"
        " JOIN arms a ON a.id = r.arm_id JOIN endpoints e ON e.id = r.endpoint_id",
    )
    return sorted(tuple(row.values()) for row in found)
