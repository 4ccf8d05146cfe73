"""A registry record and the seed file of its trial become one trial, in either order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.registries.ctgov.studies import rows
from tests.support.databases import TestDatabase, sqlite_copy
from tests.support.reconciliation import (
    EXAMPLE_SEED,
    exported_content,
    ok,
    record_version,
    seed_variant,
    smart_fm_record,
)
from tests.support.snapshots import snapshot


@pytest.fixture
def other_database(
    database: TestDatabase, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[TestDatabase]:
    """A second migrated database on the same backend as `database`."""
    if database.backend == "sqlite":
        folder = tmp_path / "other"
        folder.mkdir()
        yield sqlite_copy(request.getfixturevalue("sqlite_template"), folder)
        return
    with request.getfixturevalue("postgres_schemas").database() as copy:
        yield copy


def test_both_orders_give_the_same_database(
    database: TestDatabase, other_database: TestDatabase, tmp_path: Path
) -> None:
    record = str(smart_fm_record())
    ok("load", str(EXAMPLE_SEED), db=database)
    ok("import", "ctgov", record, db=database)
    ok("import", "ctgov", record, db=other_database)
    ok("load", str(EXAMPLE_SEED), db=other_database)
    load_first = exported_content(database, tmp_path / "load-first")
    import_first = exported_content(other_database, tmp_path / "import-first")
    assert load_first == import_first
    # One trial, its curated description, and facts of both sources on the curated arms.
    assert load_first["trials.csv"][0][:2] == (
        "smart-fm",
        "SMART-FM, a self-guided digital ACT program for fibromyalgia",
    )
    assert len(load_first["trials.csv"]) == 1
    results = rows(
        database,
        "SELECT a.key AS arm, e.key AS endpoint, s.key AS source, r.value FROM results r"
        " JOIN arms a ON a.id = r.arm_id JOIN endpoints e ON e.id = r.endpoint_id"
        " JOIN sources s ON s.id = r.source_id WHERE e.key = 'pgic-improved'"
        " ORDER BY a.key, s.key",
    )
    assert [(r["arm"], r["source"], r["value"]) for r in results] == [
        ("fm-act", "catella-2024-jbm", 73.0),
        ("fm-act", "ctgov-NCT05005351", 27.0),
        ("fm-st", "catella-2024-jbm", 22.2),
        ("fm-st", "ctgov-NCT05005351", 6.0),
    ]


def test_the_records_own_arms_keep_registry_keys(database: TestDatabase, tmp_path: Path) -> None:
    # The record's results groups are bound to its protocol arms, which the seed names; an arm
    # the seed does not name stays the record's own.
    unmapped = seed_variant(tmp_path, {"    registry_match: Digital Symptom Tracker\n": ""})
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    ok("load", str(unmapped), db=database)
    arms = rows(database, "SELECT key FROM arms ORDER BY key")
    assert [a["key"] for a in arms] == [
        "ctgov:digital-symptom-tracker",
        "ctgov:total",  # the baseline module's Total group
        "fm-act",
        "fm-st",
    ]


def test_reloading_and_reimporting_change_nothing(database: TestDatabase) -> None:
    record = str(smart_fm_record())
    ok("import", "ctgov", record, db=database)
    ok("load", str(EXAMPLE_SEED), db=database)
    before = snapshot(database)
    ok("load", str(EXAMPLE_SEED), db=database)
    ok("import", "ctgov", record, db=database)
    assert snapshot(database) == before


def test_titles_link_without_a_map(database: TestDatabase, tmp_path: Path) -> None:
    """Without registry_match, an endpoint named as the registered outcome is linked, and so
    is an arm named as the record's arm (its results groups are bound to it)."""
    seed = seed_variant(
        tmp_path,
        {
            "name: Fibromyalgia Impact Questionnaire-Revised (FIQ-R) total score, change to "
            "Week 12\n": "name: Revised Fibromyalgia Impact Questionnaire (FIQ-R) Total Score\n",
            "    registry_match: primary-1\n": "",
            "label: FM-ACT\n": "label: Digital Acceptance and Commitment Therapy (ACT)\n",
            "    registry_match: Digital Acceptance and Commitment Therapy (ACT)\n": "",
        },
    )
    ok("load", str(seed), db=database)
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    found = rows(
        database,
        "SELECT a.key AS arm, e.key AS endpoint FROM results r JOIN arms a ON a.id = r.arm_id"
        " JOIN endpoints e ON e.id = r.endpoint_id JOIN sources s ON s.id = r.source_id"
        " WHERE s.key = 'ctgov-NCT05005351' ORDER BY a.key, e.key",
    )
    assert [(r["arm"], r["endpoint"]) for r in found] == [
        ("fm-act", "fiq-r"),
        ("fm-act", "pgic-improved"),
        ("fm-st", "fiq-r"),
        ("fm-st", "pgic-improved"),
    ]


def test_a_seed_trial_keyed_by_its_nct_id(database: TestDatabase, tmp_path: Path) -> None:
    seed = seed_variant(tmp_path, {"  key: smart-fm\n": "  key: NCT05005351\n"})
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    ok("load", str(seed), db=database)
    trials = rows(database, "SELECT key, title FROM trials")
    assert trials == [
        {
            "key": "NCT05005351",
            "title": "SMART-FM, a self-guided digital ACT program for fibromyalgia",
        }
    ]
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    assert len(rows(database, "SELECT id FROM results")) == 6


def test_an_older_version_adds_history_not_facts(database: TestDatabase, tmp_path: Path) -> None:
    def enrolling(data: dict) -> None:  # type: ignore[type-arg]
        data["protocolSection"]["designModule"]["enrollmentInfo"] = {
            "count": 80,
            "type": "ESTIMATED",
        }
        data["protocolSection"]["statusModule"]["overallStatus"] = "RECRUITING"

    ok("import", "ctgov", str(smart_fm_record()), db=database)
    facts = rows(database, "SELECT id, value FROM results ORDER BY id")
    old = record_version(tmp_path, "2021-08-13", enrolling)
    ok("import", "ctgov", str(old), db=database)
    assert rows(database, "SELECT id, value FROM results ORDER BY id") == facts
    versions = rows(
        database,
        "SELECT version_date, status, enrollment, enrollment_type FROM trial_versions"
        " ORDER BY version_date",
    )
    assert versions == [
        {
            "version_date": "2021-08-13",
            "status": "recruiting",
            "enrollment": 80,
            "enrollment_type": "ESTIMATED",
        },
        {
            "version_date": "2023-08-01",
            "status": "completed",
            "enrollment": 67,
            "enrollment_type": "ACTUAL",
        },
    ]


def test_the_curated_arms_and_endpoints_are_never_rewritten(database: TestDatabase) -> None:
    ok("load", str(EXAMPLE_SEED), db=database)
    query = (
        "SELECT a.key, a.label, a.role, a.n_enrolled, s.key AS source FROM arms a"
        " JOIN sources s ON s.id = a.source_id WHERE a.key LIKE 'fm-%' ORDER BY a.key"
    )
    arms = rows(database, query)
    endpoints = rows(database, "SELECT key, name, role, source_id FROM endpoints ORDER BY key")
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    assert rows(database, query) == arms
    assert arms[0] == {
        "key": "fm-act",
        "label": "FM-ACT",
        "role": "experimental",
        "n_enrolled": 39,
        "source": "catella-2024-jbm",
    }
    assert (
        rows(
            database,
            "SELECT key, name, role, source_id FROM endpoints WHERE key NOT LIKE 'ctgov:%'"
            " ORDER BY key",
        )
        == endpoints
    )


def test_an_edited_map_takes_effect_when_the_record_is_imported_again(
    database: TestDatabase, tmp_path: Path
) -> None:
    record = str(smart_fm_record())
    ok("load", str(EXAMPLE_SEED), db=database)
    ok("import", "ctgov", record, db=database)
    unmapped = seed_variant(tmp_path, {"    registry_match: Digital Symptom Tracker\n": ""})
    ok("load", str(unmapped), db=database)
    ok("import", "ctgov", record, db=database)
    registry_arms = rows(
        database,
        "SELECT DISTINCT a.key FROM results r JOIN arms a ON a.id = r.arm_id"
        " JOIN sources s ON s.id = r.source_id WHERE s.key = 'ctgov-NCT05005351' ORDER BY a.key",
    )
    assert [r["key"] for r in registry_arms] == ["ctgov:digital-symptom-tracker", "fm-act"]
    # No registry fact is left on the arm it no longer is.
    on_fm_st = rows(
        database,
        "SELECT s.key FROM results r JOIN arms a ON a.id = r.arm_id"
        " JOIN sources s ON s.id = r.source_id WHERE a.key = 'fm-st'",
    )
    assert on_fm_st == [{"key": "catella-2024-jbm"}]
