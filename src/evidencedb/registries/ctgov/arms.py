"""Arm matching: the protocol's arm groups, and results groups bound to them by title.

A results group (OG000, EG001, ...) becomes the arm of the protocol's arm group with the same
title (ignoring case, spacing and a leading "1." numbering), or an arm of its own; a title seen
in outcomes and in adverse events is one arm. A participant-flow group only gives an existing
arm its number enrolled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from evidencedb.enums import ArmRole
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


def loose_title(title: str) -> str:
    """Without a leading enumeration: "2. Repaglinide" and "Repaglinide" are one group."""
    return re.sub(r"^\(?\d+[.):]?\s+", "", normal_title(title))


class Arms:
    """The arms of one study, in the order they were found."""

    def __init__(self) -> None:
        self.arms: list[Arm] = []
        self.keys = UniqueKeys()

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
        """The one arm with this title (exactly, else without numbering), not yet taken."""
        excluded = set(taken)
        for normalise in (normal_title, loose_title):
            wanted = normalise(title)
            found = [
                arm
                for arm in self.arms
                if arm.key not in excluded and normalise(arm.label) == wanted
            ]
            if len(found) == 1:
                return found[0]
            if found:
                return None  # ambiguous: a group of its own is safer than a wrong arm
        return None

    def group(self, node: Node, taken: set[str]) -> tuple[str | None, Arm]:
        """The arm of a results group (OG000, EG001, ...), created when no arm matches."""
        group_id = node.required("id", "the group's id")
        title = node.text("title") or group_id or "group"
        arm = self.find(title, taken)
        if arm is None:
            arm = self.add(
                title,
                None,
                node.text("description"),
                node.path,
                from_protocol=False,
                fallback_key=group_id or "group",
            )
        taken.add(arm.key)
        return group_id, arm

    def count_enrolled(self, flow: Node | None) -> None:
        """Each arm's number enrolled: how many STARTED its participant-flow group."""
        if flow is None:
            return
        periods = flow.nodes("periods")
        if not periods:
            return
        started: dict[str, int] = {}
        for milestone in periods[0].nodes("milestones"):
            if milestone.text("type") != "STARTED":
                continue
            for achievement in milestone.nodes("achievements"):
                group_id = achievement.text("groupId")
                count = achievement.whole_text("numSubjects")
                if group_id is not None and count is not None:
                    started[group_id] = count
        taken: set[str] = set()
        for group in flow.nodes("groups"):
            group_id, title = group.text("id"), group.text("title")
            if group_id is None or title is None or group_id not in started:
                continue
            # Only counts for arms that exist: a flow group never becomes an arm by itself.
            arm = self.find(title, taken)
            if arm is not None:
                taken.add(arm.key)
                if arm.n_enrolled is None:
                    arm.n_enrolled = started[group_id]
