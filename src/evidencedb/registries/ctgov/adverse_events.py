"""The adverse-events module: each event group's totals, and each term's counts per group.

A count the registry gives that breaks a rule (negative, or more participants affected than
at risk) is stored as its text (`*_raw`) with no number, and the row is imported all the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evidencedb.enums import AdverseEventCategory
from evidencedb.records.base import MAX_COUNT
from evidencedb.records.facts import AdverseEventRecord
from evidencedb.records.location import format_location
from evidencedb.registries.ctgov.arms import Arm, Arms
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.keys import DistinctTitles
from evidencedb.registries.ctgov.reader import JsonPath, Node
from evidencedb.registries.ctgov.values import join_notes

# Adverse-event fields and the registry fields of a term's stats they come from.
_EVENT_FIELDS = {
    "term": "term",
    "participants_affected": "numAffected",
    "participants_at_risk": "numAtRisk",
    "event_count": "numEvents",
    "vocabulary": "sourceVocabulary",
}
# An event group's totals: field prefix (seriousNumAffected, ...), term, category.
_AE_TOTALS = [
    ("serious", "Total, serious adverse events", AdverseEventCategory.SERIOUS),
    ("other", "Total, other adverse events", AdverseEventCategory.NON_SERIOUS),
    ("deaths", "Total, all-cause mortality", AdverseEventCategory.ANY),
]
# The lists of terms: registry key, category, prefix of the group's number at risk.
_EVENT_LISTS = [
    ("seriousEvents", AdverseEventCategory.SERIOUS, "serious"),
    ("otherEvents", AdverseEventCategory.NON_SERIOUS, "other"),
]

EventGroups = dict[str, tuple[Node, Arm]]  # group id -> the event group and its arm

_COUNTS = ("participants_affected", "participants_at_risk", "event_count")
_NO_RAW_COUNTS = {f"{name}_raw": None for name in _COUNTS}
# The fields a term's row is built from, besides its counts (see `_AdverseEventRows.add_like`).
_TERM_ROW_FIELDS = frozenset(
    {"source", "locator", "arm", "term", "organ_system", "category", "time_frame"}
    | {"vocabulary", "note"}
)


class _AdverseEventRows:
    """The adverse-event records of one study, and the term labels given so far."""

    def __init__(self, context: StudyContext, time_frame: str | None) -> None:
        self.context = context
        self.time_frame = time_frame
        self.records: list[AdverseEventRecord] = []
        self.valid_arms: set[str] = set()  # the arm keys of rows validated in full
        # One registry entry is one term in every arm: a term listed twice in an organ system
        # (under two vocabularies, say) becomes "term (2)" for all arms alike.
        self.terms: dict[tuple[str, AdverseEventCategory], DistinctTitles] = {}
        for _, total, category in _AE_TOTALS:
            self.term_label("", category, total)

    def term_label(self, organ: str, category: AdverseEventCategory, term: str) -> str:
        return self.terms.setdefault((organ, category), DistinctTitles())(term)

    def add(
        self,
        arm: Arm,
        term: str,
        organ: str,
        category: AdverseEventCategory,
        fields: dict[str, Any],
        path: JsonPath,
        names: Mapping[str, str],
    ) -> AdverseEventRecord | None:
        record = self.context.record(
            AdverseEventRecord,
            {
                **self.context.cited(path),
                "arm": arm.key,
                "term": term,
                "organ_system": organ,
                "category": category,
                "time_frame": self.time_frame,
                **fields,
            },
            path,
            names,
        )
        if record is not None:
            self.records.append(record)
            self.valid_arms.add(record.arm)
        return record

    def add_like(
        self, template: AdverseEventRecord, arm: Arm, counts: dict[str, Any], path: JsonPath
    ) -> bool:
        """A row of the same term as `template` (validated in full) in another group: what
        differs, the arm, counts and path, is checked here instead of validating the row
        again (a heavy record has thousands of such rows). False, having added nothing, when
        a value needs validating to be reported where it is wrong."""
        if arm.key not in self.valid_arms:
            return False
        for name in _COUNTS:
            count = counts[name]
            if count is not None and count > MAX_COUNT:  # checked_counts refused negatives
                return False
        changes = {"locator": format_location(path), "arm": arm.key, **_NO_RAW_COUNTS, **counts}
        self.records.append(template.checked_copy(changes, _TERM_ROW_FIELDS | counts.keys()))
        return True


def adverse_event_records(
    context: StudyContext, arms: Arms, module: Node | None
) -> list[AdverseEventRecord]:
    """The totals of each event group, then each serious and other term's counts per group."""
    if module is None:
        return []
    rows = _AdverseEventRows(context, module.text("timeFrame"))
    groups = _event_groups(context, arms, module, rows)
    for list_key, category, prefix in _EVENT_LISTS:
        for event in module.nodes(list_key):
            _term_rows(rows, event, category, prefix, groups)
    return rows.records


def _event_groups(
    context: StudyContext, arms: Arms, module: Node, rows: _AdverseEventRows
) -> EventGroups:
    """The event groups bound to arms, each with its totals as aggregate rows."""
    taken: set[str] = set()
    groups: EventGroups = {}
    for group in module.nodes("eventGroups"):
        group_id, arm = arms.group(group, taken)
        if group_id is None:
            continue
        if group_id in groups:
            context.issues.add((*group.path, "id"), f"group {group_id} is listed twice")
            continue
        groups[group_id] = (group, arm)
        for prefix, total, category in _AE_TOTALS:
            affected = group.whole(f"{prefix}NumAffected")
            at_risk = group.whole(f"{prefix}NumAtRisk")
            if affected is None and at_risk is None:
                continue
            rows.add(
                arm,
                total,
                "",
                category,
                {
                    "is_aggregate": True,
                    **checked_counts(
                        group,
                        (f"{prefix}NumAffected", affected),
                        (f"{prefix}NumAtRisk", at_risk),
                        ("", None),
                    ),
                },
                (*group.path, f"{prefix}NumAffected"),
                {},
            )
    return groups


def _term_rows(
    rows: _AdverseEventRows,
    event: Node,
    category: AdverseEventCategory,
    prefix: str,
    groups: EventGroups,
) -> None:
    """One term's counts in each event group it names; a group that gives no number at risk
    for the term has the group's own."""
    term = event.required("term", "the adverse-event term")
    if term is None:
        return
    organ = event.text("organSystem") or ""
    label = rows.term_label(organ, category, term)
    counted: set[str] = set()
    assessment = event.text("assessmentType")
    note = join_notes(
        event.text("notes"),
        "non-systematic assessment" if assessment == "NON_SYSTEMATIC_ASSESSMENT" else None,
    )
    vocabulary = event.text("sourceVocabulary")
    template: AdverseEventRecord | None = None  # the term's first row validated in full
    for stat in event.nodes("stats"):
        found = stat.group_in(
            groups,
            counted,
            missing="the event group's id",
            among="the event groups",
            twice="is counted twice for this term",
        )
        if found is None:
            continue
        _, (group, arm) = found
        at_risk = stat.whole("numAtRisk")
        if at_risk is None and "numAtRisk" not in stat.data:
            at_risk = group.whole(f"{prefix}NumAtRisk")
        counts = checked_counts(
            stat,
            ("numAffected", stat.whole("numAffected")),
            ("numAtRisk", at_risk),
            ("numEvents", stat.whole("numEvents")),
        )
        if template is not None and rows.add_like(template, arm, counts, stat.path):
            continue
        record = rows.add(
            arm,
            label,
            organ,
            category,
            {"vocabulary": vocabulary, **counts, "note": note},
            stat.path,
            _EVENT_FIELDS,
        )
        template = template or record


Count = tuple[str, int | None]  # the registry field of a count (or ''), and the count


def checked_counts(node: Node, affected: Count, at_risk: Count, events: Count) -> dict[str, Any]:
    """The count fields of a row: a negative count, or more participants affected than at
    risk, is kept as the registry's text with no number (and noted)."""
    fields: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    for name, (_, count) in (
        ("participants_affected", affected),
        ("participants_at_risk", at_risk),
        ("event_count", events),
    ):
        if count is not None and count < 0:
            reasons[name] = "a count cannot be negative"
        fields[name] = count
    if (
        "participants_affected" not in reasons
        and fields["participants_affected"] is not None
        and fields["participants_at_risk"] is not None
        and fields["participants_affected"] > fields["participants_at_risk"]
    ):
        reasons["participants_affected"] = (
            f"more participants affected than at risk ({fields['participants_at_risk']})"
        )
    keys = {"participants_affected": affected[0], "participants_at_risk": at_risk[0]}
    keys["event_count"] = events[0]
    for name, reason in reasons.items():
        text = str(fields[name])
        fields[name] = None
        fields[f"{name}_raw"] = text
        # A group's own number at risk, used for a term that gives none, is noted there.
        node.issues.keep((*node.path, keys[name] or name), text, reason)
    return fields
