"""Resolution: the natural keys a load names, checked and turned into the ids they stand for.

Every problem that needs more than one file, or the database, is found here before the first
row is written: sources and interventions declared differently in two files, a citation or
reference to something neither the load nor the database holds, a quote its document does not
contain, an NCT id claimed by two trials. Any of them raises `ValidationFailed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, Table, select

from evidencedb.enums import Registry, SourceKind, SourceOrigin
from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.base import Cited
from evidencedb.records.bundle import Bundle, DeclaredKeys
from evidencedb.records.location import Location
from evidencedb.records.quotes import (
    closest_passage,
    document_sha256,
    normalise_text,
    read_document,
)
from evidencedb.records.trial import InterventionRecord, SourceRecord
from evidencedb.records.trial_file import TrialFile
from evidencedb.store.chunks import rows_where_in
from evidencedb.store.models import Arm, Endpoint, Intervention, Trial, TrialIdentifier, table_of
from evidencedb.store.source_models import Source


def resolve(
    connection: Connection | None,
    bundles: Sequence[Bundle],
    unvalidated: DeclaredKeys | None = None,
) -> Resolution:
    """Check every reference of `bundles`; raises ValidationFailed listing every problem.
    Without a connection, only what the bundles declare is known. `unvalidated` holds keys
    declared by items that failed validation: references to them are not reported."""
    resolution = Resolution(connection, bundles, unvalidated)
    resolution.check()
    return resolution


def rows_by_key(
    connection: Connection | None, table: Table, keys: Iterable[str], *columns: Any
) -> dict[str, Row[Any]]:
    """The stored rows of a table whose natural key is the single column `key`, by key: the
    key first, then `columns`. None of them without a database."""
    if connection is None:
        return {}
    statement = select(table.c.key, *columns)
    found = rows_where_in(connection, statement, table.c.key, sorted(set(keys)))
    return {row[0]: row for row in found}


def ids_by_key(connection: Connection | None, table: Table, keys: Iterable[str]) -> dict[str, int]:
    """The ids of the stored rows of `table` whose `key` is one of `keys`."""
    return {key: row.id for key, row in rows_by_key(connection, table, keys, table.c.id).items()}


# The sections of a file whose every row cites a source (`source`, never None).
_CITING_SECTIONS = (
    "endpoints",
    "results",
    "comparisons",
    "adverse_events",
    "baseline_measurements",
    "participant_flow",
)


def _described_citations(data: TrialFile) -> Iterator[tuple[Location, str | None, Cited | Any]]:
    """The places outside `_CITING_SECTIONS` that name a source: the trial, its identifiers,
    interventions and arms."""
    yield ("trial",), data.trial.source, data.trial
    for i, identifier in enumerate(data.trial.identifiers):
        yield ("trial", "identifiers", i), identifier.source, identifier
    for i, item in enumerate(data.interventions):
        yield ("interventions", i), item.source, item
    for i, arm in enumerate(data.arms):
        yield ("arms", i), arm.source, arm
        for j, given in enumerate(arm.interventions):
            yield ("arms", i, "interventions", j), given.source, given


def _citations(data: TrialFile) -> Iterator[tuple[Location, str | None, Cited | Any]]:
    """Every place in a file that names a source: (location of the row, source key, row)."""
    yield from _described_citations(data)
    for section in _CITING_SECTIONS:
        for i, row in enumerate(getattr(data, section)):
            yield (section, i), row.source, row


def _cited_keys(data: TrialFile) -> set[str]:
    """The keys of every source a file cites: `_citations`' keys, without a tuple per row (a
    registry record has tens of thousands of rows, all citing the record)."""
    keys = {key for _, key, _ in _described_citations(data) if key}
    for section in _CITING_SECTIONS:
        keys.update({row.source for row in getattr(data, section)})
    return keys


class Resolution:
    """What the bundles of one load declare and refer to, checked against each other and the
    database before anything is written. After `check()`, `sources` and `interventions` hold
    the records declared by the bundles (with the bundle that declares each), `source_kinds`
    the kind of every source cited, declared or stored, and `warnings` what could not be
    checked."""

    def __init__(
        self,
        connection: Connection | None,
        bundles: Sequence[Bundle],
        unvalidated: DeclaredKeys | None = None,
    ) -> None:
        self.connection = connection
        self.bundles = bundles
        self.unvalidated = unvalidated or {}
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.sources: dict[str, tuple[SourceRecord, Bundle]] = {}
        self.interventions: dict[str, tuple[InterventionRecord, Bundle]] = {}
        self.trial_keys: dict[str, Bundle] = {}
        self.source_kinds: dict[str, SourceKind] = {}
        # Per declared source with a document: where it was found and the hash of its bytes.
        self.documents: dict[str, dict[str, str | None]] = {}

    def check(self) -> None:
        self._collect_declarations()
        self._check_sources()
        self._check_other_references()
        self._check_identifiers()
        self._check_keys_of_other_origins()
        if self.problems:
            raise ValidationFailed(self.problems)

    def unchecked(self, section: str, key: str) -> bool:
        """Whether `key` is declared by an item that failed validation (so it is not unknown)."""
        return key in self.unvalidated.get(section, ())

    def _collect_declarations(self) -> None:
        for bundle in self.bundles:
            data = bundle.data
            for i, source in enumerate(data.sources):
                self._declare(self.sources, source, bundle, ("sources", i), "source")
            for i, item in enumerate(data.interventions):
                self._declare(
                    self.interventions, item, bundle, ("interventions", i), "intervention"
                )
            if data.trial.key in self.trial_keys:
                other = self.trial_keys[data.trial.key].file
                message = f"trial {data.trial.key!r} is also in {other}; one file per trial"
                self.problems.append(bundle.problem(("trial", "key"), message))
            self.trial_keys[data.trial.key] = bundle

    def _declare(
        self,
        registry: dict[str, Any],
        record: SourceRecord | InterventionRecord,
        bundle: Bundle,
        location: Location,
        what: str,
    ) -> None:
        previous = registry.get(record.key)
        if previous is None:
            registry[record.key] = (record, bundle)
        elif previous[0] != record and previous[1] is not bundle:  # else a duplicate key
            message = f"{what} {record.key!r} is declared differently in {previous[1].file}"
            self.problems.append(bundle.problem((*location, "key"), message))

    def _check_sources(self) -> None:
        cited_by_bundle = [_cited_keys(bundle.data) for bundle in self.bundles]
        cited = set().union(*cited_by_bundle)
        cited |= {s.reports_on for s, _ in self.sources.values() if s.reports_on}
        cited |= {ts.source for b in self.bundles for ts in b.data.trial.sources}
        in_db = rows_by_key(
            self.connection, table_of(Source), cited - set(self.sources), Source.kind
        )
        self.source_kinds = {key: row.kind for key, row in in_db.items()}
        self.source_kinds.update({key: s.kind for key, (s, _) in self.sources.items()})
        documents = self._documents()
        for bundle, keys in zip(self.bundles, cited_by_bundle, strict=True):
            # A citation of a known registry record has nothing to check (no quote): a
            # registry record's tens of thousands of rows are not visited one by one.
            if not all(self.source_kinds.get(key) == SourceKind.REGISTRY_RECORD for key in keys):
                for location, key, row in _citations(bundle.data):
                    if key is not None:
                        self._check_citation(bundle, location, key, row, documents)
            for i, link in enumerate(bundle.data.trial.sources):
                self._require_source(bundle, ("trial", "sources", i, "source"), link.source)
            for i, source in enumerate(bundle.data.sources):
                if source.reports_on is not None:
                    self._require_source(bundle, ("sources", i, "reports_on"), source.reports_on)

    def _require_source(self, bundle: Bundle, location: Location, key: str) -> bool:
        if key in self.source_kinds:
            return True
        if self.unchecked("sources", key):
            return False
        message = f"unknown source {key!r}: declare it under `sources:` or load the file that does"
        self.problems.append(bundle.problem(location, message))
        return False

    def _check_citation(
        self,
        bundle: Bundle,
        location: Location,
        key: str,
        row: Any,
        documents: dict[str, str | None],
    ) -> None:
        if not self._require_source(bundle, (*location, "source"), key):
            return
        if self.source_kinds[key] == SourceKind.REGISTRY_RECORD:
            return
        if not row.quote:
            message = f"a fact from the document {key!r} needs the quote that states it"
            self.problems.append(bundle.problem((*location, "quote"), message))
            return
        text = documents.get(key)
        if text is None:
            return
        quotes = [((*location, "quote"), row.quote)]
        quotes += [((*location, "quotes", f), q) for f, q in getattr(row, "quotes", {}).items()]
        for quote_location, quote in quotes:
            if normalise_text(quote) not in text:
                message = f"quote not found in the text of source {key!r}: {quote!r}"
                closest = closest_passage(quote, text)
                if closest is not None:
                    message += f"; the closest passage is {closest!r}"
                self.problems.append(bundle.problem(quote_location, message))

    def _documents(self) -> dict[str, str | None]:
        """Normalised text of each declared source whose document file is at hand."""
        texts: dict[str, str | None] = {}
        for key, (source, bundle) in self.sources.items():
            if source.document is None or bundle.base_dir is None:
                continue
            path = bundle.base_dir / source.document
            texts[key] = read_document(path)
            self.documents[key] = {
                "document_path": str(path.resolve()),
                "document_sha256": document_sha256(path),
            }
            if texts[key] is None:
                self.warnings.append(
                    f"{bundle.file}: document of source {key!r} cannot be read at {path}; "
                    "its quotes were not checked against it"
                )
        return texts

    def _check_other_references(self) -> None:
        referenced = {
            given.intervention
            for bundle in self.bundles
            for arm in bundle.data.arms
            for given in arm.interventions
        }
        known_interventions = set(self.interventions) | set(
            rows_by_key(
                self.connection, table_of(Intervention), referenced - set(self.interventions)
            )
        )
        control_trials = {
            arm.source_trial for b in self.bundles for arm in b.data.arms if arm.source_trial
        }
        known_trials = set(self.trial_keys) | set(
            rows_by_key(self.connection, table_of(Trial), control_trials - set(self.trial_keys))
        )
        for bundle in self.bundles:
            for i, arm in enumerate(bundle.data.arms):
                if (
                    arm.source_trial is not None
                    and arm.source_trial not in known_trials
                    and not self.unchecked("trials", arm.source_trial)
                ):
                    message = (
                        f"unknown trial {arm.source_trial!r}: load its seed file in the same "
                        "command or before this one"
                    )
                    self.problems.append(bundle.problem(("arms", i, "source_trial"), message))
                for j, given in enumerate(arm.interventions):
                    if given.intervention not in known_interventions and not self.unchecked(
                        "interventions", given.intervention
                    ):
                        message = (
                            f"unknown intervention {given.intervention!r}: declare it under "
                            "`interventions:` or load the file that does"
                        )
                        location = ("arms", i, "interventions", j, "intervention")
                        self.problems.append(bundle.problem(location, message))

    def _check_identifiers(self) -> None:
        # Only an NCT id must name one trial (see models.TrialIdentifier): NCT id -> trial key.
        claimed: dict[str, tuple[str, Bundle]] = {}
        for bundle in self.bundles:
            trial = bundle.data.trial.key
            for i, identifier in enumerate(bundle.data.trial.identifiers):
                if identifier.registry != Registry.NCT:
                    continue
                other = claimed.get(identifier.value)
                if other is not None and other[0] != trial:
                    message = f"identifier {identifier.value} is also given to trial {other[0]!r}"
                    self.problems.append(bundle.problem(("trial", "identifiers", i), message))
                claimed[identifier.value] = (trial, bundle)
        if self.connection is None:
            return
        table = table_of(TrialIdentifier)
        holders = (
            select(table.c.value, Trial.key, Source.origin)
            .join(Trial, Trial.id == table.c.trial_id)
            .join(Source, Source.id == Trial.source_id)
            .where(table.c.registry == Registry.NCT)
        )
        for value, owner, origin in rows_where_in(self.connection, holders, table.c.value, claimed):
            trial, bundle = claimed[value]
            # A seed file's trial takes over the imported trial of its NCT id (registry_links).
            taken_over = origin == SourceOrigin.CTGOV and bundle.origin == SourceOrigin.CURATED
            if owner != trial and not taken_over:
                message = f"identifier {value} already belongs to trial {owner!r} in the database"
                self.problems.append(bundle.problem(("trial", "identifiers"), message))

    def _check_keys_of_other_origins(self) -> None:
        """A seed file whose trial key is an imported trial's, without stating its NCT id
        (which would merge the two: `registry_links`), and which restates a registry arm's or
        endpoint's key: each origin owns its rows, and two rows with one key cannot stand."""
        if self.connection is None:
            return
        by_key = {
            bundle.data.trial.key: bundle
            for bundle in self.bundles
            if bundle.origin == SourceOrigin.CURATED
            and not any(i.registry == Registry.NCT for i in bundle.data.trial.identifiers)
        }
        sources = table_of(Source)
        for section, model in (("arms", Arm), ("endpoints", Endpoint)):
            table = table_of(model)
            stored = (
                select(Trial.key, table.c.key, sources.c.origin)
                .join(Trial, Trial.id == table.c.trial_id)
                .join(sources, sources.c.id == table.c.source_id)
            )
            taken: dict[tuple[str, str], str] = {}
            for trial, key, origin in rows_where_in(self.connection, stored, Trial.key, by_key):
                if origin != SourceOrigin.CURATED:
                    taken[(trial, key)] = str(origin)
            for trial, bundle in by_key.items():
                for index, item in enumerate(getattr(bundle.data, section)):
                    origin = taken.get((trial, item.key))
                    if origin is not None:
                        message = (
                            f"trial {trial!r} already has {section[:-1]} {item.key!r} from its "
                            f"{origin} records; state the trial's NCT id under "
                            "`trial.identifiers` to merge this file with the registry record, "
                            f"or give this {section[:-1]} another key"
                        )
                        self.problems.append(bundle.problem((section, index, "key"), message))
