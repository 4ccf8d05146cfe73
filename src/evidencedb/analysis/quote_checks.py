"""Checks of quotes against the text of their sources' documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity
from evidencedb.enums import ComparisonOrigin, SourceKind
from evidencedb.records.quotes import (
    QUOTE_SEPARATOR,
    document_sha256,
    normalise_text,
    read_document,
)
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import (
    Arm,
    ArmIntervention,
    Endpoint,
    Intervention,
    Trial,
    TrialIdentifier,
    table_of,
)
from evidencedb.store.source_models import Source

_QUOTED_TABLES: tuple[tuple[str, Table], ...] = (
    ("trials", table_of(Trial)),
    ("trial_identifiers", table_of(TrialIdentifier)),
    ("interventions", table_of(Intervention)),
    ("arms", table_of(Arm)),
    ("arm_interventions", table_of(ArmIntervention)),
    ("endpoints", table_of(Endpoint)),
    ("results", table_of(Result)),
    ("comparisons", table_of(Comparison)),
    ("adverse_events", table_of(AdverseEvent)),
)


def quotes_not_in_documents(
    connection: Connection, keys: RowKeys, documents_root: Path | None = None
) -> Iterator[Finding]:
    """A quote that its source's document does not contain (the loader checks this at load
    time; the document may have changed since, or the database was loaded elsewhere).

    Each document is read where the loader found it, relative to the seed file that declared
    it (`sources.document_path`); a database loaded before that was stored, or on another
    machine, falls back to `documents_root / document`. A document that cannot be read is a
    warning (its quotes are unchecked), and so is one whose bytes changed since the load."""
    sources = table_of(Source)
    texts: dict[int, str] = {}
    rows = connection.execute(
        select(
            sources.c.id,
            sources.c.key,
            sources.c.document,
            sources.c.document_path,
            sources.c.document_sha256,
        ).where(sources.c.document.is_not(None), sources.c.kind != SourceKind.REGISTRY_RECORD)
    )
    for source_id, key, document, stored_path, stored_sha256 in rows:
        candidates = [Path(stored_path)] if stored_path else []
        if documents_root is not None:
            candidates.append(documents_root / document)
        found, text = _first_readable(candidates)
        if found is None or text is None:
            tried = " or ".join(str(path) for path in candidates) or repr(document)
            yield Finding(
                Severity.WARNING,
                "document_missing",
                "sources",
                key,
                f"document cannot be read at {tried}; quotes of this source were not checked",
                key,
            )
            continue
        texts[source_id] = text
        if stored_sha256 and document_sha256(found) != stored_sha256:
            yield Finding(
                Severity.WARNING,
                "document_changed",
                "sources",
                key,
                f"document at {found} changed since it was loaded (its SHA-256 differs); "
                "quotes were checked against it as it is now",
                key,
            )
    if not texts:
        return
    documented = sources.c.document.is_not(None)
    for name, table in _QUOTED_TABLES:
        statement = select(table).join(sources, sources.c.id == table.c.source_id).where(documented)
        for row in connection.execute(statement):
            text = texts.get(row.source_id)
            if text is None:
                continue
            for field, quote in _quotes_of(name, row):
                if normalise_text(quote) not in text:
                    where = f" (quote of {field})" if field else ""
                    yield Finding(
                        Severity.ERROR,
                        "quote_not_in_document",
                        name,
                        keys.row(name, row),
                        f"quote not found in the document of source {keys.sources[row.source_id]}"
                        f"{where}",
                        keys.sources[row.source_id],
                        quote,
                    )


def _first_readable(paths: list[Path]) -> tuple[Path | None, str | None]:
    """The first of `paths` that can be read, with its normalised text."""
    for path in paths:
        text = read_document(path)
        if text is not None:
            return path, text
    return None, None


def _quotes_of(table: str, row: Any) -> Iterator[tuple[str, str]]:
    """(field, quote) of a row: its own quote ('' as field) and its per-field quotes. A
    derived comparison's quote joins the quotes of the results it came from."""
    mapping = row._mapping
    quote = mapping["quote"]
    if quote:
        if table == "comparisons" and mapping["origin"] == ComparisonOrigin.DERIVED:
            for part in quote.split(QUOTE_SEPARATOR):
                yield "", part
        else:
            yield "", quote
    for field, field_quote in sorted((mapping.get("field_quotes") or {}).items()):
        if isinstance(field_quote, str):
            yield field, field_quote
