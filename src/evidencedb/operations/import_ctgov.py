"""Importing ClinicalTrials.gov study records: read, keep the newest version of each study,
map, validate and load, batch by batch, in one transaction for the whole run.

The mapping itself (`registries.ctgov`, batched by `registries.ctgov.background`) never
touches the database; this module is the operation around it, as `operations.load` is for
seed files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, bindparam, select, update

from evidencedb.enums import SourceOrigin, TrialSourceRelation
from evidencedb.errors import EvidenceError, Problem, Reject, RejectOutcome, ValidationFailed
from evidencedb.loader.load import load
from evidencedb.loader.report import LoadReport, TableChanges
from evidencedb.loader.versions import write_versions
from evidencedb.records.bundle import Bundle
from evidencedb.records.collector import collector_paused
from evidencedb.registries.ctgov.background import (
    MAX_BATCH_FACTS,
    MappedBatch,
    MappedStudy,
    mapped_batches,
    mapping_process,
)
from evidencedb.registries.ctgov.files import StudyFiles
from evidencedb.registries.ctgov.versions import MAPPING_VERSION, is_newer, source_key
from evidencedb.store.chunks import rows_where_in
from evidencedb.store.models import Trial
from evidencedb.store.source_models import Source, TrialSource

IMPORT_BATCH_SIZE = 500
# Inputs at least this large are mapped in a second process while this one writes: reading,
# parsing, mapping and validating take about as long as writing, so the two overlap on two
# cores. Below it, starting a Python process (about a second) would cost more than it saves.
BACKGROUND_MAPPING_BYTES = 16 * 1024 * 1024


class ImportProgress(Protocol):
    """What a long import tells its caller (the CLI draws a progress bar from it)."""

    def started(self, total: int) -> None:
        """`total` input files (plain files and ZIP members) are about to be read."""

    def advanced(self, files: int, studies: int) -> None:
        """`files` more input files were read, holding `studies` study records."""


@dataclasses.dataclass
class ImportReport:
    load: LoadReport = dataclasses.field(default_factory=LoadReport)
    studies: int = 0  # study records read
    imported: int = 0  # of them mapped and loaded
    skipped: int = 0  # older versions, duplicates, curated elsewhere, and records refused
    unchanged: int = 0  # records imported before as they are: skipped without being mapped
    # What was not taken as it stands: values kept as text, records and files skipped.
    rejects: list[Reject] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        """How many rejects had `outcome` (a RejectOutcome); files and records once each."""
        if outcome == RejectOutcome.KEPT_RAW:
            return sum(1 for reject in self.rejects if reject.outcome == outcome)
        return len(
            {(reject.file, reject.nct_id) for reject in self.rejects if reject.outcome == outcome}
        )

    def changed_records(self) -> dict[str, TableChanges]:
        """Trials that were in the database before and whose facts this import changed, with
        the facts inserted, updated and deleted (a record's new version, say)."""
        return {
            key: changes
            for key, changes in sorted(self.load.fact_changes.items())
            if key not in self.load.new_trials
            and (changes.inserted or changes.updated or changes.deleted)
        }


def import_ctgov(
    connection: Connection,
    paths: Sequence[Path],
    *,
    batch_size: int = IMPORT_BATCH_SIZE,
    progress: ImportProgress | None = None,
    background_mapping: bool | None = None,
    strict: bool = False,
    max_batch_facts: int = MAX_BATCH_FACTS,
    skip_unchanged: bool = True,
) -> ImportReport:
    """Import ClinicalTrials.gov API v2 study records (files, folders, pages, bulk ZIPs).

    Studies are read, mapped, validated and loaded `batch_size` at a time, so memory is bounded
    by a batch and not by the corpus, and every batch is written inside ONE transaction. The
    registry is taken as it is: a value that is not a number or is impossible is stored as its
    text, a record that cannot be mapped is skipped, and so is a file that holds no study; each
    is listed in the report's `rejects`. With `strict`, the first batch with any of them raises
    `ValidationFailed` with all of that batch's problems, and nothing of the run is written;
    so does a run that skips records or files and imports none. Of two versions of a study,
    by last-update date, the newer stands whatever order they come in: within a batch only the
    newest is kept, and a version older than the one already in the database (or loaded by an
    earlier batch) is skipped, with a warning; every version read is kept in the record's
    history (`trial_versions`). A record of a trial that a seed file curates joins that trial
    (`loader.registry_links`). The caller owns the transaction (a dry run rolls it back); this
    never commits.

    A batch also ends once its studies hold `max_batch_facts` facts, so that memory stays
    bounded however much one record holds. A record imported before exactly as it is now (the
    same digest, by the same mapping version) is skipped without being mapped, unless
    `skip_unchanged` is false; the report counts those, and says for each trial already in
    the database which of its facts changed.

    Reading and mapping happen in a second process, a batch ahead of the writing, when
    `background_mapping` says so (by default: for inputs of BACKGROUND_MAPPING_BYTES or more).
    Nothing else changes: the same batches, problems and transaction.
    """
    if batch_size < 1:
        raise EvidenceError(f"batch size must be at least 1, not {batch_size}")
    started = time.perf_counter()
    report = ImportReport()
    with StudyFiles(paths) as files:
        if progress is not None:
            progress.started(len(files.entries))
        if background_mapping is None:
            background_mapping = files.total_bytes() >= BACKGROUND_MAPPING_BYTES
        unchanged = imported_digests(connection) if skip_unchanged else set()
        with contextlib.ExitStack() as stack:
            if background_mapping:
                batches = stack.enter_context(
                    mapping_process(
                        paths, batch_size, max_facts=max_batch_facts, unchanged=unchanged
                    )
                )
            else:
                batches = mapped_batches(
                    files, batch_size, max_facts=max_batch_facts, unchanged=unchanged
                )
            batch_iterator = iter(batches)
            while True:
                # While a batch is mapped (or received from the mapping process) and written.
                with collector_paused():
                    batch = next(batch_iterator, None)
                    if batch is None:
                        break
                    _import_batch(connection, batch, report, strict=strict)
                report.studies += batch.read
                report.unchanged += batch.unchanged
                if progress is not None:
                    progress.advanced(batch.files, batch.read)
    refused = [r for r in report.rejects if r.outcome != RejectOutcome.KEPT_RAW]
    if refused and report.imported == 0:
        # Nothing to take: the input is wrong, not a bulk download with a few bad records.
        raise ValidationFailed([reject.as_problem() for reject in refused])
    report.seconds = time.perf_counter() - started
    return report


# Loading ------------------------------------------------------------------------------------


def imported_digests(connection: Connection) -> set[str]:
    """The digests (canonical and of the text) of the records whose rows are in the database
    as this mapping writes them: registry records still linked to their trial, imported by the
    current mapping version. A record attached to a curated trial is left out: how its rows
    join the curated ones depends on the seed file (`registry_match`), which may have changed
    since."""
    statement = (
        select(Source.record_sha256, Source.record_text_sha256)
        .join(TrialSource, TrialSource.source_id == Source.id)
        .join(Trial, (Trial.id == TrialSource.trial_id) & (Trial.source_id == Source.id))
        .where(
            Source.origin == SourceOrigin.CTGOV,
            Source.mapping_version == MAPPING_VERSION,
            Source.record_sha256.is_not(None),
            TrialSource.relation == TrialSourceRelation.REGISTRY_RECORD,
        )
    )
    return {digest for row in connection.execute(statement) for digest in row if digest}


def _import_batch(
    connection: Connection, batch: MappedBatch, report: ImportReport, *, strict: bool
) -> None:
    """Load one mapped batch, its rejects noted; with `strict`, raise with every one of them."""
    chosen, older = _newest_versions(connection, batch.studies, report.load.warnings)
    rejects = [_rejected(problem, "", RejectOutcome.FILE_SKIPPED) for problem in batch.problems]
    bundles: list[Bundle] = []
    for study in chosen:
        if isinstance(study.outcome, Bundle):
            bundles.append(study.outcome)
            rejects.extend(study.kept)
        else:
            nct = study.nct_id or ""
            rejects += [_rejected(p, nct, RejectOutcome.RECORD_SKIPPED) for p in study.outcome]
    if strict and rejects:
        raise ValidationFailed([reject.as_problem() for reject in rejects])
    report.rejects.extend(rejects)
    report.skipped += len(batch.studies) - len(bundles)
    report.imported += len(bundles)
    if bundles:
        report.load.merge(load(connection, bundles))
    # An older version adds its row to the record's history, and nothing else.
    history = [study.outcome for study in older if isinstance(study.outcome, Bundle)]
    write_versions(connection, history, report.load)
    _store_text_digests(connection, batch.new_texts)


def _store_text_digests(connection: Connection, new_texts: list[tuple[str, str]]) -> None:
    """Store the text digest of records found unchanged by their canonical digest, so that the
    next import finds them by their text without serialising them (bookkeeping: no change of
    the record's facts, and none reported)."""
    if not new_texts:
        return
    statement = (
        update(Source)
        .where(
            Source.origin == SourceOrigin.CTGOV,
            Source.record_sha256 == bindparam("canonical"),
        )
        .values(record_text_sha256=bindparam("text"))
    )
    connection.execute(
        statement, [{"canonical": canonical, "text": text} for canonical, text in new_texts]
    )


def _rejected(problem: Problem, nct_id: str, outcome: str) -> Reject:
    where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
    return Reject(where, nct_id, problem.path, "", problem.message, outcome)


def _newest_versions(
    connection: Connection, studies: list[MappedStudy], warnings: list[str]
) -> tuple[list[MappedStudy], list[MappedStudy]]:
    """The studies of a batch that are the newest version of their trial (newer than another
    copy in the batch and not older than the one in the database), and the older ones."""
    newest: dict[str, MappedStudy] = {}
    older: list[MappedStudy] = []
    kept: list[MappedStudy] = []  # without a readable NCT id: the mapping says why
    for study in studies:
        nct, version = study.nct_id, study.version
        if nct is None:
            kept.append(study)
            continue
        current = newest.get(nct)
        if current is not None and is_newer(current.version, version):
            warnings.append(_skip_message(study, f"{current.where} is newer"))
            older.append(study)
            continue
        if current is not None:  # of equal versions the later stands, as across batches
            newer = is_newer(version, current.version)
            reason = f"{study.where} is {'newer' if newer else 'the same version, read later'}"
            warnings.append(_skip_message(current, reason))
            older.append(current)
        newest[nct] = study
    stored = _stored_versions(connection, [source_key(nct) for nct in newest])
    for nct, study in newest.items():
        key = source_key(nct)
        if key in stored and is_newer(stored[key], study.version):
            reason = f"the database holds the newer version of {stored[key]}"
            warnings.append(_skip_message(study, reason))
            older.append(study)
        else:
            kept.append(study)
    return kept, older


def _skip_message(study: MappedStudy, reason: str) -> str:
    return f"{study.where}: {study.nct_id} (updated {study.version or 'unknown'}) skipped: {reason}"


def _stored_versions(connection: Connection, keys: list[str]) -> dict[str, str | None]:
    statement = select(Source.key, Source.record_version)
    return {key: version for key, version in rows_where_in(connection, statement, Source.key, keys)}
