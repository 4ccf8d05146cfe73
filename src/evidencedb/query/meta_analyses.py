"""Saved meta-analyses as stored: their definitions with the results of the last load, the
analyses a trial is in, and the natural keys of the facts a study was computed from.

The web view lists analyses from here and links a pooled study's input numbers to their
provenance pages, which are addressed by a fact's natural key rather than its id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import aliased

from evidencedb.query.statement import Row
from evidencedb.store.fact_models import Comparison, Result
from evidencedb.store.meta_models import MetaAnalysis, MetaAnalysisStudy
from evidencedb.store.models import Arm, Endpoint, Trial
from evidencedb.store.source_models import Source

_LISTED = [
    column
    for column in MetaAnalysis.__table__.columns
    if column.name not in ("id", "studies_definition")
]
_ANALYSES = select(*_LISTED).order_by(MetaAnalysis.key)
_OF_TRIAL = (
    select(
        MetaAnalysis.key,
        MetaAnalysis.title,
        MetaAnalysisStudy.endpoint_key,
        MetaAnalysisStudy.excluded_reason,
    )
    .join(MetaAnalysis, MetaAnalysis.id == MetaAnalysisStudy.meta_analysis_id)
    .where(MetaAnalysisStudy.trial_key == bindparam("trial_key"))
    .order_by(MetaAnalysis.key)
)


def stored_analyses(connection: Connection) -> list[Row]:
    """Every saved analysis by key: its question, model and the results of the last load."""
    return [dict(row._mapping) for row in connection.execute(_ANALYSES)]


def analyses_of_trial(connection: Connection, trial_key: str) -> list[Row]:
    """The saved analyses that name the trial `trial_key`: key, title, the endpoint used, and
    why the trial was left out (None when it was pooled), as of the last load."""
    rows = connection.execute(_OF_TRIAL, {"trial_key": trial_key})
    return [dict(row._mapping) for row in rows]


_COMPARATOR = aliased(Arm, name="comparator_arms")


def _keys_of(model: Any) -> Any:
    """The natural key of a fact of `model`, named as the columns of its flat view."""
    columns = [
        model.id,
        Trial.key.label("trial_key"),
        Endpoint.key.label("endpoint_key"),
        Arm.key.label("arm_key"),
        Source.key.label("source_key"),
    ]
    if model is Result:
        columns += [Result.subgroup, Result.category]
    else:
        columns += [
            _COMPARATOR.key.label("comparator_arm_key"),
            Comparison.measure,
            Comparison.origin,
            Comparison.label,
        ]
    statement = (
        select(*columns)
        .join(Trial, Trial.id == model.trial_id)
        .join(Endpoint, Endpoint.id == model.endpoint_id)
        .join(Arm, Arm.id == model.arm_id)
        .join(Source, Source.id == model.source_id)
    )
    if model is Comparison:
        statement = statement.outerjoin(_COMPARATOR, _COMPARATOR.id == Comparison.comparator_arm_id)
    return statement.where(model.id.in_(bindparam("ids", expanding=True)))


_FACT_KEYS = {"results": _keys_of(Result), "comparisons": _keys_of(Comparison)}


def fact_keys(connection: Connection, table: str, ids: Iterable[int]) -> dict[int, Row]:
    """The natural keys of the facts `ids` of `table` (results or comparisons), by id, with the
    column names of the table's flat view; a fact that is gone is not in the answer."""
    wanted = sorted(set(ids))
    if table not in _FACT_KEYS or not wanted:
        return {}
    rows = connection.execute(_FACT_KEYS[table], {"ids": wanted})
    return {row.id: dict(row._mapping) for row in rows}
