"""Direction audit: reported two-arm estimates against their two arms' own results.

Among reported odds ratios, risk ratios, risk differences and mean differences of two arms
whose own results on the same endpoint (one result per arm, from the same source) show clearly
which is higher, the share whose estimate points the same way. The importer orients registry
analyses so that this holds; every case left that does not is a finding of `evidencedb check`.
The audit reads only columns of the first schema, so it runs on databases of any revision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity, finding_about
from evidencedb.enums import ComparisonOrigin
from evidencedb.records.orientation import AUDITED_MEASURES, agrees_with_arms, arm_level
from evidencedb.store.fact_models import Comparison, Result
from evidencedb.store.models import table_of

DISAGREEMENT = "reported estimate points the other way from the arms' own results"


@dataclass
class DirectionAudit:
    """The clear cases (comparison ids) that agree and those that disagree."""

    agreeing: list[int] = field(default_factory=list)
    disagreeing: list[Any] = field(default_factory=list)  # the comparison rows

    @property
    def clear(self) -> int:
        return len(self.agreeing) + len(self.disagreeing)

    @property
    def agreement(self) -> float | None:
        """The share of clear cases that agree; None when there is none."""
        return len(self.agreeing) / self.clear if self.clear else None


def audit_directions(connection: Connection) -> DirectionAudit:
    """Every reported two-arm OR, RR, RD and MD checked against its arms' own results."""
    comparisons = table_of(Comparison)
    results = table_of(Result)
    columns = [
        comparisons.c[name]
        for name in (
            "id",
            "trial_id",
            "endpoint_id",
            "arm_id",
            "comparator_arm_id",
            "measure",
            "origin",
            "label",
            "value",
            "source_id",
            "quote",
        )
    ]
    rows = connection.execute(
        select(*columns).where(
            comparisons.c.origin == ComparisonOrigin.REPORTED,
            comparisons.c.comparator_arm_id.is_not(None),
            comparisons.c.value.is_not(None),
            comparisons.c.measure.in_(sorted(AUDITED_MEASURES)),
        )
    ).all()
    endpoint_ids = sorted({row.endpoint_id for row in rows})
    # (endpoint, source, arm) -> the results' own levels, one per subgroup and category
    levels: dict[tuple[int, int, int], list[tuple[Any, ...]]] = defaultdict(list)
    for start in range(0, len(endpoint_ids), 500):
        chunk = endpoint_ids[start : start + 500]
        found = connection.execute(
            select(
                results.c.endpoint_id,
                results.c.source_id,
                results.c.arm_id,
                results.c.value,
                results.c.value_qualifier,
                results.c.numerator,
                results.c.denominator,
            ).where(results.c.endpoint_id.in_(chunk))
        )
        for result in found:
            key = (result.endpoint_id, result.source_id, result.arm_id)
            levels[key].append(tuple(result)[3:])
    audit = DirectionAudit()
    for row in rows:
        first = _only_level(row, levels.get((row.endpoint_id, row.source_id, row.arm_id)))
        second = _only_level(
            row, levels.get((row.endpoint_id, row.source_id, row.comparator_arm_id))
        )
        if first is None or second is None:
            continue
        verdict = agrees_with_arms(str(row.measure), row.value, first, second)
        if verdict is True:
            audit.agreeing.append(row.id)
        elif verdict is False:
            audit.disagreeing.append(row)
    return audit


def _only_level(row: Any, found: list[tuple[Any, ...]] | None) -> float | None:
    """The arm's own level when it has exactly one result on the endpoint, as a number."""
    if not found or len(found) != 1:
        return None
    value, qualifier, numerator, denominator = found[0]
    if qualifier is not None:
        return None
    return arm_level(str(row.measure), value, numerator, denominator)


def estimate_against_arms(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A reported estimate that points the other way from its two arms' own results."""
    for row in audit_directions(connection).disagreeing:
        yield finding_about(
            keys, Severity.WARNING, "estimate_against_arms", "comparisons", row, DISAGREEMENT
        )
