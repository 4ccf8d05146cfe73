"""Inputs: pages of studies, folders and ZIPs read in place, and the problems named in each."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.registries.ctgov.studies import BARE, EDGE, MALFORMED, PAGE, imported, rows
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.snapshots import snapshot


def test_problem_in_a_page_names_the_study(empty_database: TestDatabase, tmp_path: Path) -> None:
    page = json.loads(PAGE.read_text(encoding="utf-8"))
    page["studies"][1]["protocolSection"]["identificationModule"]["nctId"] = 9000005
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    outcome = run_cli("import", "ctgov", "--strict", str(path), db=empty_database)
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines() == [
        f"error: {path} studies[1].protocolSection.identificationModule.nctId: "
        "expected a string, not a number"
    ]
    assert snapshot(empty_database) == {}


def test_no_study_files(database: TestDatabase, tmp_path: Path) -> None:
    outcome = run_cli("import", "ctgov", str(tmp_path), db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr == f"error: {tmp_path}: no study files (.json, .zip) found\n"
    missing = tmp_path / "nowhere.json"
    outcome = run_cli("import", "ctgov", str(missing), db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr == f"error: {missing}: no such file or folder\n"


def test_page_of_studies(database: TestDatabase) -> None:
    stderr = imported(database, PAGE)
    assert rows(database, "SELECT key, design, phase FROM trials ORDER BY key") == [
        {"key": "NCT09000004", "design": "single_arm", "phase": "phase_1"},
        {"key": "NCT09000005", "design": "observational", "phase": None},
    ]
    # Locators are paths inside the study record, not inside the page.
    locators = rows(database, "SELECT locator FROM trials ORDER BY key")
    assert {row["locator"] for row in locators} == {"protocolSection.identificationModule"}
    # Both studies give the org study id PROTOCOL-1: sponsors reuse protocol numbers, so each
    # trial keeps its own (only an NCT id must name one trial).
    assert rows(
        database,
        "SELECT t.key, i.value FROM trial_identifiers i JOIN trials t ON t.id = i.trial_id"
        " WHERE i.registry = 'org_study_id' ORDER BY t.key",
    ) == [
        {"key": "NCT09000004", "value": "PROTOCOL-1"},
        {"key": "NCT09000005", "value": "PROTOCOL-1"},
    ]
    assert "already belongs" not in stderr


def test_zip_of_studies_is_read_in_place(database: TestDatabase, tmp_path: Path) -> None:
    archive = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(EDGE, "ctg-studies/NCT09000001.json")
        zipped.write(BARE, "ctg-studies/NCT09000003.json")
        zipped.writestr("ctg-studies/README.txt", "not a study")
    stderr = imported(database, archive)
    assert "imported 2 of 2 studies" in stderr
    from_zip = snapshot(database)
    assert {row["key"] for row in from_zip["trials"]} == {"NCT09000001", "NCT09000003"}
    # The same studies from plain files are the same import: re-importing changes nothing.
    stderr = imported(database, EDGE, BARE)
    assert stderr.rstrip().endswith("nothing changed")
    assert snapshot(database) == from_zip
    assert not (tmp_path / "ctg-studies").exists()  # nothing was unpacked


def test_problem_in_a_zip_member_names_the_member(database: TestDatabase, tmp_path: Path) -> None:
    archive = tmp_path / "studies.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(MALFORMED / "no_nct_id.json", "bad.json")
    outcome = run_cli("import", "ctgov", str(archive), db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        f"error: {archive}/bad.json protocolSection.identificationModule.nctId: "
        "missing: the NCT id\n"
    )
