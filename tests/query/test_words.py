"""Word search: `--condition` and `--text` find every word of the filter, in any order, in
any of the fields they search, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import io

from evidencedb.query.words import word_values
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase

BLINATUMOMAB = "blinatumomab-infant-kmt2a-all"


def _column(column: str, *args: str, db: TestDatabase) -> list[str]:
    outcome = run_cli(*args, "--format", "csv", db=db)
    assert outcome.exit_code == 0, outcome.stderr
    return [row[column] for row in csv.DictReader(io.StringIO(outcome.stdout))]


def test_condition_matches_words_in_any_order(loaded: TestDatabase) -> None:
    # The condition is "KMT2A-rearranged acute lymphoblastic leukemia (ALL)".
    assert _column("key", "trials", "--condition", "leukemia lymphoblastic", db=loaded) == [
        BLINATUMOMAB
    ]
    assert _column("key", "trials", "--condition", "LEUKEMIA kmt2a", db=loaded) == [BLINATUMOMAB]
    assert _column("key", "trials", "--condition", "leukemia myeloid", db=loaded) == []
    results = _column("trial_key", "results", "--condition", "acute ALL", db=loaded)
    assert set(results) == {BLINATUMOMAB}
    assert len(results) == 10


def test_text_finds_endpoint_names_and_quotes_in_the_trials_list(loaded: TestDatabase) -> None:
    # Only an adverse event's quote says "Ten serious adverse events were reported".
    assert _column("key", "trials", "--text", "ten serious", db=loaded) == [BLINATUMOMAB]
    # Only an endpoint's name says "disease-free".
    assert _column("key", "trials", "--text", "disease-free", db=loaded) == [BLINATUMOMAB]
    assert _column("key", "trials", "--text", "disease-free nowhere", db=loaded) == []


def test_text_finds_a_results_endpoint_name_and_quote(loaded: TestDatabase) -> None:
    endpoints = _column("endpoint_key", "results", "--text", "overall survival", db=loaded)
    assert set(endpoints) == {"os-2y"}
    # "93.3%" is in the quote of one result only.
    arms = _column("arm_key", "results", "--text", "93.3%", db=loaded)
    assert arms == ["blinatumomab"]


def test_a_blank_text_is_no_filter(loaded: TestDatabase) -> None:
    assert len(_column("key", "trials", "--text", "  ", db=loaded)) == 2


def test_each_word_is_a_pattern_of_its_own() -> None:
    assert word_values("text", " overall  50%_ ") == {"text_0": "%overall%", "text_1": "%50\\%\\_%"}
    assert word_values("condition", " ") == {}
