"""A study file parsed as `json.loads` parses it, with the text of each study it holds.

A study's text (its characters in the file, exactly as they stand) is what a re-import
hashes first: when that digest is the one stored with the record, the record is unchanged and
is skipped without serialising it again for its canonical digest (`files.canonical_sha256`),
which costs more than parsing it.

Only the top of the document is walked here, in the shapes a study file has (a study, a
page of `/studies`, a list of studies); every value below is parsed by `json`'s own decoder.
"""

from __future__ import annotations

import json
import re
from typing import Any

from evidencedb.records.location import Location

_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as json.loads skips it
_DECODER = json.JSONDecoder()


class _NotFollowed(ValueError):
    """The scan met something it does not handle: json.loads says what is wrong, if anything."""


def parse_with_study_texts(text: str) -> tuple[Any, dict[Location, str]]:
    """`json.loads(text)`, and the text of each study in it by location: `()` for a document
    that is one object, `(i,)` for the items of a list, `("studies", i)` for those of a
    page's `studies` list. Errors are json.loads's own: a document the scan cannot follow is
    parsed again by json.loads, which raises them (or, should the scan be wrong about a valid
    document, returns it with no texts, so that only the canonical digest is used)."""
    try:
        return _scan(text)
    except (ValueError, RecursionError):  # json.JSONDecodeError is a ValueError
        return json.loads(text), {}


def _scan(text: str) -> tuple[Any, dict[Location, str]]:
    start = _skip(text, 0)
    document: Any
    if text.startswith("[", start):
        document, spans, end = _array(text, start)
        texts: dict[Location, str] = {(i,): text[a:b] for i, (a, b) in enumerate(spans)}
    elif text.startswith("{", start):
        document, study_spans, end = _object(text, start)
        if study_spans is None:
            texts = {(): text[start:end]}
        else:
            texts = {("studies", i): text[a:b] for i, (a, b) in enumerate(study_spans)}
    else:
        raise _NotFollowed("not an object or a list")
    if _skip(text, end) != len(text):
        raise _NotFollowed("extra data")
    return document, texts


def _skip(text: str, at: int) -> int:
    found = _WHITESPACE.match(text, at)
    assert found is not None  # the pattern matches the empty string
    return found.end()


def _past_item(text: str, at: int, closer: str) -> tuple[int, bool]:
    """Past the comma or the `closer` that follows an item of a list or an object: where the
    next item starts, or where the container ends, and whether it ended."""
    at = _skip(text, at)
    if text.startswith(",", at):
        return _skip(text, at + 1), False
    if text.startswith(closer, at):
        return at + 1, True
    raise _NotFollowed(f"expected ',' or '{closer}'")


def _array(text: str, at: int) -> tuple[list[Any], list[tuple[int, int]], int]:
    """The list starting at `text[at]` ("["), its items' spans, and where it ends."""
    items: list[Any] = []
    spans: list[tuple[int, int]] = []
    at = _skip(text, at + 1)
    if text.startswith("]", at):
        return items, spans, at + 1
    while True:
        item, end = _DECODER.raw_decode(text, at)
        items.append(item)
        spans.append((at, end))
        at, ended = _past_item(text, end, "]")
        if ended:
            return items, spans, at


def _object(text: str, at: int) -> tuple[dict[str, Any], list[tuple[int, int]] | None, int]:
    """The object starting at `text[at]` ("{"), the spans of its `studies` list's items if it
    has such a list, and where it ends. A repeated key keeps its last value, as in json.loads."""
    members: dict[str, Any] = {}
    study_spans: list[tuple[int, int]] | None = None
    at = _skip(text, at + 1)
    if text.startswith("}", at):
        return members, None, at + 1
    while True:
        if not text.startswith('"', at):
            raise _NotFollowed("expected a key")
        key, at = _DECODER.raw_decode(text, at)
        at = _skip(text, at)
        if not text.startswith(":", at):
            raise _NotFollowed("expected ':'")
        at = _skip(text, at + 1)
        if key == "studies" and text.startswith("[", at):
            value, study_spans, at = _array(text, at)
        else:
            value, at = _DECODER.raw_decode(text, at)
            if key == "studies":
                study_spans = None
        members[key] = value
        at, ended = _past_item(text, at, "}")
        if ended:
            return members, study_spans, at
