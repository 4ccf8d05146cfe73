"""A validated record on its way to the database, and where it came from.

Seed files and ClinicalTrials.gov records both become `Bundle`s; the loader takes nothing else.
A bundle remembers how to point at its own input (file and line for YAML, file and JSON path
for a registry record), so problems found later, against other files or the database, are
reported in the same words as a schema error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evidencedb.enums import SourceOrigin
from evidencedb.errors import Problem
from evidencedb.records.hints import fix_for
from evidencedb.records.history import TrialVersionRecord
from evidencedb.records.location import Location, format_location
from evidencedb.records.trial_file import TrialFile

LineLookup = Callable[[Location], int | None]
# Keys declared by items that failed validation, by section ("sources", "interventions",
# "trials", "arms", "endpoints"): a reference to one of them is not reported as unknown.
DeclaredKeys = dict[str, set[str]]


def _no_lines(_location: Location) -> int | None:
    return None


@dataclass
class Bundle:
    data: TrialFile
    origin: SourceOrigin
    file: str
    line_of: LineLookup = _no_lines
    base_dir: Path | None = None  # where relative document paths are resolved
    location_prefix: Location = field(default_factory=tuple)
    # For a registry record: the version it is, kept in `trial_versions` beside the others.
    registry_version: TrialVersionRecord | None = None
    # For a partly valid seed file (items that failed were set aside): the index in the file
    # of each item kept, by section, so that locations name the file's own items.
    original_indexes: dict[str, list[int]] = field(default_factory=dict)

    def problem(self, location: Location, message: str) -> Problem:
        location = self._in_file(location)
        full = (*self.location_prefix, *location)
        return Problem(self.file, self.line_of(location), format_location(full), message)

    def where(self, location: Location) -> str:
        """`location` as a message names it: file, line and path."""
        problem = self.problem(location, "")
        line = "" if problem.line is None else f":{problem.line}"
        return f"{problem.file}{line} {problem.path}"

    def _in_file(self, location: Location) -> Location:
        if len(location) >= 2 and isinstance(location[1], int):
            kept = self.original_indexes.get(str(location[0]))
            if kept is not None:
                return (location[0], kept[location[1]], *location[2:])
        return location


def pydantic_problems(
    error: ValidationError, make: Callable[[Location, str], Problem]
) -> list[Problem]:
    """One Problem per pydantic error, each with its location and the offending value."""
    problems = []
    for detail in error.errors(include_url=False):
        location: Location = tuple(detail["loc"])
        message = detail["msg"]
        shows_input = detail["type"] not in ("missing", "value_error", "extra_forbidden")
        if shows_input and _is_short(detail.get("input")):
            message = f"{detail['input']!r}: {message}"
        hint = fix_for(location, detail.get("input"))
        if hint:
            message = f"{message}; {hint}"
        problems.append(make(location, message))
    return problems


def _is_short(value: Any) -> bool:
    if isinstance(value, int) and abs(value) >= 10**80:
        return False  # repr() refuses integers of thousands of digits
    return isinstance(value, str | int | float | bool) and len(repr(value)) <= 80
