"""The study's references: each publication it lists becomes a source linked to the trial.

A reference of type RESULT is the paper that reports the trial's results (relation
`results_publication`); BACKGROUND and DERIVED (PubMed's own linking) references are
`background`. They cite no facts: they are what links a registry record to its papers.

Keys are per trial (`ctgov-NCT01234567-pmid-12345678`): two records may cite one paper with
different citation texts, and a key shared across trials would make the second record's
import rewrite, or conflict with, the first's source.
"""

from __future__ import annotations

import re

from evidencedb.enums import SourceKind, TrialSourceRelation
from evidencedb.records.trial import SourceRecord, TrialSourceRecord
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.reader import Node

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
_PMID = re.compile(r"^\d{1,9}$")
_YEAR = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
TITLE_LENGTH = 300  # a citation is the title's stand-in: cut to a readable length


def reference_sources(
    context: StudyContext, protocol: Node
) -> tuple[list[SourceRecord], list[TrialSourceRecord]]:
    """The sources of the study's references, and their links to the trial."""
    module = protocol.node("referencesModule")
    if module is None:
        return [], []
    sources: dict[str, SourceRecord] = {}
    relations: dict[str, TrialSourceRelation] = {}
    for index, reference in enumerate(module.nodes("references")):
        pmid = reference.text("pmid")
        pmid = pmid if pmid is not None and _PMID.match(pmid) else None
        citation = reference.text("citation")
        if pmid is None and citation is None:
            continue  # nothing that names a publication
        key = f"{context.source}-pmid-{pmid}" if pmid else f"{context.source}-ref-{index + 1}"
        relation = (
            TrialSourceRelation.RESULTS_PUBLICATION
            if reference.text("type") == "RESULT"
            else TrialSourceRelation.BACKGROUND
        )
        # A paper listed twice (as background and as the results) is its results publication.
        if relations.get(key) != TrialSourceRelation.RESULTS_PUBLICATION:
            relations[key] = relation
        if key in sources:
            continue
        year = _YEAR.search(citation or "")
        record = context.record(
            SourceRecord,
            {
                "key": key,
                "kind": SourceKind.JOURNAL_ARTICLE,
                "title": _title(citation) if citation else f"PubMed {pmid}",
                "citation": citation,
                "year": int(year[0]) if year else None,
                "pmid": pmid,
                "url": PUBMED_URL.format(pmid) if pmid else None,
            },
            reference.path,
            {"title": "citation", "citation": "citation", "pmid": "pmid"},
        )
        if record is not None:
            sources[key] = record
    links = [TrialSourceRecord(source=key, relation=relations[key]) for key in sources]
    return list(sources.values()), links


def _title(citation: str) -> str:
    if len(citation) <= TITLE_LENGTH:
        return citation
    return citation[: TITLE_LENGTH - 1].rstrip() + "…"
