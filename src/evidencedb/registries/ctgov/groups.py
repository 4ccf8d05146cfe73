"""Baseline and participant-flow groups bound to arms: by title, else by their group number.

The registry numbers one arm's groups alike across modules (BG000, FG000, OG000, EG000 are the
first arm in each), while titles differ ("Patients Who Received Placebo" in baseline, "Placebo"
elsewhere). A group whose title matches no arm takes the arm that a group of the same number in
another module matches by title; otherwise it becomes an arm of its own (Total does).
"""

from __future__ import annotations

import re

from evidencedb.registries.ctgov.arms import Arm, Arms
from evidencedb.registries.ctgov.reader import Node

_GROUP_NUMBER = re.compile(r"^[A-Z]{2}(\d+)$")
TOTAL = "total"  # the baseline module's group of every participant: an arm of no other module


def _number(group_id: str | None) -> str | None:
    found = _GROUP_NUMBER.match(group_id or "")
    return found[1] if found else None


def bind_groups(arms: Arms, module: Node, others: list[Node | None]) -> dict[str, Arm]:
    """Group id -> arm for the groups of `module`; `others` are the results modules whose
    groups (under `groups` or `eventGroups`) may share a number with them."""
    titles_by_number: dict[str, list[str]] = {}
    for other in others:
        if other is None:
            continue
        for key in ("groups", "eventGroups"):
            for listed in _listed(other, key):
                number, title = _number(str(listed.get("id"))), listed.get("title")
                if number is not None and isinstance(title, str):
                    titles_by_number.setdefault(number, []).append(title)
    taken: set[str] = set()
    bound: dict[str, Arm] = {}
    for group in module.nodes("groups"):
        title = group.text("title") or ""
        arm = arms.find(title, taken)
        number = _number(group.text("id"))
        if arm is None and number is not None and title.casefold() != TOTAL:
            for other_title in titles_by_number.get(number, []):
                arm = arms.find(other_title, taken)
                if arm is not None:
                    break
        if arm is not None:
            taken.add(arm.key)
            group_id = group.text("id")
        else:
            group_id, arm = arms.group(group, taken)
        if group_id is not None:
            bound.setdefault(group_id, arm)
    return bound


def _listed(module: Node, key: str) -> list[dict[str, object]]:
    """The objects of a list, read leniently: its own module reports what is wrong with it."""
    items = module.data.get(key)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
