"""Values as a person reads them: a number, a value with its qualifier and unit, n/N, a CI, a
timepoint. The CLI's tables and the web view's pages both show rows this way, so a number
reads the same in a terminal and on a page; csv and json keep the stored values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def number_text(value: Any, *, decimals: int | None = None) -> str:
    """A number as a person reads it; "" for none.

    By default a float in Python's `g` format (six significant digits) and anything else as
    it is. With `decimals`: at most that many decimals, trailing zeros dropped, between
    10^-decimals and 10^(decimals + 2), and decimals + 1 significant digits outside it."""
    if value is None:
        return ""
    if decimals is None:
        return f"{value:g}" if isinstance(value, float) else str(value)
    if value == 0 or 10**-decimals <= abs(value) < 10 ** (decimals + 2):
        return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{value:.{decimals + 1}g}"


def value_text(row: Mapping[str, Any]) -> str:
    """'< 40%', '93.3%', '12 months', 'not reached': a value with its own qualifier and unit;
    "" without a value. (A comparison's p-value qualifier belongs to its p-value, not here.)"""
    qualifier = row.get("value_qualifier") or ""
    if qualifier == "not_reached":
        return "not reached"
    text = number_text(row.get("value"))
    if not text:
        return ""
    unit = row.get("unit") or ""
    if unit:
        text += unit if unit == "%" else f" {unit}"
    return f"{qualifier} {text}" if qualifier else text


def counts_text(row: Mapping[str, Any]) -> str:
    """'12/30' from a numerator and denominator; "" when neither is known."""
    if row.get("numerator") is None and row.get("denominator") is None:
        return ""
    return f"{number_text(row.get('numerator'))}/{number_text(row.get('denominator'))}"


def ci_text(row: Mapping[str, Any], *, named: bool = False) -> str:
    """'95% 0.2 to 0.8' ('95% CI 0.2 to 0.8' when `named`); "" without a lower limit."""
    if row.get("ci_lower") is None:
        return ""
    level = row.get("ci_level")
    prefix = f"{number_text(level * 100)}% " if level else ""
    if named:
        prefix += "CI "
    return f"{prefix}{number_text(row['ci_lower'])} to {number_text(row.get('ci_upper'))}"


# Units of time written in the plural, and their singular: "1 year", "6 months".
_TIME_UNITS = {
    "years": "year",
    "months": "month",
    "weeks": "week",
    "days": "day",
    "hours": "hour",
    "minutes": "minute",
    "cycles": "cycle",
}
_PLURAL_OF = {singular: plural for plural, singular in _TIME_UNITS.items()}


def duration_text(value: Any, unit: str | None) -> str:
    """'1 year', '6 months', '2.5 years': a timepoint as people say it; "" for none. A unit
    other than a unit of time is shown as stored."""
    if value is None:
        return ""
    unit = unit or ""
    lowered = unit.lower()
    if lowered in _TIME_UNITS or lowered in _PLURAL_OF:
        singular = _TIME_UNITS.get(lowered, lowered)
        unit = singular if value == 1 else _PLURAL_OF[singular]
    return f"{number_text(value)} {unit}".strip()


_SPREAD_NAMES = {
    "standard_deviation": "SD",
    "standard_error": "SE",
    "interquartile_range": "IQR",
    "full_range": "range",
}


def spread_text(row: Mapping[str, Any]) -> str:
    """'SD 9.6', 'IQR 3 to 7': a baseline value's spread or limits, as the registry gave it
    (its text where it is not a plain number); "" for none."""
    kind = _SPREAD_NAMES.get(row["spread_type"] or "", "")
    if row["spread_raw"] is not None:
        return f"{kind} {row['spread_raw']}".strip()
    if row["spread"] is not None:
        return f"{kind} {number_text(row['spread'])}".strip()
    if row["spread_lower"] is not None or row["spread_upper"] is not None:
        limits = f"{number_text(row['spread_lower'])} to {number_text(row['spread_upper'])}"
        return f"{kind} {limits}".strip()
    return ""


def registry_text(number: Any, raw: str | None) -> str:
    """A registry's number as the registry wrote it: its text where that was not a plain
    number ("<5", "1,864", "NA"), since the number read from it may drop a qualifier; else
    the number. "" for neither."""
    return raw if raw is not None else number_text(number)
