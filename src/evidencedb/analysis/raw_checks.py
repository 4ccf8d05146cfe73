"""Checks of values kept as a registry's text: numbers the registry wrote that are impossible
(a p-value of 60.66, an odds ratio of 0, a participant count of -1 or 12.5) and were stored as
text with no number. Each finding names the JSON path of the value in the record."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity, finding_about
from evidencedb.store.baseline_models import BaselineMeasurement, ParticipantFlow
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import table_of

# table, its model, and (raw column, checked column) pairs
_KEPT = (
    (
        "results",
        Result,
        (("value_raw", "value"), ("spread_raw", "spread")),
    ),
    (
        "comparisons",
        Comparison,
        (
            ("value_raw", "value"),
            ("ci_lower_raw", "ci_lower"),
            ("ci_upper_raw", "ci_upper"),
            ("p_value_raw", "p_value"),
        ),
    ),
    (
        "adverse_events",
        AdverseEvent,
        (
            ("participants_affected_raw", "participants_affected"),
            ("participants_at_risk_raw", "participants_at_risk"),
            ("event_count_raw", "event_count"),
        ),
    ),
    (
        "baseline_measurements",
        BaselineMeasurement,
        (("value_raw", "value"), ("spread_raw", "spread")),
    ),
    ("participant_flow", ParticipantFlow, (("count_raw", "count"),)),
)
_NUMBER = re.compile(r"[<>=≤≥\s]*[-+]?(\d[\d,]*(\.\d*)?|\.\d+)")
_PLACEHOLDER = re.compile(r"-?9{4,}(\.[09]*)?|-?9{3}\.9+")


def impossible_values(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A value that the registry wrote as a number but that cannot be true, kept as text."""
    for name, model, pairs in _KEPT:
        table = table_of(model)
        for raw, checked in pairs:
            rows = connection.execute(
                select(table).where(table.c[raw].is_not(None), table.c[checked].is_(None))
            )
            for row in rows:
                text = str(row._mapping[raw]).strip()
                if not _NUMBER.fullmatch(text) or _PLACEHOLDER.fullmatch(text):
                    continue  # words or a placeholder: not a value, nothing impossible
                yield finding_about(
                    keys,
                    Severity.WARNING,
                    "impossible_registry_value",
                    name,
                    row,
                    f"{checked} {text!r} as the registry wrote it is impossible; "
                    f"kept as text in {raw}{at_locator(row)}",
                )


def at_locator(row: Any) -> str:
    """Where a registry row's value is in its record, for a finding's message: the row's
    natural key names the fact, its JSON path the field a reviewer opens."""
    locator = row._mapping["locator"]
    return f" (at {locator})" if locator else ""
