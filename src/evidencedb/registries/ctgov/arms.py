"""Arm matching: the protocol's arm groups, and the results groups bound to them.

A results group (OG000, EG001, ...) becomes the arm of the protocol's arm group that is the
same group, tried in this order, each only when exactly one arm answers:

- title: the same title, ignoring case, spacing, a leading "1." numbering, and remarks in
  parentheses ("Placebo (FAS)" is "Placebo");
- description: the same description;
- interventions: the one arm whose interventions the group's title and description name
  (all of them, and no other arm's);
- group_id: the same group id (the number of OG001, EG001, FG001, BG001) as a group already
  bound to an arm in another module of the results, when the two titles share a word;

else it is an arm of its own, with no role (a guessed role would be worse than none). A title
seen in outcomes and in adverse events is one arm. The arm records how it was bound
(`match_basis`). A participant-flow group only gives an existing arm its number enrolled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from evidencedb.enums import ArmRole, MatchBasis
from evidencedb.registries.ctgov.counts import read_count
from evidencedb.registries.ctgov.keys import UniqueKeys, normal_title
from evidencedb.registries.ctgov.reader import JsonPath, Node


@dataclass
class Arm:
    """An arm as mapping gathers it, before it becomes a record."""

    key: str
    label: str
    role: ArmRole | None
    description: str | None
    path: JsonPath  # of the arm group or results group it came from
    from_protocol: bool
    n_enrolled: int | None = None
    # intervention key -> the path of the field that links the two
    interventions: dict[str, JsonPath] = field(default_factory=dict)
    intervention_names: list[str] = field(default_factory=list)
    match_basis: MatchBasis | None = None  # how a results group was bound to it


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.casefold()))


def loose_title(title: str) -> str:
    """Without a leading enumeration: "2. Repaglinide" and "Repaglinide" are one group."""
    return re.sub(r"^\(?\d+[.):]?\s+", "", normal_title(title))


_GROUP_WORDS = r"(arm|group|cohort)"


def bare_title(title: str) -> str:
    """Its words only, without remarks in parentheses or brackets and without "arm" or "group"
    at either end: "Placebo (FAS)", "Placebo Group" and "Placebo®" are "placebo"."""
    text = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", loose_title(title))
    words = " ".join(re.findall(r"[a-z0-9]+", text))
    return re.sub(rf"^{_GROUP_WORDS}\s+|\s+{_GROUP_WORDS}$", "", words)


def head_title(title: str) -> str:
    """The part before a colon or a dash: "Arm I - Genistein" and "Test 1: 100 mg" name the
    protocol's "Arm I" and "Test 1"; a title with neither is returned whole."""
    head = re.split(r":|\s[-–]\s", title, maxsplit=1)[0]
    return bare_title(head) if head.strip() else bare_title(title)


# How a results group's title is compared with an arm's label, in order: (title, label).
_TITLE_RULES = (
    (normal_title, normal_title),
    (loose_title, loose_title),
    (bare_title, bare_title),
    (head_title, bare_title),
)


def _group_number(group_id: str | None) -> str | None:
    found = re.fullmatch(r"[A-Z]+(\d+)", group_id or "")
    return found[1] if found else None


class Arms:
    """The arms of one study, in the order they were found."""

    def __init__(self) -> None:
        self.arms: list[Arm] = []
        self.keys = UniqueKeys()
        # group number -> (module prefix, arm) of groups bound to a protocol arm
        self.numbers: dict[str, tuple[str, Arm]] = {}

    def add(
        self,
        label: str,
        role: ArmRole | None,
        description: str | None,
        path: JsonPath,
        *,
        from_protocol: bool,
        fallback_key: str,
    ) -> Arm:
        arm = Arm(
            self.keys.make(label, fallback_key), label, role, description, path, from_protocol
        )
        self.arms.append(arm)
        return arm

    def find(self, title: str, taken: Iterable[str] = ()) -> Arm | None:
        """The one arm with this title (exactly, else without numbering or remarks), not yet
        taken."""
        excluded = set(taken)
        for normalise, of_arm in _TITLE_RULES:
            wanted = normalise(title)
            found = [
                arm
                for arm in self.arms
                if arm.key not in excluded and wanted and of_arm(arm.label) == wanted
            ]
            if len(found) == 1:
                return found[0]
            if found:
                return None  # ambiguous: a group of its own is safer than a wrong arm
        return None

    def _one(self, found: list[Arm]) -> Arm | None:
        return found[0] if len(found) == 1 else None

    def _match(
        self, group_id: str | None, title: str, description: str | None, taken: set[str]
    ) -> tuple[Arm | None, MatchBasis]:
        """The arm a results group is, and how that was told."""
        arm = self.find(title, taken)
        if arm is not None:
            return arm, MatchBasis.TITLE
        free = [arm for arm in self.arms if arm.from_protocol and arm.key not in taken]
        wanted = normal_title(description or "")
        if wanted:
            arm = self._one([a for a in free if normal_title(a.description or "") == wanted])
            if arm is not None:
                return arm, MatchBasis.DESCRIPTION
        text = _words(f"{title} {description or ''}")
        arm = self._one(
            [
                a
                for a in free
                if a.intervention_names
                and all(_words(name) <= text for name in a.intervention_names)
            ]
        )
        if arm is not None and all(
            not all(_words(name) <= text for name in other.intervention_names)
            or other.intervention_names == arm.intervention_names
            for other in self.arms
            if other.from_protocol and other is not arm and other.intervention_names
        ):
            return arm, MatchBasis.INTERVENTIONS
        number = _group_number(group_id)
        if number is not None and number in self.numbers:
            module, arm = self.numbers[number]
            same_module = (group_id or "").startswith(module)
            shares_word = bool(_words(bare_title(arm.label)) & _words(bare_title(title)))
            if not same_module and arm.key not in taken and shares_word:
                return arm, MatchBasis.GROUP_ID
        return None, MatchBasis.NONE

    def group(self, node: Node, taken: set[str]) -> tuple[str | None, Arm]:
        """The arm of a results group (OG000, EG001, ...), created when no arm matches."""
        group_id = node.required("id", "the group's id")
        title = node.text("title") or group_id or "group"
        description = node.text("description")
        arm, basis = self._match(group_id, title, description, taken)
        if arm is None:
            arm = self.add(
                title,
                None,
                description,
                node.path,
                from_protocol=False,
                fallback_key=group_id or "group",
            )
        if arm.match_basis is None:
            arm.match_basis = basis
        number = _group_number(group_id)
        if arm.from_protocol and number is not None and group_id:
            self.numbers.setdefault(number, (group_id.rstrip("0123456789"), arm))
        taken.add(arm.key)
        return group_id, arm

    def count_enrolled(self, flow: Node | None) -> None:
        """Each arm's number enrolled: how many STARTED its participant-flow group, in the
        first period the group has participants in. A group that begins after a screening or
        run-in period STARTED 0 in that period (NCT01026818: 0 in screening, 139 in the
        double-blind period), and 0 is not its size."""
        if flow is None:
            return
        started = _started_counts(flow)
        if not started:
            return
        taken: set[str] = set()
        for group in flow.nodes("groups"):
            group_id, title = group.text("id"), group.text("title")
            if group_id is None or title is None or group_id not in started:
                continue
            # Only counts for arms that exist: a flow group never becomes an arm by itself.
            arm, basis = self._match(group_id, title, group.text("description"), taken)
            if arm is not None:
                if arm.match_basis is None:
                    arm.match_basis = basis
                taken.add(arm.key)
                if arm.n_enrolled is None:
                    arm.n_enrolled = started[group_id]


def _started_counts(flow: Node) -> dict[str, int]:
    """By flow group id, its STARTED count in the first period where it is not 0."""
    started: dict[str, int] = {}
    for period in flow.nodes("periods"):
        for milestone in period.nodes("milestones"):
            if milestone.text("type") != "STARTED":
                continue
            for achievement in milestone.nodes("achievements"):
                group_id = achievement.text("groupId")
                # Read leniently: a count the registry writes "1,864" or "NA" is the flow's to
                # keep as text (`flow`), never a reason to refuse the record.
                count = read_count(achievement.text("numSubjects"))[0]
                if group_id is not None and count is not None and not started.get(group_id):
                    started[group_id] = count
    return started
