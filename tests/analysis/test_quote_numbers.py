"""A fact's number must be one its quote writes, in any of the usual spellings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencedb.analysis.quote_numbers import value_in_quote
from tests.analysis.test_checks import check, load, named, seed
from tests.support.databases import TestDatabase

WRITTEN = [
    (81.6, "Two-year disease-free survival was 81.6%"),
    (0.59, "hazard ratio .59"),
    (0.59, "hazard ratio 0.59 (95% CI, 0.44 to 0.79)"),
    (1234, "1,234 patients were randomised"),
    (1234, "1234 patients were randomised"),
    (10, "Ten serious adverse events were reported"),
    (25, "twenty-five patients"),
    (66.7, "Relapses occur in two-thirds of patients within a year"),
    (50, "half of the patients"),
    (-2.3, "the score fell by 2.3 points"),
    (-2.3, "a difference of \u22122.3 points"),
    (43, "42.6% of patients"),
]
NOT_WRITTEN = [
    (42, "43% of patients responded"),
    (2.8, "median progression-free survival was 2.9 months"),
    (0.59, "hazard ratio 0.95"),
    (1234, "1,243 patients"),
    (81.6, "NCT00081600 reported 49.4%"),
]


@pytest.mark.parametrize(("value", "quote"), WRITTEN)
def test_usual_spellings_match(value: float, quote: str) -> None:
    assert value_in_quote(value, quote) is True


@pytest.mark.parametrize(("value", "quote"), NOT_WRITTEN)
def test_another_number_does_not_match(value: float, quote: str) -> None:
    assert value_in_quote(value, quote) is False


@pytest.mark.parametrize("quote", ["All patients became MRD-negative", "No toxic effects"])
def test_a_quote_without_numbers_cannot_be_checked(quote: str) -> None:
    assert value_in_quote(0, quote) is None


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_any_number_written_in_digits_matches_itself(number: object) -> None:
    text = f"{number}"
    assert value_in_quote(float(text), f"a rate of {text}% was seen") is True
    assert value_in_quote(float(text) + 1, f"a rate of {text}% was seen") is False


def test_check_warns_about_a_value_its_quote_does_not_write(
    database: TestDatabase, tmp_path: Path
) -> None:
    quoted = {"arm": "new", "endpoint": "resp", "unit": "%"}
    path = seed(
        tmp_path,
        results=[
            {**quoted, "value": 42, "quote": "a response in 43% of patients"},
            {**quoted, "arm": "old", "value": 50, "quote": "50% in the control group"},
        ],
    )
    load(path, database)
    exit_code, findings = check(database, "--seeds", str(tmp_path))
    assert exit_code == 0  # a warning: the curator may have meant it
    assert [
        (f["severity"], f["table"], f["row"], f["message"])
        for f in named(findings, "number_not_in_quote")
    ] == [("warning", "results", "t1/resp/new", "value 42 is not a number its quote writes")]
