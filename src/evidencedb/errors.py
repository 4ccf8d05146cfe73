"""One exception family for everything a user can fix.

`EvidenceError` and its subclasses carry a message written for the user; the CLI prints it
on one line and exits 1. Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class EvidenceError(Exception):
    """A problem the user can fix: bad input, a missing database, a refused statement."""


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in an input file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class RejectOutcome:
    """What became of a registry value or record that could not be taken as it stands."""

    KEPT_RAW = "value kept as text"  # the record is imported; the value's column is NULL
    RECORD_SKIPPED = "record skipped"
    FILE_SKIPPED = "file skipped"  # not a study record, or not readable


@dataclass(frozen=True, order=True)
class Reject:
    """One registry value or record not taken as it stands: where it is (file, NCT id, JSON
    path), the registry's text, why, and what became of it. Listed by `import --rejects`."""

    file: str
    nct_id: str  # '' when unknown
    path: str
    value: str  # the registry's text; '' for a record or a file
    reason: str
    outcome: str

    def as_problem(self) -> Problem:
        shown = f"{self.value!r}: {self.reason}" if self.value else self.reason
        return Problem(self.file, None, self.path, shown)


class ValidationFailed(EvidenceError):
    """Input that was refused, with every problem found in one pass."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        first = str(self.problems[0]) if self.problems else "invalid input"
        more = len(self.problems) - 1
        super().__init__(first if more == 0 else f"{first} (and {more} more problem(s))")


class DatabaseNotReady(EvidenceError):
    """The database is missing or not at the revision this version of evidencedb expects."""


class DatabaseReadOnly(EvidenceError):
    """The database refused a write: the login (or the file) may only read."""


class DatabaseUnavailable(EvidenceError):
    """The database cannot be reached: wrong host, port, name, role or password."""


class NotFound(EvidenceError):
    """A key that names nothing in the database."""
