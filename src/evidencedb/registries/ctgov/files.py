"""Reading ClinicalTrials.gov API v2 study JSON: files, folders, pages, bulk-download ZIPs.

Inputs are listed up front (cheap: names only) and read one at a time, so a run over the bulk
download holds one study, or one page of studies, in memory, never the corpus. ZIP members are
streamed out of the archive; nothing is unpacked to disk.

A file may hold
- one study (`{"protocolSection": ..., "resultsSection": ...}`), as the API's `/studies/{nct}`
  endpoint and the bulk download give it;
- a page of the `/studies` endpoint (`{"studies": [...], "nextPageToken": ...}`);
- a plain list of studies.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.input_paths import expand_paths
from evidencedb.records.location import Location, format_location
from evidencedb.registries.ctgov.study_texts import parse_with_study_texts

SUFFIXES = (".json", ".zip")
# A study record is rarely above 2 MB; a member far larger is not one (or is a ZIP bomb).
MAX_MEMBER_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class StudyInput:
    """One study as read: its JSON, and how to point at it in problems."""

    file: str  # the input as messages name it: a path, or `archive.zip/member.json`
    prefix: Location  # where the study sits in that file: () or ("studies", 3)
    data: Any
    # SHA-256 of the study's text as it stands in the file (see `study_texts`); None when the
    # study was not read from a file's text.
    text_sha256: str | None = None

    @functools.cached_property
    def sha256(self) -> str:
        """SHA-256 of the study's canonical JSON (see `canonical_sha256`), computed when first
        asked for: a re-import that finds the study's text unchanged never needs it."""
        return canonical_sha256(self.data)

    def problem(self, path: Location, message: str) -> Problem:
        """A problem at `path` inside the study, located from the top of its file."""
        return Problem(self.file, None, format_location((*self.prefix, *path)), message)


def canonical_sha256(data: Any) -> str:
    """SHA-256 of a study's JSON with sorted keys and no insignificant whitespace.

    Hashing the canonical form rather than the file's bytes gives one study the same digest
    whether it came alone, inside a page of `/studies` or out of the bulk ZIP, and whatever
    the indentation; any change of content changes it.
    """
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Escapes that json.loads turns into characters no database column can hold: NUL (PostgreSQL
# refuses it in text) and unpaired surrogates (not encodable as UTF-8). Only a file that has
# one of these escapes is walked, which keeps the common path to one scan of the bytes.
_MAYBE_UNSTORABLE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable_text(node: Any, path: Location = ()) -> tuple[Location, str] | None:
    """Where the first key or string holding NUL or a lone surrogate is, and which it is."""
    if isinstance(node, str):
        found = _UNSTORABLE.search(node)
        if found is None:
            return None
        code = ord(found.group())
        return path, "a NUL character" if code == 0 else f"a lone surrogate (U+{code:04X})"
    if isinstance(node, dict):
        items: Iterable[tuple[Any, Any]] = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return None
    for key, child in items:
        found_below = _unstorable_text(key, (*path, key)) if isinstance(key, str) else None
        found_below = found_below or _unstorable_text(child, (*path, key))
        if found_below is not None:
            return found_below
    return None


@dataclass(frozen=True)
class Entry:
    """A file to read: a plain JSON file, or one member of a ZIP archive."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        return str(self.path) if self.member is None else f"{self.path}/{self.member}"


class StudyFiles:
    """The files and folders named by the user, expanded into entries, read one by one.

    Use as a context manager: ZIP archives stay open while their members are read.
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        self._archives: dict[Path, zipfile.ZipFile] = {}
        self.entries: list[Entry] = []
        problems: list[Problem] = []
        try:
            for path in expand_paths(paths, SUFFIXES):
                if zipfile.is_zipfile(path):
                    problems.extend(self._list_archive(path))
                else:
                    self.entries.append(Entry(path))
        except BaseException:
            self.close()
            raise
        if problems:
            self.close()
            raise ValidationFailed(problems)
        if not self.entries:
            self.close()
            named = ", ".join(map(str, paths))
            raise ValidationFailed([Problem(named, None, "", "no study files (.json, .zip) found")])

    def total_bytes(self) -> int:
        """The size of every entry, uncompressed: how much there is to read and map."""
        total = 0
        for entry in self.entries:
            try:
                if entry.member is None:
                    total += entry.path.stat().st_size
                else:
                    total += self._archives[entry.path].getinfo(entry.member).file_size
            except (OSError, KeyError):
                continue  # reading it will report the problem
        return total

    def _list_archive(self, path: Path) -> list[Problem]:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            return [Problem(str(path), None, "", f"cannot open the ZIP archive: {error}")]
        self._archives[path] = archive
        members = [
            info.filename
            for info in archive.infolist()
            if not info.is_dir() and info.filename.lower().endswith(".json")
        ]
        self.entries.extend(Entry(path, member) for member in members)
        return []

    def __enter__(self) -> StudyFiles:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for archive in self._archives.values():
            archive.close()
        self._archives.clear()

    def read(self, entry: Entry) -> Iterator[StudyInput | Problem]:
        """The studies of one entry, or the problems that keep it from being read."""
        label = entry.label
        raw = self._bytes(entry)
        if isinstance(raw, Problem):
            yield raw
            return
        try:
            # Decoded strictly first: json.loads(bytes) lets UTF-8-encoded surrogates through.
            document, texts = parse_with_study_texts(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            yield Problem(label, None, "", f"not valid UTF-8 text (byte {error.start})")
            return
        except json.JSONDecodeError as error:
            yield Problem(
                label, error.lineno, "", f"invalid JSON: {error.msg} (column {error.colno})"
            )
            return
        except RecursionError:
            yield Problem(label, None, "", "invalid JSON: nested too deeply")
            return
        except ValueError as error:  # an integer beyond Python's 4300-digit conversion limit
            yield Problem(label, None, "", f"invalid JSON: {error}")
            return
        if _MAYBE_UNSTORABLE.search(raw):
            location = _unstorable_text(document)
            if location is not None:
                path, what = location
                yield Problem(label, None, format_location(path), f"holds {what}")
                return
        yield from studies_in(label, document, texts)

    def _bytes(self, entry: Entry) -> bytes | Problem:
        label = entry.label
        try:
            if entry.member is None:
                return entry.path.read_bytes()
            archive = self._archives[entry.path]
            info = archive.getinfo(entry.member)
            if info.file_size > MAX_MEMBER_BYTES:
                limit = MAX_MEMBER_BYTES // (1024 * 1024)
                return Problem(label, None, "", f"larger than {limit} MB: not a study record")
            with archive.open(info) as member:
                return member.read()
        except OSError as error:
            return Problem(label, None, "", f"cannot read: {error.strerror or error}")
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
            return Problem(label, None, "", f"cannot read from the ZIP archive: {error}")


def studies_in(
    label: str, document: Any, texts: Mapping[Location, str]
) -> Iterator[StudyInput | Problem]:
    """The studies of a parsed file (a study, a page of `/studies`, or a list of studies),
    with their texts in the file by location where known (see `study_texts`)."""
    if isinstance(document, dict) and "protocolSection" in document:
        yield _study(label, (), document, texts)
        return
    if isinstance(document, dict) and "studies" in document:
        studies = document["studies"]
        if not isinstance(studies, list):
            yield Problem(label, None, "studies", "expected a list of studies")
            return
        for index, study in enumerate(studies):
            yield _study(label, ("studies", index), study, texts)
        return
    if isinstance(document, list):
        for index, study in enumerate(document):
            yield _study(label, (index,), study, texts)
        return
    yield Problem(
        label,
        None,
        "",
        "not a ClinicalTrials.gov API v2 study (no protocolSection) "
        "nor a page of studies (no studies list)",
    )


def _study(
    label: str, prefix: Location, data: Any, texts: Mapping[Location, str]
) -> StudyInput | Problem:
    if not isinstance(data, dict):
        return Problem(label, None, format_location(prefix), "expected a study object")
    text = texts.get(prefix)
    digest = None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()
    return StudyInput(label, prefix, data, digest)
