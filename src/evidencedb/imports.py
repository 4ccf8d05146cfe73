"""Importing ClinicalTrials.gov study records: read, keep the newest version of each study,
map, validate and load, batch by batch, in one transaction for the whole run.

The mapping itself (`importers.ctgov`) never touches the database; this module is the
operation around it, as `service.load_seed_paths` is for seed files.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, select
from sqlalchemy.engine import URL

from evidencedb.bundle import Bundle
from evidencedb.db import resolve_url, sqlite_path
from evidencedb.enums import Registry, SourceOrigin
from evidencedb.errors import EvidenceError, Problem, ValidationFailed
from evidencedb.importers.ctgov import (
    is_newer,
    map_study,
    peek_version,
    source_key,
)
from evidencedb.importers.sources import StudyFiles, StudyInput
from evidencedb.loader import LoadReport, load
from evidencedb.models import Source, Trial, TrialIdentifier
from evidencedb.service import DryRun, writing

IMPORT_BATCH_SIZE = 500
_IN_CHUNK = 500  # values per IN (...) list


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
    skipped: int = 0  # older versions, duplicates, and trials curated under another key
    seconds: float = 0.0


def import_ctgov(
    url: str | URL | None,
    paths: Sequence[Path],
    *,
    dry_run: bool,
    batch_size: int = IMPORT_BATCH_SIZE,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Import ClinicalTrials.gov API v2 study records (files, folders, pages, bulk ZIPs).

    Studies are read, mapped, validated and loaded `batch_size` at a time, so memory is bounded
    by a batch and not by the corpus, but every batch is written inside ONE transaction: the
    first batch with a problem raises `ValidationFailed` with all of that batch's problems, and
    nothing of the run is written. Of two versions of a study, by last-update date, the newer
    stands whatever order they come in: within a batch only the newest is kept, and a version
    older than the one already in the database (or loaded by an earlier batch) is skipped, with
    a warning. A dry run does all of it, then rolls back.
    """
    if batch_size < 1:
        raise EvidenceError(f"batch size must be at least 1, not {batch_size}")
    started = time.perf_counter()
    report = ImportReport()
    resolved = url if isinstance(url, URL) else resolve_url(url)
    path = sqlite_path(resolved)
    if dry_run and path is not None and not path.exists():
        resolved = resolve_url("sqlite://")  # validate against an empty schema; create no file
    with StudyFiles(paths) as files:
        if progress is not None:
            progress.started(len(files.entries))
        try:
            with writing(resolved) as connection:
                batch: list[StudyInput] = []
                problems: list[Problem] = []
                for entry in files.entries:
                    count = 0
                    for item in files.read(entry):
                        if isinstance(item, Problem):
                            problems.append(item)
                            continue
                        batch.append(item)
                        count += 1
                        if len(batch) >= batch_size:
                            _import_batch(connection, batch, problems, report)
                            batch, problems = [], []
                    report.studies += count
                    if progress is not None:
                        progress.advanced(1, count)
                _import_batch(connection, batch, problems, report)
                if dry_run:
                    raise DryRun(report.load)  # leaves the transaction by rollback
        except DryRun:
            pass
    report.seconds = time.perf_counter() - started
    return report


def _import_batch(
    connection: Connection,
    studies: list[StudyInput],
    problems: list[Problem],
    report: ImportReport,
) -> None:
    """Map, validate and load one batch, or raise with every problem it has."""
    warnings = report.load.warnings
    chosen = _newest_versions(connection, studies, warnings)
    bundles: list[Bundle] = []
    for study in chosen:
        try:
            bundles.append(map_study(study))
        except ValidationFailed as failure:
            problems.extend(failure.problems)
    if problems:
        raise ValidationFailed(problems)
    report.skipped += len(studies) - len(bundles)
    report.imported += len(bundles)
    if bundles:
        report.load.merge(load(connection, bundles))


def _newest_versions(
    connection: Connection, studies: list[StudyInput], warnings: list[str]
) -> list[StudyInput]:
    """The studies of a batch that are the newest version of their trial: newer than another
    copy in the batch and not older than the one in the database. Studies whose trial is
    curated under another key are left out too (see `_curated_elsewhere`)."""
    newest: dict[str, tuple[StudyInput, str | None]] = {}
    kept: list[StudyInput] = []  # without a readable NCT id: the mapping will say why
    for study in studies:
        peeked = peek_version(study.data)
        nct, version = peeked.nct_id, peeked.version
        if nct is None:
            kept.append(study)
            continue
        current = newest.get(nct)
        if current is not None and is_newer(current[1], version):
            reason = f"{_where(current[0])} is newer"
            warnings.append(_skip_message(study, nct, version, reason))
            continue
        if current is not None:  # of equal versions the later stands, as across batches
            newer = is_newer(version, current[1])
            reason = f"{_where(study)} is {'newer' if newer else 'the same version, read later'}"
            warnings.append(_skip_message(current[0], nct, current[1], reason))
        newest[nct] = (study, version)
    stored = _stored_versions(connection, [source_key(nct) for nct in newest])
    curated = _curated_elsewhere(connection, list(newest))
    for nct, (study, version) in newest.items():
        key = source_key(nct)
        if key in stored and is_newer(stored[key], version):
            reason = f"the database holds the newer version of {stored[key]}"
            warnings.append(_skip_message(study, nct, version, reason))
        elif nct in curated:
            reason = (
                f"the trial is curated as {curated[nct]!r}; importing its registry record "
                "into it is not supported yet"
            )
            warnings.append(_skip_message(study, nct, version, reason))
        else:
            kept.append(study)
    return kept


def _where(study: StudyInput) -> str:
    inside = study.path_of("")
    return f"{study.file} {inside}" if inside else study.file


def _skip_message(study: StudyInput, nct: str, version: str | None, reason: str) -> str:
    return f"{_where(study)}: {nct} (updated {version or 'unknown'}) skipped: {reason}"


def _in_chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


def _stored_versions(connection: Connection, keys: list[str]) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for chunk in _in_chunks(keys):
        rows = connection.execute(
            select(Source.key, Source.record_version).where(Source.key.in_(chunk))
        )
        versions.update((key, version) for key, version in rows)
    return versions


def _curated_elsewhere(connection: Connection, nct_ids: list[str]) -> dict[str, str]:
    """NCT id -> key of the trial that holds it but is not a registry import: a seed file's
    trial named with this NCT id, or given it as an identifier. The loader would otherwise
    rewrite a curated trial's description, or refuse the identifier."""
    found: dict[str, str] = {}
    for chunk in _in_chunks(nct_ids):
        rows = connection.execute(
            select(TrialIdentifier.value, Trial.key)
            .join(Trial, Trial.id == TrialIdentifier.trial_id)
            .where(TrialIdentifier.registry_name == Registry.NCT)
            .where(TrialIdentifier.value.in_(chunk))
            .where(Trial.key != TrialIdentifier.value)
        )
        found.update((nct, key) for nct, key in rows)
        named = connection.execute(
            select(Trial.key)
            .join(Source, Source.id == Trial.source_id)
            .where(Trial.key.in_(chunk))
            .where(Source.origin != SourceOrigin.CTGOV)
        )
        found.update((key, key) for key in named.scalars())
    return found
