"""Living updates: a re-import skips the records it holds as they are, tells what changed in
the others, and maps in batches bounded by facts as well as by studies."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

from sqlalchemy import text

from evidencedb.operations.import_ctgov import import_ctgov
from evidencedb.registries.ctgov.background import mapped_batches
from evidencedb.registries.ctgov.files import StudyFiles
from evidencedb.store.database import writing
from tests.registries.ctgov.studies import imported, natural_rows, rows
from tests.registries.ctgov.test_baseline_flow import NCT, edge_study, write
from tests.support.databases import TestDatabase


def _copies(folder: Path, count: int) -> Path:
    for number in range(count):
        study = edge_study()
        study["protocolSection"]["identificationModule"]["nctId"] = f"NCT0920{number:04d}"
        write(folder, study, f"copy-{number}")
    return folder


def test_unchanged_records_are_skipped_without_mapping(
    database: TestDatabase, tmp_path: Path
) -> None:
    folder = _copies(tmp_path / "in", 3)
    imported(database, folder)
    before = natural_rows(database)
    said = imported(database, folder)
    assert "imported 0 of 3 studies (3 unchanged), 0 facts" in said
    assert "nothing changed" in said
    assert natural_rows(database) == before
    # --all maps and compares them again: the same rows, nothing changed either.
    said = imported(database, "--all", folder)
    assert "imported 3 of 3 studies, " in said
    assert "nothing changed" in said


def test_a_changed_record_says_which_facts_changed(database: TestDatabase, tmp_path: Path) -> None:
    study = edge_study()
    imported(database, write(tmp_path / "old", study))
    newer = copy.deepcopy(study)
    newer["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2025-02-01"
    flow = newer["resultsSection"]["participantFlowModule"]["periods"][0]
    flow["milestones"][0]["achievements"][0]["numSubjects"] = "11"  # changed
    flow["dropWithdraws"] = []  # one reason removed
    baseline = newer["resultsSection"]["baselineCharacteristicsModule"]["measures"]
    baseline.append(copy.deepcopy(baseline[1]) | {"title": "Diabetic"})  # one added
    said = imported(database, write(tmp_path / "new", newer))
    assert f"changed: {NCT}: facts +1 added, ~1 changed, -1 removed" in said
    [started] = rows(
        database,
        "SELECT f.count FROM participant_flow f JOIN arms a ON a.id = f.arm_id"
        " WHERE a.key = 'drug-a' AND f.label = 'STARTED'",
    )
    assert started == {"count": 11}


def test_a_new_mapping_version_maps_the_record_again(
    database: TestDatabase, tmp_path: Path
) -> None:
    path = write(tmp_path, edge_study())
    imported(database, path)
    with writing(database.url) as connection:
        connection.execute(
            text("UPDATE sources SET mapping_version = 1 WHERE kind = 'registry_record'")
        )
    said = imported(database, path)
    assert "imported 1 of 1 studies, " in said  # not skipped: an older mapping wrote it
    assert "sources +0 ~1 -0" in said  # only the mapping version moved on
    assert "imported 0 of 1 studies (1 unchanged)" in imported(database, path)


def test_batches_end_at_their_size_in_facts(tmp_path: Path) -> None:
    folder = _copies(tmp_path / "in", 5)
    with StudyFiles([folder]) as files:
        by_studies = [len(b.studies) for b in mapped_batches(files, 500)]
    with StudyFiles([folder]) as files:
        by_facts = [len(b.studies) for b in mapped_batches(files, 500, max_facts=20)]
    assert by_studies == [5]
    assert by_facts == [3, 2]  # 9 facts each: a batch ends once it holds 20 or more


def test_batches_bounded_by_facts_write_the_same_rows(
    database: TestDatabase, tmp_path: Path
) -> None:
    folder = _copies(tmp_path / "in", 4)
    with writing(database.url) as connection:
        report = import_ctgov(connection, [folder], max_batch_facts=1)
    assert report.imported == 4
    one_batch = natural_rows(database)
    counted = rows(database, "SELECT count(*) AS n FROM baseline_measurements")
    assert counted == [{"n": 4 * 5}]
    with writing(database.url) as connection:
        again = import_ctgov(connection, [folder], skip_unchanged=False)
    assert again.load.fact_changes == {}
    assert natural_rows(database) == one_batch


def test_the_mapping_process_skips_unchanged_records(
    database: TestDatabase, tmp_path: Path
) -> None:
    folder = _copies(tmp_path / "in", 3)
    imported(database, folder)
    with writing(database.url) as connection:
        report = import_ctgov(connection, [folder], background_mapping=True)
    assert (report.studies, report.unchanged, report.imported) == (3, 3, 0)


def test_a_record_is_skipped_by_the_digest_of_its_text(tmp_path: Path) -> None:
    text = json.dumps(edge_study(), indent=1)
    page = tmp_path / "page.json"
    page.write_text('{"studies": [\n' + text + '\n], "nextPageToken": "x"}', encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with StudyFiles([page]) as files:
        [batch] = mapped_batches(files, 500, unchanged={digest})
    assert (batch.read, batch.unchanged, batch.studies) == (1, 1, [])


def test_a_record_laid_out_anew_is_skipped_by_its_canonical_digest(
    database: TestDatabase, tmp_path: Path
) -> None:
    study = edge_study()
    path = write(tmp_path, study)
    imported(database, path)
    registry_source = "SELECT record_text_sha256 FROM sources WHERE kind = 'registry_record'"
    first = hashlib.sha256(path.read_bytes()).hexdigest()
    assert rows(database, registry_source) == [{"record_text_sha256": first}]
    path.write_text(json.dumps(study, indent=4, sort_keys=True), encoding="utf-8")
    assert "imported 0 of 1 studies (1 unchanged)" in imported(database, path)
    # The new text's digest is stored, for the next import to find the record by it.
    second = hashlib.sha256(path.read_bytes()).hexdigest()
    assert second != first
    assert rows(database, registry_source) == [{"record_text_sha256": second}]


def test_a_record_imported_before_text_digests_gets_one_when_found_unchanged(
    database: TestDatabase, tmp_path: Path
) -> None:
    path = write(tmp_path, edge_study())
    imported(database, path)
    before = natural_rows(database)
    with writing(database.url) as connection:  # as revision 0009 leaves an older record
        connection.execute(text("UPDATE sources SET record_text_sha256 = NULL"))
    with writing(database.url) as connection:  # the digests cross the mapping process's pipe
        report = import_ctgov(connection, [path], background_mapping=True)
    assert (report.studies, report.unchanged, report.imported) == (1, 1, 0)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    registry_source = "SELECT record_text_sha256 FROM sources WHERE kind = 'registry_record'"
    assert rows(database, registry_source) == [{"record_text_sha256": digest}]
    assert natural_rows(database) == before
