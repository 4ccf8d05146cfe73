"""Data-quality findings: their severity, the row they are about, and how a check makes one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Table, select

from evidencedb.store.models import Arm, Endpoint, Intervention, Trial, table_of
from evidencedb.store.source_models import Source


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One data-quality finding. `row` is the natural key of the row it is about, written as
    trial/endpoint/arm and the like; `source` and `quote` are the fact's provenance."""

    severity: Severity
    check: str
    table: str
    row: str
    message: str
    source: str | None = None
    quote: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value}

    @property
    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (_RANK[self.severity], self.check, self.table, self.row, self.message)


FINDING_COLUMNS = ("severity", "check", "table", "row", "message", "source", "quote")


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(finding.severity == Severity.ERROR for finding in findings)


class RowKeys:
    """Keys of the parent rows, by id, so that each finding can name its row for people to
    find it again."""

    def __init__(self, connection: Connection) -> None:
        def by_id(table: Table, column: str) -> dict[int, str]:
            rows = connection.execute(select(table.c.id, table.c[column]))
            return {row[0]: row[1] for row in rows}

        self.trials: dict[int, str] = by_id(table_of(Trial), "key")
        self.sources: dict[int, str] = by_id(table_of(Source), "key")
        self.interventions: dict[int, str] = by_id(table_of(Intervention), "key")
        self.arms: dict[int, str] = by_id(table_of(Arm), "key")
        self.endpoints: dict[int, str] = by_id(table_of(Endpoint), "key")

    def row(self, table: str, row: Any) -> str:
        """The natural key of `row` of `table` (without its source, shown beside it)."""
        m = row._mapping
        if table in ("trials", "interventions"):
            return str(m["key"])
        if table == "trial_identifiers":
            return f"{self.trials[m['trial_id']]}/{m['registry']}:{m['value']}"
        trial = self.trials[m["trial_id"]]
        if table in ("arms", "endpoints"):
            return f"{trial}/{m['key']}"
        if table == "arm_interventions":
            return f"{trial}/{self.arms[m['arm_id']]}/{self.interventions[m['intervention_id']]}"
        if table == "results":
            extra = _qualifiers(subgroup=m["subgroup"], category=m["category"])
            return f"{trial}/{self.endpoints[m['endpoint_id']]}/{self.arms[m['arm_id']]}{extra}"
        if table == "comparisons":
            comparator = m["comparator_arm_id"]
            versus = f" vs {self.arms[comparator]}" if comparator is not None else ""
            extra = _qualifiers(label=m["label"])
            return (
                f"{trial}/{self.endpoints[m['endpoint_id']]}/{self.arms[m['arm_id']]}{versus}"
                f"/{m['measure']} ({m['origin']}){extra}"
            )
        if table == "adverse_events":
            extra = _qualifiers(
                organ_system=m["organ_system"], category=m["category"], grade=m["grade"]
            )
            return f"{trial}/{self.arms[m['arm_id']]}/{m['term']}{extra}"
        if table == "baseline_measurements":
            extra = _qualifiers(**{"class": m["class"], "category": m["category"]})
            return f"{trial}/{self.arms[m['arm_id']]}/{m['characteristic']}{extra}"
        if table == "participant_flow":
            extra = _qualifiers(period=m["period"], kind=m["kind"])
            return f"{trial}/{self.arms[m['arm_id']]}/{m['label']}{extra}"
        raise ValueError(f"no natural key for table {table!r}")  # a bug: a table was added

    def source(self, row: Any) -> str | None:
        source_id = row._mapping["source_id"]
        return None if source_id is None else self.sources[source_id]


def _qualifiers(**parts: Any) -> str:
    given = [f"{name}={value}" for name, value in parts.items() if value]
    return f" [{', '.join(given)}]" if given else ""


def finding_about(
    keys: RowKeys,
    severity: Severity,
    check: str,
    table: str,
    row: Any,
    message: str,
) -> Finding:
    """A finding about `row` of `table`, named by its natural key, with its source and quote."""
    return Finding(
        severity, check, table, keys.row(table, row), message, keys.source(row), row.quote
    )


# A check: it takes the connection and the keys and yields its findings.
Check = Callable[[Connection, RowKeys], Iterable[Finding]]
