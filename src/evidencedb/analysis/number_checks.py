"""Checks of the numbers' own arithmetic: percentages against their counts, CIs against their
estimates, counts of participants against the size of their arm."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, Table, or_, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity, finding_about
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import Arm, table_of


def percentage_mismatch(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A percentage that is not its numerator over its denominator, beyond rounding."""
    table = table_of(Result)
    rows = connection.execute(
        select(table).where(
            table.c.unit == "%",
            table.c.value.is_not(None),
            table.c.value_qualifier.is_(None),
            table.c.numerator.is_not(None),
            table.c.denominator > 0,
        )
    )
    for row in rows:
        exact = 100.0 * row.numerator / row.denominator
        # One unit in the last decimal the value was reported with: 81.6 may stand for any of
        # 81.55..81.65 when rounded, or 81.6..81.7 when truncated, as some reports do.
        tolerance = 10.0 ** -_decimals(row.value) + 1e-9
        if abs(row.value - exact) > tolerance:
            yield finding_about(
                keys,
                Severity.ERROR,
                "percentage_mismatch",
                "results",
                row,
                f"{_number(row.value)}% is not {row.numerator}/{row.denominator} = {exact:.2f}%",
            )


def ci_excludes_estimate(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A confidence interval that does not contain its own estimate."""
    for model, name in ((Result, "results"), (Comparison, "comparisons")):
        table = table_of(model)
        condition = [
            table.c.value.is_not(None),
            table.c.ci_lower.is_not(None),
            table.c.ci_upper.is_not(None),
        ]
        if "value_qualifier" in table.c:
            condition.append(table.c.value_qualifier.is_(None))
        for row in connection.execute(select(table).where(*condition)):
            slack = 1e-9 * max(1.0, abs(row.value))  # binary noise, not a reporting error
            if not row.ci_lower - slack <= row.value <= row.ci_upper + slack:
                yield finding_about(
                    keys,
                    Severity.ERROR,
                    "ci_excludes_estimate",
                    name,
                    row,
                    f"estimate {_number(row.value)} is outside its CI "
                    f"{_number(row.ci_lower)} to {_number(row.ci_upper)}",
                )


def affected_exceeds_at_risk(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """More participants with an adverse event than at risk of it. The schema refuses this;
    the check stands for databases written without that constraint."""
    table = table_of(AdverseEvent)
    rows = connection.execute(
        select(table).where(table.c.participants_affected > table.c.participants_at_risk)
    )
    for row in rows:
        yield finding_about(
            keys,
            Severity.ERROR,
            "affected_exceeds_at_risk",
            "adverse_events",
            row,
            f"{row.participants_affected} affected but only {row.participants_at_risk} at risk",
        )


def exceeds_arm_size(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A count of participants above the number enrolled in the arm."""
    arms = table_of(Arm)
    for row in connection.execute(select(arms).where(arms.c.n_analyzed > arms.c.n_enrolled)):
        yield finding_about(
            keys,
            Severity.WARNING,
            "exceeds_arm_size",
            "arms",
            row,
            f"n_analyzed {row.n_analyzed} is above n_enrolled {row.n_enrolled}",
        )
    checked: list[tuple[str, Table, tuple[str, ...]]] = [
        ("results", table_of(Result), ("denominator", "n_analyzed")),
        ("adverse_events", table_of(AdverseEvent), ("participants_at_risk",)),
    ]
    for name, table, columns in checked:
        statement = (
            select(table, arms.c.n_enrolled.label("arm_n_enrolled"))
            .join(arms, arms.c.id == table.c.arm_id)
            .where(or_(*(table.c[column] > arms.c.n_enrolled for column in columns)))
        )
        for row in connection.execute(statement):
            for column in columns:
                count = row._mapping[column]
                if count is not None and count > row.arm_n_enrolled:
                    yield finding_about(
                        keys,
                        Severity.WARNING,
                        "exceeds_arm_size",
                        name,
                        row,
                        f"{column} {count} is above the arm's n_enrolled {row.arm_n_enrolled}",
                    )


def arm_size_disagrees(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """One arm analysed with different numbers of participants on different endpoints.

    Only whole-arm results count (no subgroup); the categories of one endpoint share it.
    Populations may legitimately differ (evaluable, safety), hence a warning.
    """
    table = table_of(Result)
    rows = connection.execute(
        select(
            table.c.trial_id,
            table.c.arm_id,
            table.c.endpoint_id,
            table.c.denominator,
            table.c.n_analyzed,
            table.c.source_id,
        ).where(table.c.subgroup == "")
    )
    sizes: dict[tuple[int, int], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    sources: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in rows:
        size = row.denominator if row.denominator is not None else row.n_analyzed
        if size is None:
            continue
        arm = (row.trial_id, row.arm_id)
        sizes[arm][size].add(keys.endpoints[row.endpoint_id])
        sources[arm].add(keys.sources[row.source_id])
    for (trial_id, arm_id), by_size in sorted(sizes.items()):
        if len(by_size) < 2:
            continue
        listing = "; ".join(
            f"{size} ({_listing(endpoints)})" for size, endpoints in sorted(by_size.items())
        )
        yield Finding(
            Severity.WARNING,
            "arm_size_disagrees",
            "results",
            f"{keys.trials[trial_id]}/{keys.arms[arm_id]}",
            f"participants analysed differ between endpoints: {listing}",
            ", ".join(sorted(sources[(trial_id, arm_id)])),
        )


def _decimals(value: float) -> int:
    """Decimal places a value was written with: 81.6 -> 1, 93.0 -> 0, 33.33 -> 2."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        return 0
    fraction = text.partition(".")[2].rstrip("0")
    return len(fraction)


def _number(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) and value == int(value) else f"{value:.4g}"


def _listing(names: Iterable[str], limit: int = 5) -> str:
    ordered = sorted(names)
    shown = ", ".join(ordered[:limit])
    return shown if len(ordered) <= limit else f"{shown} and {len(ordered) - limit} more"
