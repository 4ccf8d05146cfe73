"""Provenance: a fact found by its natural key, the facts a derived one was computed from,
and the document of its source with the quote marked.

A fact's page is addressed by its natural key (`/provenance/results?trial=...&arm=...`), the
key a re-load keeps, so a link to it stays good across loads and is readable by a person;
`provenance_url` makes the link from a row of a flat view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias
from urllib.parse import quote, urlencode

from sqlalchemy import Connection, RowMapping

from evidencedb.enums import ComparisonOrigin
from evidencedb.errors import NotFound
from evidencedb.query.baseline import ArmView, fetch_arm_rows
from evidencedb.query.facts import FactView, fetch_facts
from evidencedb.query.filters import FactFilters
from evidencedb.records.quotes import QUOTE_SEPARATOR

FactKind: TypeAlias = Literal["results", "comparisons", "adverse-events"]
RowKind: TypeAlias = FactKind | ArmView
VIEW_OF: dict[FactKind, FactView] = {
    "results": "results_flat",
    "comparisons": "comparisons_flat",
    "adverse-events": "adverse_events_flat",
}
# The natural key of each kind of fact: (parameter, column of its flat view or query).
NATURAL_KEYS: dict[RowKind, tuple[tuple[str, str], ...]] = {
    "results": (
        ("trial", "trial_key"),
        ("endpoint", "endpoint_key"),
        ("arm", "arm_key"),
        ("subgroup", "subgroup"),
        ("category", "category"),
        ("source", "source_key"),
    ),
    "comparisons": (
        ("trial", "trial_key"),
        ("endpoint", "endpoint_key"),
        ("arm", "arm_key"),
        ("comparator", "comparator_arm_key"),
        ("measure", "measure"),
        ("origin", "origin"),
        ("label", "label"),
        ("source", "source_key"),
    ),
    "adverse-events": (
        ("trial", "trial_key"),
        ("arm", "arm_key"),
        ("term", "term"),
        ("organ_system", "organ_system"),
        ("category", "category"),
        ("grade", "grade"),
        ("source", "source_key"),
    ),
    "baseline": (
        ("trial", "trial_key"),
        ("arm", "arm_key"),
        ("characteristic", "characteristic"),
        ("class", "class"),
        ("category", "category"),
        ("source", "source_key"),
    ),
    "flow": (
        ("trial", "trial_key"),
        ("arm", "arm_key"),
        ("period", "period"),
        ("kind", "kind"),
        ("label", "label"),
        ("source", "source_key"),
    ),
}


def provenance_url(kind: RowKind, row: Mapping[str, Any]) -> str:
    """The address of the provenance page of `row`, a row of the flat view of `kind` (or of
    `query.baseline` for "baseline" and "flow"). Empty
    parts of the key are left out: a missing parameter means ''. (Called for every number of
    a page: keys, mostly slugs, are quoted only where they need it.)"""
    parts = []
    for name, column in NATURAL_KEYS[kind]:
        value = _text(row[column])
        if value:
            parts.append(f"{name}={value if _URL_SAFE.fullmatch(value) else quote(value, safe='')}")
    return f"/provenance/{kind}?" + "&".join(parts)


_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]*")


def description_url(kind: str, trial: str, key: str = "") -> str:
    """The address of the provenance page of a trial's description ('trials'), or of one of
    its arms or endpoints."""
    query = {"trial": trial}
    if kind != "trials":
        query[kind.removesuffix("s")] = key
    return f"/provenance/{kind}?" + urlencode(query)


def find_fact(connection: Connection, kind: FactKind, key: Mapping[str, str]) -> dict[str, Any]:
    """The row of the flat view of `kind` whose natural key is `key` (parameter -> text, ''
    for a part that is empty or absent): filtered by the database on the parts the query
    functions filter on, then matched exactly on every part."""
    wanted = {column: key.get(name, "") for name, column in NATURAL_KEYS[kind]}
    filters = FactFilters(
        trial=wanted["trial_key"] or None,
        arm=wanted["arm_key"] or None,
        source=wanted["source_key"] or None,
        endpoint=wanted.get("endpoint_key") or None,
    )
    for row in fetch_facts(connection, VIEW_OF[kind], filters):
        if all(_text(row[column]) == value for column, value in wanted.items()):
            return dict(row)
    raise NotFound(f"no {kind.replace('-', ' ')} fact with that key; the database may have changed")


def find_arm_row(connection: Connection, kind: ArmView, key: Mapping[str, str]) -> dict[str, Any]:
    """The baseline measurement or participant-flow row whose natural key is `key`, found as
    `find_fact` finds a fact: by the query's filters, then exactly on every part."""
    wanted = {column: key.get(name, "") for name, column in NATURAL_KEYS[kind]}
    filters = FactFilters(
        trial=wanted["trial_key"] or None,
        arm=wanted["arm_key"] or None,
        source=wanted["source_key"] or None,
    )
    label = wanted["characteristic"] if kind == "baseline" else wanted["label"]
    for row in fetch_arm_rows(connection, kind, filters, label or None):
        if all(_text(row[column]) == value for column, value in wanted.items()):
            return dict(row)
    raise NotFound(f"no {kind} row with that key; the database may have changed")


def derived_from(connection: Connection, comparison: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The results a derived comparison was computed from: its two arms' results on its
    endpoint, from its source, in its subgroup and category (see `analysis.derive`)."""
    if comparison["origin"] != ComparisonOrigin.DERIVED:
        return []
    arms = tuple(key for key in (comparison["arm_key"], comparison["comparator_arm_key"]) if key)
    filters = FactFilters(
        trial=comparison["trial_key"],
        endpoint=comparison["endpoint_key"],
        arm=arms,
        source=comparison["source_key"],
    )
    return [
        dict(row)
        for row in fetch_facts(connection, "results_flat", filters)
        if _derivation_label(row) == (comparison["label"] or "")
    ]


def _derivation_label(result: Mapping[str, Any] | RowMapping) -> str:
    """The label `analysis.derive` gives a comparison derived from `result`."""
    parts = [("subgroup", result["subgroup"]), ("category", result["category"])]
    return "; ".join(f"{name}: {value}" for name, value in parts if value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# The document with the quote marked ------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A source's document as text in parts, each marked or not; no parts when the document
    does not hold every quote (edited since the load, or not the document the quotes are
    from), since then there is nothing in it to show."""

    path: Path
    parts: Sequence[tuple[str, bool]]

    @property
    def found(self) -> bool:
        return bool(self.parts)


def quotes_of(row: Mapping[str, Any]) -> list[str]:
    """The quotes of a fact or description: its quote (each part of a derived comparison's
    joined quote) and the quotes of its single fields."""
    parts = [part for part in (row.get("quote") or "").split(QUOTE_SEPARATOR) if part.strip()]
    fields = row.get("field_quotes") or {}
    return parts + [quote for _, quote in sorted(fields.items()) if isinstance(quote, str)]


DOCUMENT_BYTES_MAX = 5 * 1024 * 1024  # a source's text, not a data file


def read_marked(
    documents_root: Path, document: str | None, quotes: Sequence[str]
) -> Document | None:
    """The document `document` (relative to `documents_root`, as a seed file names it) with
    every one of `quotes` marked; None where there is no document or it cannot be read.

    Only paths that the database names are read, never a path from a request, and the text
    is shown only when it holds every quote: a source naming a file that it does not quote
    shows nothing of it."""
    if not document or not quotes:
        return None
    path = documents_root / document
    try:
        if not path.is_file() or path.stat().st_size > DOCUMENT_BYTES_MAX:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    spans = []
    for part in quotes:
        match = _quote_pattern(part).search(text)
        if match is None:
            return Document(path, [])
        spans.append(match.span())
    return Document(path, _split(text, sorted(spans)))


_QUOTE_MARKS = {"'": "['\u2018\u2019]", '"': '["\u201c\u201d]'}


def _quote_pattern(quote: str) -> re.Pattern[str]:
    """The quote as the document may write it: any run of whitespace for a space, either
    shape of quotation mark (as `records.quotes.normalise_text` compares them)."""
    words = []
    for word in quote.split():
        words.append("".join(_QUOTE_MARKS.get(c, re.escape(c)) for c in _straight(word)))
    return re.compile(r"\s+".join(words))


def _straight(text: str) -> str:
    return text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})


def _split(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        if start < position:  # overlapping parts: the first mark wins
            continue
        parts.append((text[position:start], False))
        parts.append((text[start:end], True))
        position = end
    parts.append((text[position:], False))
    return [part for part in parts if part[0]]
