"""`evidencedb reconcile`: outcome statuses, values, history; and `check`'s warnings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from evidencedb.analysis.reconcile import agreement, decimals, outcome_status
from tests.support.cli import installed_script, run_cli
from tests.support.databases import TestDatabase
from tests.support.reconciliation import (
    EXAMPLE_SEED,
    ok,
    primary_outcomes,
    record_version,
    seed_variant,
    smart_fm_record,
)

# The FIQ-R endpoint (registered primary) reported as a secondary one.
REPORTED_AS_SECONDARY = {
    "    registry_match: primary-1\n": "    registry_match: primary-1\n    role: secondary\n"
}
EXTRA_ENDPOINT = """  - key: engagement
    name: Engagement with the app
    kind: other
    role: secondary
    source: catella-2024-jbm
    quote: with high engagement and low attrition in both arms

results:
"""


def reconciled(database: TestDatabase, trial: str = "smart-fm") -> dict[str, Any]:
    found: dict[str, Any] = json.loads(ok("reconcile", trial, "--format", "json", db=database))
    return found


def test_the_example_agrees_with_its_record(database: TestDatabase) -> None:
    ok("load", str(EXAMPLE_SEED), db=database)
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    found = reconciled(database)
    assert list(found) == ["trial_key", "outcomes", "values", "history"]
    assert found["outcomes"] == [
        {
            "endpoint_key": "fiq-r",
            "registered_role": "primary",
            "reported_role": "unspecified",
            "status": "reported_as_registered",
        },
        {
            "endpoint_key": "pgic-improved",
            "registered_role": "secondary",
            "reported_role": "unspecified",
            "status": "reported_as_registered",
        },
    ]
    values = [
        (v["quantity"], v["arm_key"], v["endpoint_key"], v["publication_value"], v["status"])
        for v in found["values"]
    ]
    assert values == [
        ("result", "fm-act", "pgic-improved", 73.0, "agree"),
        ("result", "fm-st", "pgic-improved", 22.2, "agree"),
        ("arm_size", "fm-act", None, 39, "agree"),
        ("arm_size", "fm-st", None, 28, "agree"),
        ("enrollment", None, None, 67, "agree"),
    ]
    assert found["values"][0]["registry_value"] == 100 * 27 / 37
    assert found["history"] == []


def test_every_outcome_status(database: TestDatabase, tmp_path: Path) -> None:
    seed = seed_variant(
        tmp_path / "seed",
        {
            **REPORTED_AS_SECONDARY,
            "results:\n": EXTRA_ENDPOINT,
        },
    )

    def two_primaries(data: dict[str, Any]) -> None:
        primary_outcomes(data).append({"measure": "Pain intensity", "timeFrame": "Week 12"})

    ok("load", str(seed), db=database)
    ok("import", "ctgov", str(record_version(tmp_path, "2023-09-01", two_primaries)), db=database)
    statuses = {o["endpoint_key"]: o["status"] for o in reconciled(database)["outcomes"]}
    assert statuses == {
        "fiq-r": "role_changed",
        "pgic-improved": "reported_as_registered",
        "engagement": "not_registered",
        "ctgov:primary-2": "not_reported",
    }


def test_values_that_differ_beyond_rounding(database: TestDatabase, tmp_path: Path) -> None:
    seed = seed_variant(
        tmp_path, {"value: 22.2\n": "value: 22.3\n", "enrollment: 67": "enrollment: 70"}
    )
    ok("load", str(seed), db=database)
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    statuses = [(v["quantity"], v["arm_key"], v["status"]) for v in reconciled(database)["values"]]
    assert ("result", "fm-act", "agree") in statuses  # 72.97 is 73.0 at one decimal
    assert ("result", "fm-st", "differ") in statuses  # 22.22 is not 22.3
    assert ("enrollment", None, "differ") in statuses


def test_history_of_registered_primary_outcomes(database: TestDatabase, tmp_path: Path) -> None:
    def planned(title: str, time_frame: str) -> Any:
        def edit(data: dict[str, Any]) -> None:
            primary_outcomes(data)[:] = [{"measure": title, "timeFrame": time_frame}]

        return edit

    versions = [
        record_version(tmp_path, "2020-05-01", planned("FIQ-R total score", "Week 8")),
        record_version(tmp_path, "2020-06-01", planned("FIQ-R total score", "Week 12")),
        smart_fm_record(),  # 2023-08-01, after the start (2020-10-28)
    ]
    ok("load", str(EXAMPLE_SEED), db=database)
    for path in reversed(versions):  # newest first: the older ones add history only
        ok("import", "ctgov", str(path), db=database)
    assert reconciled(database)["history"] == [
        {
            "version_date": "2020-06-01",
            "change": "changed",
            "outcome": "FIQ-R total score",
            "after_start": False,
        },
        {
            "version_date": "2023-08-01",
            "change": "removed",
            "outcome": "FIQ-R total score",
            "after_start": True,
        },
        {
            "version_date": "2023-08-01",
            "change": "added",
            "outcome": "Revised Fibromyalgia Impact Questionnaire (FIQ-R) Total Score",
            "after_start": True,
        },
    ]


def test_check_warns_of_switching_and_differences(database: TestDatabase, tmp_path: Path) -> None:
    seed = seed_variant(
        tmp_path,
        {
            **REPORTED_AS_SECONDARY,
            "value: 22.2\n": "value: 22.3\n",
        },
    )
    ok("load", str(seed), db=database)
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    outcome = run_cli("check", "--format", "json", db=database)
    found = {
        (f["check"], f["row"], f["message"])
        for f in json.loads(outcome.stdout)
        if f["check"] in ("outcome_switching", "registry_value_differs")
    }
    assert found == {
        ("outcome_switching", "smart-fm/fiq-r", "registered as primary, reported as secondary"),
        (
            "registry_value_differs",
            "smart-fm/pgic-improved/fm-st",
            "result: the registry says 22.2222, the publication 22.3",
        ),
    }
    assert all(f["severity"] == "warning" for f in json.loads(outcome.stdout))


def test_csv_and_table_formats(database: TestDatabase) -> None:
    ok("load", str(EXAMPLE_SEED), db=database)
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    lines = ok("reconcile", "smart-fm", "--format", "csv", db=database).splitlines()
    assert lines[0].startswith("section,endpoint_key,registered_role,reported_role,quantity")
    assert lines[1] == "outcomes,fiq-r,primary,unspecified,,,,,,,,,,,reported_as_registered"
    assert len(lines) == 1 + 2 + 5
    table = run_cli("reconcile", "smart-fm", db=database)
    assert table.exit_code == 0
    assert "reported_as_registered" in table.stdout
    assert table.stderr == "smart-fm: no history to show\n"


def test_a_trial_without_a_registry_record(database: TestDatabase) -> None:
    ok("load", str(EXAMPLE_SEED), db=database)
    outcome = run_cli("reconcile", "smart-fm", db=database)
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        "error: trial 'smart-fm' has no registry record: import it with "
        "`evidencedb import ctgov FILE` (the record of the trial's NCT id)\n"
    )
    unknown = run_cli("reconcile", "nope", db=database)
    assert (unknown.exit_code, unknown.stderr) == (1, "error: no trial 'nope'\n")


def test_a_registry_record_without_a_publication(database: TestDatabase) -> None:
    ok("import", "ctgov", str(smart_fm_record()), db=database)
    outcome = run_cli("reconcile", "NCT05005351", db=database)
    assert (outcome.exit_code, outcome.stderr) == (
        1,
        "error: trial 'NCT05005351' has no curated publication to compare its registry record "
        "with: load the seed file that lists its NCT id\n",
    )


def test_agreement_at_the_less_precise_rounding() -> None:
    # As stored: a float keeps no trailing zero, so 73.0 counts as written "73".
    assert [decimals(73.0), decimals(22.2), decimals(0.074)] == [0, 1, 3]
    assert agreement(100 * 27 / 37, 73.0, 1) == "agree"
    assert agreement(72.9, 73.0, 1) == "differ"
    assert agreement(39, 40, 0) == "differ"
    assert agreement(None, 40, 0) is None


def test_outcome_statuses() -> None:
    assert outcome_status("primary", "primary") == "reported_as_registered"
    assert outcome_status("other", "exploratory") == "reported_as_registered"
    assert outcome_status("secondary", "unspecified") == "reported_as_registered"
    assert outcome_status("secondary", "primary") == "role_changed"
    assert outcome_status("primary", "none") == "not_reported"
    assert outcome_status("none", "primary") == "not_registered"


def test_reconcile_as_a_process(sqlite_database: TestDatabase) -> None:
    """The installed command: JSON on stdout, nothing on stderr, exit 0."""
    ok("load", str(EXAMPLE_SEED), db=sqlite_database)
    ok("import", "ctgov", str(smart_fm_record()), db=sqlite_database)
    done = subprocess.run(
        [
            str(installed_script()),
            "--db",
            sqlite_database.url,
            "reconcile",
            "smart-fm",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["trial_key"] == "smart-fm"
