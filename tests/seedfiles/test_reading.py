"""Seed files read and checked: duplicate facts, every problem in one pass, fixes in messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.seeds import copy_seeds, edit, line_of
from tests.support.snapshots import snapshot

MAIN = "blinatumomab-infant-kmt2a-all.yaml"
DFS_RESULT = """  - endpoint: dfs-2y
    arm: blinatumomab
    value: 81.6
    unit: "%"
    source: news-blinatumomab-infant-all
    quote: Two-year disease-free survival was 81.6%
"""
DOCUMENT_PRESENT = (Path(__file__).parents[2] / ".." / "shared" / "seed-source").exists()


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path)


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_two_facts_with_one_natural_key_name_both_lines(seeds: Path) -> None:
    main = seeds / MAIN
    second = DFS_RESULT.replace("81.6", "81.7")
    edit(
        main, DFS_RESULT, DFS_RESULT + second.replace("    quote: Two-year", "    quote: Two-year")
    )
    text = main.read_text(encoding="utf-8")
    first_line = text[: text.index(DFS_RESULT)].count("\n") + 1
    second_line = first_line + DFS_RESULT.count("\n")
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 1
    duplicates = [line for line in _errors(outcome.stderr) if "duplicate of" in line]
    assert duplicates == [
        f"error: {main}:{second_line} results[4]: duplicate of {main}:{first_line} results[3]: "
        "both state endpoint 'dfs-2y', arm 'blinatumomab', source "
        "'news-blinatumomab-infant-all'; keep one, or tell them apart (subgroup, category, "
        "label)"
    ]


def test_duplicate_facts_are_refused_by_load(database: TestDatabase, seeds: Path) -> None:
    edit(
        seeds / MAIN,
        DFS_RESULT,
        DFS_RESULT + DFS_RESULT.replace("arm: blinatumomab", "arm: blinatumomab"),
    )
    outcome = run_cli("load", str(seeds), db=database)
    assert outcome.exit_code == 1
    assert "results[4]: duplicate of" in outcome.stderr
    assert all(rows == [] for rows in snapshot(database).values())


def test_comparisons_and_adverse_events_have_natural_keys_too(seeds: Path) -> None:
    main = seeds / MAIN
    text = main.read_text(encoding="utf-8")
    event = text[text.index("  - arm: blinatumomab\n    term: Serious") :]
    main.write_text(text + event, encoding="utf-8")
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 1
    assert "adverse_events[1]: duplicate of" in outcome.stderr
    assert "term 'Serious adverse events (all terms)', category 'serious'" in outcome.stderr


EIGHT_MISTAKES = [
    # (old, new, what the error line contains)
    ("    role: external_control\n", "    role: extrnal_control\n", "arms[2].role"),
    ("    timepoint_value: 3\n", "    timepoint_value: three\n", "endpoints[5].timepoint_value"),
    ("    value: 93\n", "    value: 193\n", "results[1]: Value error, value 193.0"),
    (
        "  - endpoint: os-2y\n    arm: interfant",
        "  - endpoint: os-3y\n    arm: interfant",
        "results[6].endpoint: unknown endpoint 'os-3y'",
    ),
    (
        "    source: news-blinatumomab-infant-all\n    quote: No toxic",
        "    source: news-blinatumomab\n    quote: No toxic",
        "results[0].source: unknown source",
    ),
    (
        "      - intervention: blinatumomab\n",
        "      - intervention: blinatumomab-x\n",
        "arms[0].interventions[0].intervention: unknown intervention 'blinatumomab-x'",
    ),
    (
        "    source_trial: interfant-06\n",
        "    source_trial: interfant-07\n",
        "arms[1].source_trial: unknown trial 'interfant-07'",
    ),
    (
        "    quote: compared to 65.8% in the Interfant-06 trial\n",
        "    quote: compared to 65.9% in the Interfant-06 trial\n",
        "quote not found in the text",
    ),
]


@pytest.mark.skipif(not DOCUMENT_PRESENT, reason="the seed document is not beside the repo")
def test_validate_reports_every_kind_of_problem_in_one_pass(seeds: Path) -> None:
    main = seeds / MAIN
    for old, new, _ in EIGHT_MISTAKES:
        edit(main, old, new)
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 1
    errors = _errors(outcome.stderr)
    for _, new, expected in EIGHT_MISTAKES:
        line = line_of(main, new.splitlines()[0])
        matching = [error for error in errors if expected in error]
        assert len(matching) == 1, (expected, errors)
        assert re.match(rf"error: {re.escape(str(main))}:\d+ ", matching[0])
        if "Value error" not in expected and "unknown endpoint" not in expected:
            assert f"{main}:{line} " in matching[0], (matching[0], line)
    assert len(errors) == len(EIGHT_MISTAKES), errors
    assert "8 problems; nothing was written" in outcome.stderr


@pytest.mark.skipif(not DOCUMENT_PRESENT, reason="the seed document is not beside the repo")
def test_load_reports_the_same_problems_as_validate(database: TestDatabase, seeds: Path) -> None:
    for old, new, _ in EIGHT_MISTAKES:
        edit(seeds / MAIN, old, new)
    validated = run_cli("validate", str(seeds))
    loaded = run_cli("load", str(seeds), db=database)
    assert loaded.exit_code == validated.exit_code == 1
    assert _errors(loaded.stderr) == _errors(validated.stderr)
    assert all(rows == [] for rows in snapshot(database).values())


def test_a_reference_to_an_item_that_failed_is_not_unknown(seeds: Path) -> None:
    # The arm fails validation; results citing it must not add "unknown arm" to its error.
    edit(seeds / MAIN, "    n_enrolled: 30\n", "    n_enrolled: -30\n")
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 1
    assert len(_errors(outcome.stderr)) == 1, outcome.stderr
    assert "arms[0].n_enrolled" in outcome.stderr


def test_a_file_whose_trial_fails_does_not_make_its_keys_unknown(seeds: Path) -> None:
    # interfant-06.yaml's trial fails; the main file's control arm names it as source_trial.
    edit(seeds / "interfant-06.yaml", "  title: Interfant-06 trial\n", "  titel: x\n")
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 1
    assert "unknown" not in outcome.stderr
    assert "interfant-06.yaml" in outcome.stderr


def test_validate_with_db_resolves_against_the_database(
    database: TestDatabase, seeds: Path
) -> None:
    assert run_cli("load", str(seeds), db=database).exit_code == 0
    alone = seeds / MAIN
    (seeds / "interfant-06.yaml").unlink()
    without = run_cli("validate", str(alone))
    assert without.exit_code == 1
    assert "unknown trial 'interfant-06'" in without.stderr
    with_db = run_cli("validate", str(alone), db=database)
    assert with_db.exit_code == 0, with_db.stderr
    assert with_db.stderr.endswith("1 file(s) valid\n")


FIXES = {
    "ci_level": (
        "    value: 81.6\n",
        "    value: 81.6\n    ci_lower: 70\n    ci_upper: 90\n    ci_level: 95\n",
        "results[3].ci_level: 95: Input should be less than 1; "
        "a CI level is a fraction: write 0.95",
    ),
    "p_value": (
        "    measure_label: significant improvement (no estimate given)\n",
        "    measure_label: significant improvement (no estimate given)\n    p_value: '<0.001'\n",
        "comparisons[0].p_value: '<0.001': Input should be a valid number, unable to parse "
        "string as a number; use p_value: 0.001 with p_value_qualifier: '<'",
    ),
    "value": (
        "    value: 40\n",
        "    value: '< 40'\n",
        "use value: 40 with value_qualifier: '<'",
    ),
}


@pytest.mark.parametrize("kind", sorted(FIXES))
def test_schema_errors_say_what_to_write(seeds: Path, kind: str) -> None:
    old, new, expected = FIXES[kind]
    edit(seeds / MAIN, old, new)
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 1
    assert expected in outcome.stderr, outcome.stderr


@pytest.mark.skipif(not DOCUMENT_PRESENT, reason="the seed document is not beside the repo")
def test_a_quote_not_found_shows_the_closest_passage(seeds: Path) -> None:
    edit(
        seeds / MAIN,
        "    quote: compared to 65.8% in the Interfant-06 trial\n",
        "    quote: compared to 65.9% in the Interfant 06 trial\n",
    )
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 1
    assert "the closest passage is '" in outcome.stderr
    closest = outcome.stderr.split("the closest passage is '")[1].split("'")[0]
    assert "compared to 65.8% in the Interfant-06 trial" in closest


@pytest.mark.skipif(not DOCUMENT_PRESENT, reason="the seed document is not beside the repo")
def test_typographic_dashes_and_quotes_match_their_ascii_forms(seeds: Path) -> None:
    edit(
        seeds / MAIN,
        "    quote: compared to 65.8% in the Interfant-06 trial\n",
        "    quote: compared to 65.8%\u00a0in the Interfant\u201306 trial\n",
    )
    outcome = run_cli("validate", str(seeds))
    assert outcome.exit_code == 0, outcome.stderr
