"""Mapping ClinicalTrials.gov records in batches, in this process or in a second one.

A large import maps its records in a child process (`worker`) a batch ahead of the writing;
a batch crosses the pipe as a pickle of `MappedBatch`. Nothing here touches the database.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
import struct
import subprocess
import sys
import tempfile
from collections.abc import Collection, Container, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from evidencedb.errors import EvidenceError, Problem, Reject, ValidationFailed
from evidencedb.records.location import format_location
from evidencedb.registries.ctgov.files import StudyFiles, StudyInput
from evidencedb.registries.ctgov.versions import peek_version

if TYPE_CHECKING:
    from evidencedb.records.bundle import Bundle

# A batch ends once its studies hold this many facts: a record of the registry may hold tens
# of thousands (hundreds of adverse-event terms times its groups), and a batch of 500 such
# records would hold their objects, and the rows made of them, all at once.
MAX_BATCH_FACTS = 20_000


@dataclasses.dataclass(frozen=True)
class MappedStudy:
    """A study after mapping: what choosing between its versions needs, where it is (for
    messages), and its bundle or the problems that kept it from being one. Small and
    picklable: it crosses from the mapping process without the study's JSON."""

    where: str
    nct_id: str | None
    version: str | None
    outcome: Bundle | list[Problem]
    kept: list[Reject] = dataclasses.field(default_factory=list)  # values kept as text


@dataclasses.dataclass
class MappedBatch:
    """Up to a batch of mapped studies, the problems of files that could not be read, and
    how far reading got (for progress)."""

    studies: list[MappedStudy] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    files: int = 0  # input files finished since the previous batch
    read: int = 0  # study records read since the previous batch
    unchanged: int = 0  # of them, records imported before as they are: not mapped
    # (canonical digest, text digest) of unchanged records found by their canonical digest
    # only (imported before revision 0009, or laid out anew): the text digest to store.
    new_texts: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    facts: int = 0  # facts of the batch's bundles: a batch ends when it holds enough


def bundle_facts(bundle: Bundle) -> int:
    """How many facts a bundle holds: what a batch's memory and writing time grow with."""
    data = bundle.data
    return (
        len(data.results)
        + len(data.comparisons)
        + len(data.adverse_events)
        + len(data.baseline_measurements)
        + len(data.participant_flow)
    )


def mapped_batches(
    files: StudyFiles,
    batch_size: int,
    *,
    max_facts: int = MAX_BATCH_FACTS,
    unchanged: Container[str] = frozenset(),
) -> Iterator[MappedBatch]:
    """Every study of `files`, mapped, in batches of at most `batch_size` studies that end
    once they hold `max_facts` facts (so that memory stays bounded whatever one record holds);
    the last batch may be empty. A study whose digest is in `unchanged` (imported before as it
    is, by this mapping) is counted and not mapped."""
    batch = MappedBatch()
    for entry in files.entries:
        for item in files.read(entry):
            if isinstance(item, Problem):
                batch.problems.append(item)
                continue
            batch.read += 1
            # The text's digest first: when it is stored, the canonical one is not computed.
            if item.text_sha256 in unchanged:
                batch.unchanged += 1
                continue
            if item.sha256 in unchanged:
                batch.unchanged += 1
                if item.text_sha256 is not None:
                    batch.new_texts.append((item.sha256, item.text_sha256))
                continue
            mapped = _mapped(item)
            batch.studies.append(mapped)
            if not isinstance(mapped.outcome, list):  # a bundle, not its problems
                batch.facts += bundle_facts(mapped.outcome)
            if len(batch.studies) >= batch_size or batch.facts >= max_facts:
                yield batch
                batch = MappedBatch()
        batch.files += 1
    yield batch


def _mapped(study: StudyInput) -> MappedStudy:
    # Imported on first use: a re-import in which no record changed maps nothing, and its
    # mapping process starts without the mapper and the record model (0.17 s of 0.26 s).
    from evidencedb.registries.ctgov.mapper import map_study

    peeked = peek_version(study.data)
    outcome: Bundle | list[Problem]
    kept: list[Reject] = []
    try:
        bundle = map_study(study)
        outcome = bundle
        kept = [dataclasses.replace(reject, nct_id=peeked.nct_id or "") for reject in bundle.kept]
        bundle.kept = []  # crosses the pipe once, in `kept`
    except ValidationFailed as failure:
        outcome = failure.problems
    return MappedStudy(_where(study), peeked.nct_id, peeked.version, outcome, kept)


def _where(study: StudyInput) -> str:
    inside = format_location(study.prefix)
    return f"{study.file} {inside}" if inside else study.file


@contextlib.contextmanager
def mapping_process(
    paths: Sequence[Path],
    batch_size: int,
    *,
    max_facts: int = MAX_BATCH_FACTS,
    unchanged: Collection[str] = frozenset(),
) -> Iterator[Iterator[MappedBatch]]:
    """`mapped_batches` computed by a child process (`evidencedb.registries.ctgov.worker`),
    which hands each batch over as a pickle on its standard output. The pipe's small buffer
    keeps the child at most a batch ahead, so memory stays bounded by batches. A fresh
    interpreter rather than multiprocessing: it shares no connection, lock or thread with
    this process, and it does not re-run the caller's main module. It stops when its
    batches are taken, when this process stops it, or when this process dies (its next
    write fails). The digests of `unchanged` reach it in a temporary file, one per line."""
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("w") as digests:
        digests.writelines(f"{digest}\n" for digest in unchanged)
        digests.flush()
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "evidencedb.registries.ctgov.worker",
                str(batch_size),
                str(max_facts),
                digests.name,
                *map(str, paths),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert child.stdout is not None
        try:
            yield _batches_from(child, child.stdout, errors)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            child.stdout.close()


_LENGTH = struct.Struct("!Q")


def send_message(stream: IO[bytes], kind: str, payload: Any) -> None:
    """One message of the mapping process: its length, then a pickle of (kind, payload)."""
    data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _batches_from(child: Any, stream: IO[bytes], errors: IO[bytes]) -> Iterator[MappedBatch]:
    while True:
        header = stream.read(_LENGTH.size)
        data = stream.read(_LENGTH.unpack(header)[0]) if len(header) == _LENGTH.size else b""
        if not data:
            code = child.wait()
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()
            last = f": {said[-1]}" if said else ""
            raise EvidenceError(f"the mapping process stopped unexpectedly (exit {code}){last}")
        # A pickle from the child this process started, running this same code: trusted.
        kind, payload = pickle.loads(data)
        if kind == "batch":
            yield payload
        elif kind == "done":
            return
        else:  # a bug in mapping: show it as the child saw it
            raise RuntimeError(f"mapping failed in the child process:\n{payload}")
