"""A validated record on its way to the database, and where it came from.

Seed files and ClinicalTrials.gov records both become `Bundle`s; the loader takes nothing else.
A bundle remembers how to point at its own input (file and line for YAML, file and JSON path
for a registry record), so problems found later, against other files or the database, are
reported in the same words as a schema error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evidencedb.enums import SourceOrigin
from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.model import TrialFile, local_problems
from evidencedb.seedfiles.yamlfile import LocatedDocument, Location, format_location, read_yaml

LineLookup = Callable[[Location], int | None]


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

    def problem(self, location: Location, message: str) -> Problem:
        full = (*self.location_prefix, *location)
        return Problem(self.file, self.line_of(location), format_location(full), message)


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
        problems.append(make(location, message))
    return problems


def _is_short(value: Any) -> bool:
    if isinstance(value, int) and abs(value) >= 10**80:
        return False  # repr() refuses integers of thousands of digits
    return isinstance(value, str | int | float | bool) and len(repr(value)) <= 80


def validate_document(document: LocatedDocument, origin: SourceOrigin) -> Bundle:
    """Validate one parsed document into a Bundle, reporting every problem it has at once."""
    if not isinstance(document.data, dict):
        raise ValidationFailed([document.problem((), "a seed file must be a mapping at top level")])
    try:
        data = TrialFile.model_validate(document.data)
    except ValidationError as error:
        raise ValidationFailed(pydantic_problems(error, document.problem)) from None
    bundle = Bundle(data, origin, document.file, document.line_of)
    local = [bundle.problem(location, message) for location, message in local_problems(data)]
    if local:
        raise ValidationFailed(local)
    return bundle


SEED_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Iterable[Path], suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files named, and the matching files of folders named, in a stable (sorted) order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in suffixes and p.is_file())
        elif path.exists():
            yield path
        else:
            raise ValidationFailed([Problem(str(path), None, "", "no such file or folder")])


def read_seed_files(paths: Iterable[Path]) -> list[Bundle]:
    """Parse and validate seed files; every problem of every file is reported in one pass."""
    bundles: list[Bundle] = []
    problems: list[Problem] = []
    files = list(expand_paths(paths, SEED_SUFFIXES))
    if not files:
        raise ValidationFailed(
            [Problem(", ".join(map(str, paths)), None, "", "no seed files found")]
        )
    for path in files:
        try:
            bundle = validate_document(read_yaml(path), SourceOrigin.CURATED)
        except ValidationFailed as failure:
            problems.extend(failure.problems)
            continue
        bundle.base_dir = path.parent
        bundles.append(bundle)
    if problems:
        raise ValidationFailed(problems)
    return bundles
