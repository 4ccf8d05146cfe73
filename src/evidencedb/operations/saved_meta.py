"""Saved meta-analyses: computed from their stored definitions, on every load and on demand.

`compute_saved` pools what a saved analysis names (each trial's own endpoint) and lists every
named study that could not be used, with the reason; `refresh_saved_analyses` recomputes every
stored analysis and writes its results and study rows (the load operation calls it, in the
load's transaction, after the trials are written).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection

from evidencedb.analysis.meta.analysis import (
    POOLED_FIELDS,
    MetaOptions,
    MetaResult,
    meta_analyse,
    pooled_json,
)
from evidencedb.analysis.meta.studies import Excluded, Study, ZeroCellPolicy
from evidencedb.errors import NotFound
from evidencedb.loader.meta_analyses import SavedAnalysis, saved_analyses, write_results
from evidencedb.operations.meta import evidence_of
from evidencedb.query.meta_inputs import MetaSelection
from evidencedb.records.analysis_file import AnalysisRecord

__all__ = ["compute_saved", "refresh_saved_analyses", "saved_by_key"]


def saved_by_key(connection: Connection, key: str) -> SavedAnalysis:
    """The stored analysis ``key``, or NotFound naming the ones there are."""
    found = saved_analyses(connection, key)
    if not found:
        names = ", ".join(saved.key for saved in saved_analyses(connection)) or "(none)"
        raise NotFound(f"no saved analysis {key!r}; there are: {names}")
    return found[0]


def options_of(record: AnalysisRecord) -> MetaOptions:
    return MetaOptions(
        measure=record.measure,
        method=record.method,
        knha=record.hksj,
        zero_cells=ZeroCellPolicy(record.zero_cell_add, record.include_double_zero),
    )


def compute_saved(
    connection: Connection,
    record: AnalysisRecord,
    *,
    subgroup: str | None = None,
    leave_one_out: bool = False,
) -> MetaResult:
    """Pool the studies ``record`` names, each trial with its own endpoint (with subgroups or
    leave-one-out when asked: they are not part of what is stored)."""
    selection = MetaSelection(
        trials=tuple(study.trial for study in record.studies),
        endpoints=tuple(f"{study.trial}:{study.endpoint}" for study in record.studies),
    )
    evidence = evidence_of(connection, selection)
    options = replace(options_of(record), subgroup=subgroup, leave_one_out=leave_one_out)
    result = meta_analyse(evidence, options)
    present = {(item.trial_key, item.endpoint_key) for item in evidence}
    missing = [
        Excluded(study.trial, study.endpoint, "no results or comparisons for this endpoint")
        for study in record.studies
        if (study.trial, study.endpoint) not in present
    ]
    if missing:
        result = MetaResult(
            result.options,
            result.studies,
            result.excluded + missing,
            result.pooled,
            result.subgroups,
            result.without_each,
        )
    return result


def refresh_saved_analyses(connection: Connection) -> int:
    """Recompute every stored analysis and write its results; returns how many there are."""
    analyses = saved_analyses(connection)
    for saved in analyses:
        result = compute_saved(connection, saved.record)
        write_results(connection, saved, _summary(result), _study_rows(saved.record, result))
    return len(analyses)


def _summary(result: MetaResult) -> dict[str, Any]:
    if result.pooled is None:
        return {**dict.fromkeys(POOLED_FIELDS), "k": 0}
    return pooled_json(result.pooled, result.options.measure)


def _study_rows(record: AnalysisRecord, result: MetaResult) -> list[dict[str, Any]]:
    weights = result.pooled.weights if result.pooled is not None else ()
    pooled = {
        study.trial_key: (study, weight)
        for study, weight in zip(result.studies, weights, strict=True)
    }
    excluded = {item.trial_key: item for item in result.excluded}
    rows = []
    for position, named in enumerate(record.studies):
        row: dict[str, Any] = {
            "position": position,
            "trial_key": named.trial,
            "endpoint_key": named.endpoint,
        }
        if named.trial in pooled:
            row.update(_pooled_row(*pooled[named.trial]))
        else:
            reason = excluded.get(named.trial)
            row["excluded_reason"] = reason.reason if reason else "not pooled"
        rows.append(row)
    return rows


def _pooled_row(study: Study, weight: float) -> dict[str, Any]:
    return {
        "arm_key": study.arm_key,
        "comparator_arm_key": study.comparator_arm_key,
        "yi": study.effect.yi,
        "vi": study.effect.vi,
        "weight": weight,
        "basis": study.basis,
        "facts": [
            {
                "table": fact.table,
                "id": fact.id,
                "field": fact.field,
                "value": fact.value,
                "source_key": fact.source_key,
            }
            for fact in study.facts
        ],
    }
