"""`evidencedb import ctgov` as an operation: idempotent, all-or-nothing, batched, dry run, and
and into a curated trial without rewriting it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from evidencedb.cli.import_commands import ProgressBar
from evidencedb.operations import import_ctgov as imports
from evidencedb.store.database import writing
from tests.registries.ctgov.studies import BARE, EDGE, MALFORMED, PAGE, imported, natural_rows, rows
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.snapshots import snapshot


def test_reimport_changes_nothing(database: TestDatabase) -> None:
    imported(database, EDGE, PAGE, BARE)
    before = snapshot(database)
    stderr = imported(database, EDGE, PAGE, BARE)
    assert stderr.rstrip().endswith("nothing changed")
    assert snapshot(database) == before


def test_dry_run_writes_nothing(empty_database: TestDatabase, tmp_path: Path) -> None:
    outcome = run_cli("import", "ctgov", "--dry-run", str(EDGE), db=empty_database)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr.startswith("validated 1 of 1 studies")
    if empty_database.backend == "sqlite":
        assert not (tmp_path / "evidence.db").exists()
    assert snapshot(empty_database) == {}


def test_a_bad_batch_after_good_ones_rolls_back_the_whole_run(
    empty_database: TestDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "studies"
    folder.mkdir()
    for path in (BARE, EDGE, MALFORMED / "no_nct_id.json"):
        shutil.copy(path, folder / path.name)
    outcome = run_cli(
        "import", "ctgov", "--strict", "--batch-size", "1", str(folder), db=empty_database
    )
    assert outcome.exit_code == 1
    assert "no_nct_id.json protocolSection.identificationModule.nctId" in outcome.stderr
    assert snapshot(empty_database) == {}


def test_a_curated_trial_takes_its_record_without_being_rewritten(
    database: TestDatabase, tmp_path: Path
) -> None:
    seed = tmp_path / "edge.yaml"
    seed.write_text(
        "sources:\n"
        "  - {key: edge-paper, kind: journal_article, title: Drug A in relapsed leukemia}\n"
        "trial:\n"
        "  key: edge-trial\n"
        "  title: Drug A in relapsed leukemia\n"
        "  source: edge-paper\n"
        "  quote: Drug A in relapsed leukemia\n"
        "  identifiers: [{registry: nct, value: NCT09000001}]\n",
        encoding="utf-8",
    )
    loaded = run_cli("load", str(seed), db=database)
    assert loaded.exit_code == 0, loaded.stderr
    imported(database, EDGE, BARE)
    assert [row["key"] for row in rows(database, "SELECT key FROM trials ORDER BY key")] == [
        "NCT09000003",
        "edge-trial",
    ]
    [trial] = rows(database, "SELECT title FROM trials WHERE key = 'edge-trial'")
    assert trial["title"] == "Drug A in relapsed leukemia"
    cited = rows(
        database,
        "SELECT DISTINCT s.key FROM results r JOIN trials t ON t.id = r.trial_id"
        " JOIN sources s ON s.id = r.source_id WHERE t.key = 'edge-trial'",
    )
    assert cited == [{"key": "ctgov-NCT09000001"}]


# --------------------------------------------------------------------------------------------
# Batches give the same database as one big batch.


def test_batch_size_does_not_change_the_result(database: TestDatabase) -> None:
    outcome = run_cli("import", "ctgov", "--batch-size", "1", str(EDGE), str(PAGE), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    small_batches = natural_rows(database)
    again = run_cli("import", "ctgov", str(EDGE), str(PAGE), db=database)
    assert again.stderr.rstrip().endswith("nothing changed")
    assert natural_rows(database) == small_batches
    assert len(small_batches) == 16


def test_progress_counts_files_and_studies(database: TestDatabase) -> None:
    console = Console(file=io.StringIO(), force_terminal=True)
    with Progress(console=console) as progress:
        with writing(database.url) as connection:
            report = imports.import_ctgov(connection, [EDGE, PAGE], progress=ProgressBar(progress))
        [task] = progress.tasks
    assert (task.total, task.completed, task.description) == (2, 2, "3 studies")
    assert (report.studies, report.imported, report.skipped) == (3, 3, 0)


def test_help_has_an_example() -> None:
    outcome = run_cli("import", "ctgov", "--help")
    assert outcome.exit_code == 0
    assert "Example: evidencedb import ctgov" in outcome.stdout
