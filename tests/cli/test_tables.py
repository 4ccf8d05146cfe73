"""What query rows look like in a terminal table: values with their own qualifiers, whole rows
when stdout is not a terminal, booleans, quotes and timepoints as people read them."""

from __future__ import annotations

import pytest

from evidencedb.cli.tables import readable
from evidencedb.query.readable import duration_text
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import require_shared

BLINATUMOMAB = "blinatumomab-infant-kmt2a-all"


@pytest.fixture
def imported(sqlite_database: TestDatabase) -> TestDatabase:
    outcome = run_cli("import", "ctgov", str(require_shared() / "ctgov"), db=sqlite_database)
    assert outcome.exit_code == 0, outcome.stderr
    return sqlite_database


def test_the_p_value_qualifier_goes_on_the_p_value() -> None:
    row = {"value": 34.0, "unit": None, "p_value": 0.0001, "p_value_qualifier": "<"}
    shown = readable(row)
    assert (shown["value"], shown["p_value"]) == ("34", "< 0.0001")
    assert readable({**row, "p_value_qualifier": None})["p_value"] == "0.0001"
    assert readable({"value": 40.0, "value_qualifier": "<", "unit": "%"})["value"] == "< 40%"


def _row_line(stdout: str, *words: str) -> str:
    return next(line for line in stdout.splitlines() if all(word in line for word in words))


def test_a_table_in_a_pipe_keeps_each_row_on_one_line(imported: TestDatabase) -> None:
    outcome = run_cli("comparisons", "--trial", "NCT02210780", db=imported)
    assert outcome.exit_code == 0, outcome.stderr
    line = _row_line(outcome.stdout, "secondary-3 ", "ctgov-NCT02210780")
    assert "│ 34 " in line  # the estimate without the p-value's qualifier
    assert "│ < 0.0001 " in line
    assert "│ true " in line  # booleans as in CSV
    assert "True" not in outcome.stdout
    assert max(map(len, outcome.stdout.splitlines())) > 80


def test_field_quotes_and_timepoints_read_as_words(loaded: TestDatabase) -> None:
    outcome = run_cli("trial", BLINATUMOMAB, db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    assert "{'" not in outcome.stdout
    assert "│ design: Data on adverse events were collected" in outcome.stdout
    assert "1 year " in _row_line(outcome.stdout, "relapse-1y-background ")
    assert "2 years " in _row_line(outcome.stdout, "os-2y ", "overall_survival")


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1.0, "years", "1 year"),
        (6.0, "months", "6 months"),
        (6, "month", "6 months"),
        (2.5, "Years", "2.5 years"),
        (1.0, "day", "1 day"),
        (3.0, "visits", "3 visits"),
        (1.0, None, "1"),
        (None, "years", ""),
    ],
)
def test_timepoints_as_people_say_them(value: float | None, unit: str | None, text: str) -> None:
    assert duration_text(value, unit) == text
