"""How values read on a page: numbers, a value with its qualifier and unit, n/N, a CI, a
timepoint; Jinja filters, so that templates never format a number themselves."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment


def number(value: Any) -> str:
    """A number as a person reads it (six significant digits, no trailing zeros); '' for none."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) else str(value)
    return str(value)


def value_text(row: Mapping[str, Any]) -> str:
    """'< 40%', 'not reached', '81.6%', '0.42': a value with its qualifier and unit."""
    qualifier = row.get("value_qualifier") or row.get("p_value_qualifier") or ""
    if qualifier == "not_reached":
        return "not reached"
    unit = row.get("unit") or ""
    text = number(row.get("value"))
    if not text:
        return ""
    if unit:
        text += unit if unit == "%" else f" {unit}"
    return f"{qualifier} {text}" if qualifier else text


def counts_text(row: Mapping[str, Any]) -> str:
    """'12/30' from a numerator and denominator; '' when neither is known."""
    if row.get("numerator") is None and row.get("denominator") is None:
        return ""
    return f"{number(row.get('numerator'))}/{number(row.get('denominator'))}"


def ci_text(row: Mapping[str, Any]) -> str:
    """'95% CI 0.2 to 0.8'; '' without limits."""
    if row.get("ci_lower") is None and row.get("ci_upper") is None:
        return ""
    level = row.get("ci_level")
    prefix = f"{number(level * 100)}% CI " if level else "CI "
    return f"{prefix}{number(row.get('ci_lower'))} to {number(row.get('ci_upper'))}"


def timepoint_text(row: Mapping[str, Any]) -> str:
    if row.get("timepoint_value") is None:
        return ""
    return f"{number(row['timepoint_value'])} {row.get('timepoint_unit') or ''}".strip()


def p_text(value: float | None) -> str:
    """A p-value as a report writes it: '0.0123', '< 0.0001'; '' for none."""
    if value is None:
        return ""
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


def words(value: Any) -> str:
    """An enum value as words: 'overall_survival' reads 'overall survival'."""
    return "" if value is None else str(value).replace("_", " ")


def install(environment: Environment) -> None:
    """Make these the filters of the templates' environment."""
    environment.filters.update(
        number=number,
        value_text=value_text,
        counts_text=counts_text,
        ci_text=ci_text,
        timepoint_text=timepoint_text,
        words=words,
        p_text=p_text,
    )
