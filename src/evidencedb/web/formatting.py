"""How values read on a page: Jinja filters over `query.readable` (the CLI's tables read the
same), so that templates never format a number themselves, and a p-value and an enum's value
as words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment

from evidencedb.query.readable import (
    ci_text,
    counts_text,
    duration_text,
    number_text,
    registry_text,
    spread_text,
    value_text,
)


def named_ci_text(row: Mapping[str, Any]) -> str:
    """'95% CI 0.2 to 0.8'; '' without limits."""
    return ci_text(row, named=True)


def timepoint_text(row: Mapping[str, Any]) -> str:
    """'2 years', '1 year': an endpoint's timepoint as people say it."""
    return duration_text(row.get("timepoint_value"), row.get("timepoint_unit"))


def p_text(value: float | None) -> str:
    """A p-value as a report writes it: '0.0123', '< 0.0001'; '' for none."""
    if value is None:
        return ""
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


def baseline_value(row: Mapping[str, Any]) -> str:
    """A baseline measurement's value as the registry wrote it."""
    return registry_text(row["value"], row["value_raw"])


def flow_count(row: Mapping[str, Any]) -> str:
    """A participant-flow count as the registry wrote it."""
    return registry_text(row["count"], row["count_raw"])


def words(value: Any) -> str:
    """An enum value as words: 'overall_survival' reads 'overall survival'."""
    return "" if value is None else str(value).replace("_", " ")


def install(environment: Environment) -> None:
    """Make these the filters of the templates' environment."""
    environment.filters.update(
        number=number_text,
        value_text=value_text,
        counts_text=counts_text,
        ci_text=named_ci_text,
        timepoint_text=timepoint_text,
        p_text=p_text,
        words=words,
        baseline_value=baseline_value,
        flow_count=flow_count,
        spread_text=spread_text,
    )
