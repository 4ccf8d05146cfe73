"""Helpers shared by tests: snapshots of a whole database, and editable copies of the seeds."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import inspect, select

from evidencedb.store.database import open_engine
from evidencedb.store.models import metadata
from tests.conftest import REPO, SEEDS, TestDatabase


def snapshot(database: TestDatabase) -> dict[str, list[dict[str, Any]]]:
    """Every row of every evidencedb table (empty dict when the schema does not exist)."""
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        tables = {}
        for table in metadata.sorted_tables:
            if table.name in existing:
                rows = connection.execute(select(table).order_by(table.c.id)).all()
                tables[table.name] = [dict(row._mapping) for row in rows]
        return tables


def copy_seeds(tmp_path: Path) -> Path:
    """A copy of seeds/ at the same depth, so the documents' relative paths still resolve."""
    target = tmp_path / "repo" / "seeds"
    shutil.copytree(SEEDS, target)
    shared = SEEDS.parent.parent / "shared"
    if shared.exists():
        (tmp_path / "shared").symlink_to(shared)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, whole_line: str) -> int:
    """1-based number of the first line equal to `whole_line` (ignoring indentation)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() == whole_line.strip():
            return number
    raise AssertionError(f"{whole_line!r} not in {path}")


def benchmark_module(name: str) -> ModuleType:
    """A module of benchmarks/ (a folder of scripts, not a package)."""
    qualified = f"_benchmarks_{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module
