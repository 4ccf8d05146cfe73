"""Counts of participants that cannot be true as a registry published them: in the participant
flow, more completing (or not completing) a period than started it, or more withdrawal
reasons than participants not completing; at baseline, a category counting more participants
than the arm's baseline n.

What the registry allows is not flagged: a milestone between STARTED and COMPLETED may count
more than started (a safety population that took in participants given the wrong arm's drug,
as NCT01037244 has), and withdrawal reasons may sum to fewer than NOT COMPLETED (not every
participant's reason is given). Each finding names the row and the JSON path of the count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity, finding_about
from evidencedb.analysis.raw_checks import at_locator
from evidencedb.enums import FlowKind
from evidencedb.store.baseline_models import BaselineMeasurement, ParticipantFlow
from evidencedb.store.models import table_of

# The registry's milestones that every period has (ClinicalTrials.gov computes NOT COMPLETED
# as STARTED minus COMPLETED).
STARTED, COMPLETED, NOT_COMPLETED = "STARTED", "COMPLETED", "NOT COMPLETED"
# The parameter type of a baseline measure that counts participants (registry's
# COUNT_OF_PARTICIPANTS, stored lower-case).
COUNT_OF_PARTICIPANTS = "count_of_participants"

FlowCell = tuple[int, int, str, int]  # trial, arm, period, source: one arm in one period


def flow_counts_impossible(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """In one arm, period and source: COMPLETED or NOT COMPLETED above STARTED, or the
    withdrawal reasons summing to more than NOT COMPLETED."""
    table = table_of(ParticipantFlow)
    milestones: dict[FlowCell, dict[str, Any]] = defaultdict(dict)
    reasons: dict[FlowCell, list[Any]] = defaultdict(list)
    rows = connection.execute(select(table).where(table.c["count"].is_not(None)))
    for row in rows:  # (`count` is read by name: a Row's .count is tuple.count)
        cell = (row.trial_id, row.arm_id, row.period, row.source_id)
        if row.kind == FlowKind.WITHDRAWAL_REASON:
            reasons[cell].append(row)
        elif row.label in (STARTED, COMPLETED, NOT_COMPLETED):
            milestones[cell][row.label] = row
    for cell, found in milestones.items():
        started = found.get(STARTED)
        for label in (COMPLETED, NOT_COMPLETED):
            ended = found.get(label)
            if started is not None and ended is not None and _count(ended) > _count(started):
                yield _flow_finding(
                    keys,
                    ended,
                    "flow_exceeds_started",
                    f"{label} {_count(ended)} is above STARTED {_count(started)}",
                )
        not_completed = found.get(NOT_COMPLETED)
        given = reasons.get(cell, [])
        total = sum(_count(reason) for reason in given)
        if not_completed is not None and total > _count(not_completed):
            yield _flow_finding(
                keys,
                not_completed,
                "withdrawals_exceed_not_completed",
                f"withdrawal reasons sum to {total} ({len(given)} reasons), above "
                f"NOT COMPLETED {_count(not_completed)}",
            )


def _flow_finding(keys: RowKeys, row: Any, check: str, message: str) -> Finding:
    period = f" in period {row.period!r}" if row.period else ""
    return finding_about(
        keys,
        Severity.WARNING,
        check,
        "participant_flow",
        row,
        f"{message}{period}: impossible as published{at_locator(row)}",
    )


def baseline_count_exceeds_n(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A baseline count of participants above the baseline n of its arm (of participants,
    not other units)."""
    table = table_of(BaselineMeasurement)
    rows = connection.execute(
        select(table).where(
            table.c.parameter_type == COUNT_OF_PARTICIPANTS,
            table.c.n_units.is_(None),
            table.c.value > table.c.n,
        )
    )
    for row in rows:
        yield finding_about(
            keys,
            Severity.WARNING,
            "baseline_count_exceeds_n",
            "baseline_measurements",
            row,
            f"{_number(row.value)} participants counted, above the arm's baseline n {row.n}: "
            f"impossible as published{at_locator(row)}",
        )


def _count(row: Any) -> int:
    count: int = row._mapping["count"]
    return count


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else repr(value)
