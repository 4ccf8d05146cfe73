"""The export folder's datapackage.json: `frictionless validate` passes on it with zero
errors, on the seed data and on imported registry records, on both databases; it checks the
types and references it declares; `--bom` files validate too."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from frictionless import validate

from evidencedb.store.models import metadata
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import SEEDS, require_shared


def _export(db: TestDatabase, folder: Path, *options: str) -> dict[str, object]:
    outcome = run_cli("export", "csv", "--out", str(folder), *options, db=db)
    assert outcome.exit_code == 0, outcome.stderr
    assert "CSV files and datapackage.json to" in outcome.stderr
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert isinstance(descriptor, dict)
    return descriptor


def _errors(folder: Path) -> list[list[str]]:
    report = validate(folder / "datapackage.json")
    return report.flatten(["type", "note"])


def test_frictionless_validates_the_seed_and_registry_exports(
    database: TestDatabase, tmp_path: Path
) -> None:
    assert run_cli("load", str(SEEDS), db=database).exit_code == 0
    descriptor = _export(database, tmp_path / "seeds")
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert {f"{name}.csv" for name in resources} == {
        p.name for p in (tmp_path / "seeds").glob("*.csv")
    }
    assert _errors(tmp_path / "seeds") == []
    imported = run_cli("import", "ctgov", str(require_shared() / "ctgov"), db=database)
    assert imported.exit_code == 0, imported.stderr
    _export(database, tmp_path / "both")
    assert _errors(tmp_path / "both") == []


def test_every_table_declares_its_keys(sqlite_database: TestDatabase, tmp_path: Path) -> None:
    descriptor = _export(sqlite_database, tmp_path / "out")
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    for table in metadata.sorted_tables:
        schema = resources[table.name]["schema"]
        assert schema["primaryKey"] == ["id"]
        assert len(schema.get("foreignKeys", [])) == len(table.foreign_key_constraints)
        fields = {field["name"]: field for field in schema["fields"]}
        assert list(fields) == [column.name for column in table.columns]
    results = {field["name"]: field for field in resources["results"]["schema"]["fields"]}
    assert results["value"]["type"] == "number"
    assert results["arm_id"]["type"] == "integer"
    assert results["arm_id"]["constraints"] == {"required": True}
    assert resources["data_dictionary"]["schema"]["primaryKey"] == ["name", "column"]
    assert "primaryKey" not in resources["results_flat"]["schema"]


@pytest.mark.parametrize(
    ("column", "bad", "error"),
    [("arm_id", "999", "foreign-key"), ("value", "many", "type-error")],
)
def test_a_broken_file_fails_validation(
    sqlite_database: TestDatabase, tmp_path: Path, column: str, bad: str, error: str
) -> None:
    assert run_cli("load", str(SEEDS), db=sqlite_database).exit_code == 0
    folder = tmp_path / "out"
    _export(sqlite_database, folder)
    results = folder / "results.csv"
    with results.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index(column)] = bad
    with results.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    assert error in {kind for kind, _ in _errors(folder)}


def test_bom_files_validate_and_start_with_the_mark(
    sqlite_database: TestDatabase, tmp_path: Path
) -> None:
    assert run_cli("load", str(SEEDS), db=sqlite_database).exit_code == 0
    folder = tmp_path / "excel"
    _export(sqlite_database, folder, "--bom")
    for path in folder.glob("*.csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path
    assert (folder / "trials.csv").read_bytes().startswith(b"\xef\xbb\xbfid,key,")
    assert _errors(folder) == []
    one = run_cli("export", "csv", "trial_identifiers", "--bom", db=sqlite_database)
    assert one.stdout.startswith("\ufeffid,")
    plain = run_cli("export", "csv", "trial_identifiers", db=sqlite_database)
    assert plain.stdout.startswith("id,")
