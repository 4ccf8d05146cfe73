"""Baseline characteristics and participant flow laid out as a reviewer reads them: a
characteristic (and its classes and categories) or a milestone per row, an arm per column.

The rows are those of `query.baseline` (`evidencedb baseline` and `flow`), in the registry's
order; this only arranges them. Each source gets tables of its own (a registry record and a
publication may both report a trial's baseline) and each flow period a table of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidencedb.enums import FlowKind

Row = Mapping[str, Any]


@dataclass(frozen=True)
class ArmColumn:
    """An arm (or a group such as Total) as a column; `n` is the number of participants (or
    `n_units`) that most of its values in the table are about, None when none is given."""

    key: str
    label: str
    role: str | None
    n: int | None = None
    n_units: str | None = None


@dataclass
class Line:
    """One row of a table: its label and, per column, the row of that arm (None: not
    reported for that arm)."""

    label: str
    cells: list[Row | None]


@dataclass
class Characteristic:
    """A characteristic with its classes and categories as lines; `parameter_type` and `unit`
    are its first value's (a cell names its own where they differ)."""

    name: str
    parameter_type: str | None
    unit: str | None
    description: str | None
    lines: list[Line] = field(default_factory=list)

    @property
    def single(self) -> bool:
        """One value per arm, not split into classes or categories: the characteristic's own
        row holds the values."""
        return len(self.lines) == 1 and not self.lines[0].label


@dataclass
class BaselineTable:
    source_key: str
    arms: list[ArmColumn]
    characteristics: list[Characteristic]


@dataclass
class FlowTable:
    source_key: str
    period: str
    arms: list[ArmColumn]
    milestones: list[Line]
    withdrawal_reasons: list[Line]


def baseline_tables(rows: Iterable[Row]) -> list[BaselineTable]:
    """A table per source of the baseline measurements `rows`."""
    tables = []
    for source_key, of_source in _by(rows, "source_key").items():
        arms = _columns(of_source)
        position = {arm.key: index for index, arm in enumerate(arms)}
        characteristics: dict[str, Characteristic] = {}
        lines: dict[tuple[str, str, str], Line] = {}
        for row in of_source:
            name = row["characteristic"]
            if name not in characteristics:
                characteristics[name] = Characteristic(
                    name, row["parameter_type"], row["unit"], row["description"]
                )
            key = (name, row["class"], row["category"])
            if key not in lines:
                label = " · ".join(part for part in (row["class"], row["category"]) if part)
                lines[key] = Line(label, [None] * len(arms))
                characteristics[name].lines.append(lines[key])
            lines[key].cells[position[row["arm_key"]]] = row
        tables.append(BaselineTable(source_key, arms, list(characteristics.values())))
    return tables


def flow_tables(rows: Iterable[Row]) -> list[FlowTable]:
    """A table per source and period of the participant-flow rows `rows`: its milestones,
    then its reasons for withdrawal."""
    tables = []
    for source_key, of_source in _by(rows, "source_key").items():
        for period, of_period in _by(of_source, "period").items():
            arms = _columns(of_period, with_n=False)
            position = {arm.key: index for index, arm in enumerate(arms)}
            lines: dict[tuple[str, str], Line] = {}
            for row in of_period:
                key = (row["kind"], row["label"])
                if key not in lines:
                    lines[key] = Line(row["label"], [None] * len(arms))
                lines[key].cells[position[row["arm_key"]]] = row
            kinds = {
                kind: [line for (k, _), line in lines.items() if k == kind] for kind in FlowKind
            }
            tables.append(
                FlowTable(
                    source_key,
                    period,
                    arms,
                    kinds[FlowKind.MILESTONE],
                    kinds[FlowKind.WITHDRAWAL_REASON],
                )
            )
    return tables


def _by(rows: Iterable[Row], column: str) -> dict[Any, list[Row]]:
    """`rows` grouped by the value of `column`, in the order each value first appears."""
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        groups.setdefault(row[column], []).append(row)
    return groups


def _columns(rows: Sequence[Row], *, with_n: bool = True) -> list[ArmColumn]:
    """The arms of `rows` in the order they first appear (the registry's group order), with
    the n that most of an arm's values are about (the first seen of equals); a value about
    another n shows its own."""
    columns = []
    for arm_key, of_arm in _by(rows, "arm_key").items():
        first = of_arm[0]
        n, n_units = None, None
        if with_n:
            counts = Counter((row["n"], row["n_units"]) for row in of_arm if row["n"] is not None)
            if counts:
                n, n_units = counts.most_common(1)[0][0]
        columns.append(ArmColumn(arm_key, first["arm_label"], first["arm_role"], n, n_units))
    return columns
