"""Writing saved meta-analyses: their definitions from seed files, and their results on every load.

`write_definitions` checks that every study a file names is a trial with that endpoint (in
this load or the database; a problem names the file, line and path), then upserts each
analysis's definition by key. `write_results` replaces an analysis's results and its study
rows. The meta operation computes; this module only writes, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, tuple_, update

from evidencedb.errors import Problem, ValidationFailed
from evidencedb.loader.report import LoadReport, TableChanges
from evidencedb.records.analysis_file import AnalysisBundle, AnalysisRecord
from evidencedb.store.meta_models import MetaAnalysis, MetaAnalysisStudy
from evidencedb.store.models import Endpoint, Trial

__all__ = ["SavedAnalysis", "saved_analyses", "write_definitions", "write_results"]


@dataclass(frozen=True)
class SavedAnalysis:
    """A stored definition: what `meta --analysis KEY` and every load recompute."""

    id: int
    key: str
    record: AnalysisRecord


def write_definitions(
    connection: Connection, analyses: Sequence[AnalysisBundle], report: LoadReport
) -> None:
    """Check the studies the files name, then upsert each analysis by key."""
    _check_studies(connection, analyses)
    for bundle in analyses:
        record = bundle.data.analysis
        row = _definition_row(record, bundle.file)
        found = connection.execute(
            select(MetaAnalysis.id).where(MetaAnalysis.key == record.key)
        ).scalar_one_or_none()
        if found is None:
            connection.execute(insert(MetaAnalysis).values(row))
            report.count("meta_analyses", TableChanges(inserted=1))
        else:
            connection.execute(update(MetaAnalysis).where(MetaAnalysis.id == found).values(row))


def _definition_row(record: AnalysisRecord, file: str) -> dict[str, Any]:
    return {
        "key": record.key,
        "title": record.title,
        **record.question.model_dump(),
        "measure": record.measure,
        "method": record.method,
        "hksj": record.hksj,
        "zero_cell_add": record.zero_cell_add,
        "include_double_zero": record.include_double_zero,
        "file": file,
        "studies_definition": [study.model_dump() for study in record.studies],
    }


def _check_studies(connection: Connection, analyses: Sequence[AnalysisBundle]) -> None:
    named = {
        (study.trial, study.endpoint)
        for bundle in analyses
        for study in bundle.data.analysis.studies
    }
    if not named:
        return
    statement = (
        select(Trial.key, Endpoint.key)
        .join(Endpoint, Endpoint.trial_id == Trial.id)
        .where(tuple_(Trial.key, Endpoint.key).in_(sorted(named)))
    )
    existing = {(trial, endpoint) for trial, endpoint in connection.execute(statement)}
    trials = {key for (key,) in connection.execute(select(Trial.key))}
    problems: list[Problem] = []
    for bundle in analyses:
        for index, study in enumerate(bundle.data.analysis.studies):
            if (study.trial, study.endpoint) in existing:
                continue
            if study.trial not in trials:
                where, message = "trial", f"no trial {study.trial!r} in this load or the database"
            else:
                where, message = (
                    "endpoint",
                    f"trial {study.trial!r} has no endpoint {study.endpoint!r}",
                )
            problems.append(bundle.problem(("analysis", "studies", index, where), message))
    if problems:
        raise ValidationFailed(problems)


def saved_analyses(connection: Connection, key: str | None = None) -> list[SavedAnalysis]:
    """Every stored analysis (or the one named ``key``), in key order."""
    statement = select(MetaAnalysis).order_by(MetaAnalysis.key)
    if key is not None:
        statement = statement.where(MetaAnalysis.key == key)
    found = []
    for row in connection.execute(statement).mappings():
        record = AnalysisRecord(
            key=row["key"],
            title=row["title"],
            question={
                name: row[name] for name in ("population", "intervention", "comparator", "outcome")
            },
            measure=row["measure"],
            method=row["method"],
            hksj=row["hksj"],
            zero_cell_add=row["zero_cell_add"],
            include_double_zero=row["include_double_zero"],
            studies=row["studies_definition"],
        )
        found.append(SavedAnalysis(row["id"], row["key"], record))
    return found


def write_results(
    connection: Connection,
    analysis: SavedAnalysis,
    summary: dict[str, Any],
    studies: list[dict[str, Any]],
) -> None:
    """Replace the analysis's results (``summary``: the pooled fields) and its study rows."""
    columns = set(MetaAnalysis.__table__.columns.keys())
    values = {name: value for name, value in summary.items() if name in columns}
    connection.execute(update(MetaAnalysis).where(MetaAnalysis.id == analysis.id).values(values))
    connection.execute(
        delete(MetaAnalysisStudy).where(MetaAnalysisStudy.meta_analysis_id == analysis.id)
    )
    if studies:
        connection.execute(
            insert(MetaAnalysisStudy),
            [{**study, "meta_analysis_id": analysis.id} for study in studies],
        )
