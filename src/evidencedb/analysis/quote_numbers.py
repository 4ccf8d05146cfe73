"""Checks that a fact's number is in its own quote: 42 stored with a quote saying "43%".

A quote states the fact, so the number stored must be one the quote writes, allowing the
usual ways of writing it: 81.6 / 81.6%, 0.59 / .59, 1,234 / 1234, ten / 10, a number rounded
as the value is (two-thirds / 66.7), and a sign dropped (a difference of -2.3 "reduced by
2.3"). A quote that states no number at all ("all patients", "no toxic effects") cannot be
checked this way and is left alone; so are registry records, whose facts cite a field, not
words, and derived comparisons, whose quotes are their inputs'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import Connection, Table, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity, finding_about
from evidencedb.enums import ComparisonOrigin, SourceKind
from evidencedb.records.quotes import normalise_text
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import table_of
from evidencedb.store.source_models import Source

_UNITS = {
    word: number
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    word: 10 * number
    for number, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], start=2
    )
}
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_DENOMINATORS |= {"fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5}
_DENOMINATORS |= {"tenth": 10, "tenths": 10}
# "1,234" and "1234", "81.6", ".59"; a comma is a thousands separator only before 3 digits.
_NUMERAL = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|(?<![\w.])\.\d+")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")
# The fact columns that hold the number a quote states, per table.
_CHECKED: tuple[tuple[str, Table, tuple[str, ...]], ...] = (
    ("results", table_of(Result), ("value",)),
    ("comparisons", table_of(Comparison), ("value",)),
    ("adverse_events", table_of(AdverseEvent), ("participants_affected", "event_count")),
)


def numbers_in(quote: str) -> list[float]:
    """Every number `quote` writes, in digits or words (without sign: see `_matches`)."""
    text = normalise_text(quote).lower()
    numbers = [float(match.replace(",", "")) for match in _NUMERAL.findall(text)]
    words: list[str] = []
    for word in _WORD.findall(text):  # "twenty-five" is one number, "two-thirds" two words
        words.extend([word] if _word_number(word) is not None else word.split("-"))
    for index, word in enumerate(words):
        number = _word_number(word)
        if number is not None:
            numbers.append(number)
        denominator = _DENOMINATORS.get(word)
        if denominator is not None:
            before = words[index - 1] if index else "a"
            numerator = 1 if before in ("a", "one", "an") else _UNITS.get(before)
            if numerator is not None:
                numbers.extend([numerator / denominator, 100 * numerator / denominator])
    return numbers


def value_in_quote(value: float, quote: str) -> bool | None:
    """Whether `quote` writes `value` (as a rounding of one of its numbers too); None when the
    quote writes no number at all, so there is nothing to compare with."""
    numbers = numbers_in(quote)
    if not numbers:
        return None
    return any(_matches(value, number) for number in numbers)


def numbers_not_in_quotes(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A fact whose number its own quote does not write."""
    sources = table_of(Source)
    for name, table, columns in _CHECKED:
        statement = (
            select(table)
            .join(sources, sources.c.id == table.c.source_id)
            .where(sources.c.kind != SourceKind.REGISTRY_RECORD, table.c.quote.is_not(None))
        )
        if name == "comparisons":
            statement = statement.where(table.c.origin != ComparisonOrigin.DERIVED)
        for row in connection.execute(statement):
            for column in columns:
                value = row._mapping[column]
                if value is None or value_in_quote(float(value), row.quote) is not False:
                    continue
                message = f"{column} {_shown(value)} is not a number its quote writes"
                yield finding_about(
                    keys, Severity.WARNING, "number_not_in_quote", name, row, message
                )


def _word_number(word: str) -> float | None:
    if word in _UNITS:
        return _UNITS[word]
    if word in _TENS:
        return _TENS[word]
    tens, _, unit = word.partition("-")
    if tens in _TENS and unit in _UNITS and 0 < _UNITS[unit] < 10:
        return _TENS[tens] + _UNITS[unit]
    return None


def _matches(value: float, number: float) -> bool:
    """`value` is `number`, or `number` rounded to as many decimals as `value` has."""
    value = abs(value)
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return value == number or round(number, decimals) == value


def _shown(value: float) -> str:
    return f"{value:g}" if float(value) == int(value) else repr(float(value))
