"""Loading: all-or-nothing, idempotent, edit-and-reload, and located errors for bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.seeds import copy_seeds, edit, line_of
from tests.support.snapshots import snapshot

MAIN = "blinatumomab-infant-kmt2a-all.yaml"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path)


def test_load_twice_changes_nothing(database: TestDatabase, seeds: Path) -> None:
    first = run_cli("load", str(seeds), db=database)
    assert first.exit_code == 0, first.stderr
    before = snapshot(database)
    second = run_cli("load", str(seeds), db=database)
    assert second.exit_code == 0
    assert "nothing changed" in second.stderr
    assert snapshot(database) == before


def test_edited_file_replaces_its_facts(database: TestDatabase, seeds: Path) -> None:
    assert run_cli("load", str(seeds), db=database).exit_code == 0
    before = snapshot(database)
    main = seeds / MAIN
    edit(main, "    value: 93\n", "    value: 94\n")
    # Drop the background arm: its results must go with it, no orphans left behind.
    text = main.read_text(encoding="utf-8")
    start = text.index("  - key: disease-background")
    end = text.index("endpoints:")
    main.write_text(text[:start] + text[end:], encoding="utf-8")
    text = main.read_text(encoding="utf-8")
    for endpoint in ("efs-3y-background", "relapse-1y-background", "relapse-2y-background"):
        start = text.index(f"  - endpoint: {endpoint}\n")
        end = text.index("\n  - ", start + 5)
        if text.find("\ncomparisons:", start) < end:
            end = text.index("\ncomparisons:", start)
        text = text[:start] + text[end + 1 :]
    main.write_text(text, encoding="utf-8")

    outcome = run_cli("load", str(seeds), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    after = snapshot(database)
    assert len(after["arms"]) == len(before["arms"]) - 1
    assert len(after["results"]) == len(before["results"]) - 3
    values = [row["value"] for row in after["results"]]
    assert 94.0 in values
    assert 93.0 not in values
    # Unchanged rows keep their ids: the edit touched only what changed.
    before_ids = {row["id"] for row in before["results"]}
    assert {row["id"] for row in after["results"]} <= before_ids
    arm_ids = {row["id"] for row in after["arms"]}
    assert all(row["arm_id"] in arm_ids for row in after["results"])  # no orphans
    # And loading the edited files again changes nothing more.
    assert "nothing changed" in run_cli("load", str(seeds), db=database).stderr


def _refused(database: TestDatabase, seeds: Path, expected: str) -> str:
    before = snapshot(database)
    outcome = run_cli("load", str(seeds), db=database)
    assert outcome.exit_code == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert expected in outcome.stderr, outcome.stderr
    assert snapshot(database) == before
    return outcome.stderr


DANGLING = {
    "arm": (
        "    arm: interfant-06-historical-control\n",
        "    arm: interfant-6-control\n",
        "unknown arm 'interfant-6-control'",
        "results[4].arm",
    ),
    "endpoint": (
        "  - endpoint: os-2y\n",
        "  - endpoint: os-3y\n",
        "unknown endpoint 'os-3y'",
        "results[5].endpoint",
    ),
    "source": (
        "    source: news-blinatumomab-infant-all\n    quote: No toxic",
        "    source: news-blinatumomab\n    quote: No toxic",
        "unknown source 'news-blinatumomab'",
        "results[0].source",
    ),
    "intervention": (
        "      - intervention: blinatumomab\n",
        "      - intervention: blinatumomab-x\n",
        "unknown intervention 'blinatumomab-x'",
        "arms[0].interventions[0].intervention",
    ),
    "trial": (
        "    source_trial: interfant-06\n",
        "    source_trial: interfant-07\n",
        "unknown trial 'interfant-07'",
        "arms[1].source_trial",
    ),
    "reported-on source": (
        "    reports_on: vandersluis-2023-nejm\n    document",
        "    reports_on: vandersluis-2024-nejm\n    document",
        "unknown source 'vandersluis-2024-nejm'",
        "sources[1].reports_on",
    ),
}


@pytest.mark.parametrize("kind", sorted(DANGLING))
def test_dangling_reference(database: TestDatabase, seeds: Path, kind: str) -> None:
    assert run_cli("load", str(seeds), db=database).exit_code == 0
    old, new, message, path = DANGLING[kind]
    main = seeds / MAIN
    edit(main, old, new)
    line = line_of(main, new.splitlines()[0].strip())
    stderr = _refused(database, seeds, message)
    assert f"error: {main}:{line} {path}: " in stderr


def test_unknown_trial_refused_on_a_fresh_database(database: TestDatabase, seeds: Path) -> None:
    (seeds / "interfant-06.yaml").unlink()
    stderr = _refused(database, seeds, "unknown trial 'interfant-06'")
    assert "arms[1].source_trial" in stderr


BAD_INPUT = {
    "malformed YAML": (
        "  title: Interfant-06 trial\n",
        "  title: [Interfant-06 trial\n",
        "malformed YAML",
    ),
    "wrong type": (
        "    n_enrolled: 30\n",
        "    n_enrolled: thirty\n",
        "arms[0].n_enrolled: 'thirty': Input should be a valid integer",
    ),
    "unknown enum value": (
        "    role: historical_control\n",
        "    role: histrical_control\n",
        "arms[1].role: 'histrical_control': Input should be",
    ),
    "unknown key": (
        "    n_enrolled: 30\n",
        "    n_enroled: 30\n",
        "arms[0].n_enroled: Extra inputs are not permitted",
    ),
    "impossible number": (
        "    value: 93\n",
        "    value: 193\n",
        "results[1]: Value error, value 193.0 is not a percentage",
    ),
    "duplicate key": (
        "    n_enrolled: 30\n",
        "    n_enrolled: 30\n    n_enrolled: 31\n",
        "arms[0].n_enrolled: duplicate key",
    ),
    "missing quote": (
        "    quote: Two-year disease-free survival was 81.6%\n",
        "",
        "results[3].quote: a fact from the document",
    ),
    "quote not in the document": (
        "    quote: Two-year disease-free survival was 81.6%\n",
        "    quote: Two-year disease-free survival was 81.7%\n",
        "quote not found in the text",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUT))
def test_bad_input_is_refused_with_file_line_and_path(
    database: TestDatabase, seeds: Path, kind: str
) -> None:
    if kind == "quote not in the document" and not (seeds.parent.parent / "shared").exists():
        pytest.skip("the seed document is not beside the repository")
    assert run_cli("load", str(seeds), db=database).exit_code == 0
    old, new, message = BAD_INPUT[kind]
    target = seeds / ("interfant-06.yaml" if kind == "malformed YAML" else MAIN)
    edit(target, old, new)
    stderr = _refused(database, seeds, message)
    assert str(target) + ":" in stderr
    # The first line names file:line; every line is one problem, no traceback.
    first = stderr.splitlines()[0]
    assert re.match(rf"error: {re.escape(str(target))}:\d+[ :]", first), first


def test_every_problem_reported_in_one_pass(database: TestDatabase, seeds: Path) -> None:
    main = seeds / MAIN
    edit(main, "    role: historical_control\n", "    role: histrical_control\n")
    edit(main, "    n_enrolled: 30\n", "    n_enrolled: -30\n")
    edit(seeds / "interfant-06.yaml", "  title: Interfant-06 trial\n", "  titel: x\n")
    outcome = run_cli("load", str(seeds), db=database)
    assert outcome.exit_code == 1
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) >= 4  # role, n_enrolled, unknown key titel, missing title
    assert "problems; nothing was written" in outcome.stderr


def test_dry_run_writes_nothing(empty_database: TestDatabase, seeds: Path) -> None:
    outcome = run_cli("load", "--dry-run", str(seeds), db=empty_database)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr.startswith("validated 2 trial(s)")
    if empty_database.backend == "sqlite":
        assert not Path(empty_database.url.removeprefix("sqlite:///")).exists()
    assert all(rows == [] for rows in snapshot(empty_database).values())


def test_validate_lists_all_problems_without_a_database(seeds: Path, tmp_path: Path) -> None:
    edit(seeds / MAIN, "    role: historical_control\n", "    role: nope\n")
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 1
    assert "arms[1].role: 'nope'" in outcome.stderr
    assert run_cli("validate", str(seeds / "interfant-06.yaml")).exit_code == 0


def test_missing_path_is_a_user_error(tmp_path: Path) -> None:
    outcome = run_cli("validate", str(tmp_path / "nowhere"))
    assert outcome.exit_code == 1
    assert "no such file or folder" in outcome.stderr
