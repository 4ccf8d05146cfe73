"""The input files a user names: files as given, folders expanded, in a stable order.

Seed files and registry records are both read from paths given on the command line; this
sits below both readers so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from evidencedb.errors import Problem, ValidationFailed


def expand_paths(paths: Iterable[Path], suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files named, and the matching files of folders named, in a stable (sorted) order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in suffixes and p.is_file())
        elif path.exists():
            yield path
        else:
            raise ValidationFailed([Problem(str(path), None, "", "no such file or folder")])
