"""Typed reading of a study's JSON: each wrong type or missing field noted with its path."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from evidencedb.errors import Problem, Reject, RejectOutcome
from evidencedb.registries.ctgov.files import StudyInput
from evidencedb.registries.ctgov.values import RegistryNumber, Rule, parse_number

JsonPath = tuple[str | int, ...]
Group = TypeVar("Group")  # what a group id stands for: an arm, or an event group and its arm


class Issues:
    """The problems of one study, each located at a JSON path, in the order found; and the
    values kept as the registry's text (`kept`), which do not keep the study out."""

    def __init__(self, study: StudyInput) -> None:
        self.study = study
        self.problems: list[Problem] = []
        self.kept: list[Reject] = []
        self._seen: set[Problem] = set()

    def keep(self, path: JsonPath, text: str, reason: str) -> None:
        """A value the registry wrote that is stored as its text only (its NCT id is added
        when the study's mapping is done)."""
        where = self.study.problem(path, reason)
        self.kept.append(Reject(where.file, "", where.path, text, reason, RejectOutcome.KEPT_RAW))

    def add(self, path: JsonPath, message: str) -> None:
        # A field read twice (for a value and for a decision) is reported once.
        problem = self.study.problem(path, message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Problems located already (by record validation), kept as they come."""
        self.problems.extend(problems)


def json_type(value: Any) -> str:
    """A JSON value's type, in the words a problem message uses."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


@dataclass(frozen=True)
class Node:
    """An object of the study's JSON and where it is."""

    data: dict[str, Any]
    path: JsonPath
    issues: Issues

    # The readers below test the JSON type inline rather than through one generic helper:
    # they run about a million times on a large import, and a call per read was a tenth of
    # the mapping's time.

    def _wrong_type(self, key: str, expected: str, value: Any) -> None:
        self.issues.add((*self.path, key), f"expected {expected}, not {json_type(value)}")

    def node(self, key: str) -> Node | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self._wrong_type(key, "an object", value)
            return None
        return Node(value, (*self.path, key), self.issues)

    def _list(self, key: str) -> list[Any]:
        """The list at `key`; [] when absent, or not a list (a problem then)."""
        values = self.data.get(key)
        if values is None:
            return []
        if not isinstance(values, list):
            self._wrong_type(key, "a list", values)
            return []
        return values

    def nodes(self, key: str) -> list[Node]:
        values = self._list(key)
        path, issues = self.path, self.issues
        found = []
        for index, value in enumerate(values):
            if isinstance(value, dict):
                found.append(Node(value, (*path, key, index), issues))
            else:
                message = f"expected an object, not {json_type(value)}"
                issues.add((*path, key, index), message)
        return found

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self._wrong_type(key, "a string", value)
            return None
        return value.strip() or None

    def required(self, key: str, what: str) -> str | None:
        """A string the record must have: missing is a problem (so is a wrong type, once)."""
        value = self.text(key)
        raw = self.data.get(key)
        if value is None and (raw is None or isinstance(raw, str)):
            self.issues.add((*self.path, key), f"missing: {what}")
        return value

    def group_in(
        self,
        groups: Mapping[str, Group],
        seen: set[str],
        *,
        missing: str,
        among: str,
        twice: str,
    ) -> tuple[str, Group] | None:
        """This node's `groupId` and what it names among `groups`, once per `seen`. A missing id
        (`missing`: what it is), an id not among them (`among`: what they are) and one already
        in `seen` (`twice`: what that means) are problems."""
        group_id = self.required("groupId", missing)
        if group_id is None:
            return None
        found = groups.get(group_id)
        if found is None:
            message = f"group {group_id!r} is not among {among}"
            self.issues.add((*self.path, "groupId"), message)
            return None
        if group_id in seen:
            self.issues.add((*self.path, "groupId"), f"group {group_id} {twice}")
            return None
        seen.add(group_id)
        return group_id, found

    def texts(self, key: str) -> list[tuple[int, str]]:
        values = self._list(key)
        found = []
        for index, value in enumerate(values):
            if isinstance(value, str):
                if value.strip():
                    found.append((index, value.strip()))
            else:
                message = f"expected a string, not {json_type(value)}"
                self.issues.add((*self.path, key, index), message)
        return found

    def whole(self, key: str) -> int | None:
        """A JSON integer (counts of the adverse-events module, enrollment)."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self._wrong_type(key, "a whole number", value)
            return None
        return value

    def number(self, key: str, *rules: Rule) -> RegistryNumber:
        """A number written as text: words, placeholders and values that break one of
        `rules` give no number, their text kept (and noted)."""
        number = parse_number(self.text(key))
        for rule in rules:
            number = number.checked(rule)
        self.kept(key, number)
        return number

    def kept(self, key: str, number: RegistryNumber) -> None:
        """Notes a number of this node's `key` refused (by reading, or by a rule checked
        across fields after reading)."""
        if number.refused is not None and number.text is not None:
            self.issues.keep((*self.path, key), number.text, number.refused)

    def whole_text(self, key: str) -> int | None:
        """A string holding a whole number (the registry's denominators: "92", "1,864"); any
        other text is kept as the registry's, with no number."""
        text = self.text(key)
        if text is None:
            return None
        digits = text.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", text) else text
        # Ten digits at most: a count beyond that is no count, and int() of a string of more
        # than 4300 digits raises.
        if not re.fullmatch(r"[0-9]{1,10}", digits):
            self.issues.keep((*self.path, key), text, "not a whole number")
            return None
        return int(digits)


def objects(value: Any, key: str) -> list[dict[str, Any]]:
    """The objects of a list, read leniently (the typed reading reports what is wrong)."""
    items = value.get(key) if isinstance(value, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
