"""Participant flow: per period and group, each milestone's count and each withdrawal reason's.

A flow group is bound to the arm of the same title, or becomes an arm of its own. A count
that is not a plain whole number keeps the registry's text in `count_raw`.
"""

from __future__ import annotations

from evidencedb.enums import FlowKind
from evidencedb.records.baseline import FlowRecord
from evidencedb.registries.ctgov.arms import Arm, Arms
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.counts import read_count
from evidencedb.registries.ctgov.groups import bind_groups
from evidencedb.registries.ctgov.keys import DistinctTitles
from evidencedb.registries.ctgov.reader import Node
from evidencedb.registries.ctgov.values import join_notes

# Each list of a period: its key, the kind of its rows, and the key of its per-group counts.
_LISTS = [
    ("milestones", FlowKind.MILESTONE, "achievements"),
    ("dropWithdraws", FlowKind.WITHDRAWAL_REASON, "reasons"),
]
_FIELDS = {"count": "numSubjects", "count_raw": "numSubjects", "note": "comment"}


def flow_records(
    context: StudyContext, arms: Arms, module: Node | None, others: list[Node | None]
) -> list[FlowRecord]:
    """Every count of the participant-flow module, per period, row and group."""
    if module is None:
        return []
    groups = bind_groups(arms, module, others)
    records: list[FlowRecord] = []
    periods = DistinctTitles()
    for period in module.nodes("periods"):
        period_title = periods(period.text("title") or "")
        for list_key, kind, counts_key in _LISTS:
            labels = DistinctTitles()
            for row in period.nodes(list_key):
                label = labels(row.text("type") or "(untitled)")
                for count in row.nodes(counts_key):
                    arm = groups.get(count.text("groupId") or "")
                    if arm is None:
                        continue  # a group the module does not list: nothing to bind it to
                    records.extend(_record(context, arm, period_title, kind, label, row, count))
    return records


def _record(
    context: StudyContext,
    arm: Arm,
    period: str,
    kind: FlowKind,
    label: str,
    row: Node,
    count: Node,
) -> list[FlowRecord]:
    number, raw = read_count(count.text("numSubjects"))
    record = context.record(
        FlowRecord,
        {
            **context.cited(count.path),
            "arm": arm.key,
            "period": period,
            "kind": kind,
            "label": label,
            "count": number,
            "count_raw": raw,
            "note": join_notes(row.text("comment"), count.text("comment")),
        },
        count.path,
        _FIELDS,
    )
    return [] if record is None else [record]
