"""Queries behind `compare` and the forest plot: between-arm estimates as flat rows.

Plain functions over a connection that return dicts; the CLI and the plot are layers over
them. Derived rows are the loader's (see `derive.py`); nothing here computes an estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from evidencedb.enums import NON_CONCURRENT_ROLES, ArmRole, ComparisonMeasure, ComparisonOrigin
from evidencedb.errors import NotFound
from evidencedb.store.fact_models import Comparison
from evidencedb.store.models import Arm, Endpoint, Source, Trial

# The order in which a trial's estimates for one contrast are listed.
_MEASURE_ORDER = {
    measure: rank
    for rank, measure in enumerate(
        [
            ComparisonMeasure.HAZARD_RATIO,
            ComparisonMeasure.RISK_DIFFERENCE,
            ComparisonMeasure.RISK_RATIO,
            ComparisonMeasure.ODDS_RATIO,
            ComparisonMeasure.NUMBER_NEEDED_TO_TREAT,
            ComparisonMeasure.RATE_DIFFERENCE,
            ComparisonMeasure.MEAN_DIFFERENCE,
            ComparisonMeasure.MEDIAN_DIFFERENCE,
            ComparisonMeasure.OTHER,
        ]
    )
}


def comparison_rows(
    connection: Connection,
    *,
    trials: Sequence[str] = (),
    endpoints: Sequence[str] = (),
    endpoint_kinds: Sequence[str] = (),
    measures: Sequence[str] = (),
    origins: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Comparisons with their trial, endpoint, arms and source, one dict per row, filtered by
    any of the given keys or values (an empty filter matches everything)."""
    comparator = aliased(Arm, name="comparator")
    statement = (
        select(
            Trial.key.label("trial_key"),
            Endpoint.key.label("endpoint_key"),
            Endpoint.name.label("endpoint_name"),
            Endpoint.kind.label("endpoint_kind"),
            Comparison.label,
            Arm.key.label("arm_key"),
            Arm.role.label("arm_role"),
            (Arm.source_trial_id.is_not(None)).label("arm_from_other_trial"),
            comparator.key.label("comparator_arm_key"),
            comparator.role.label("comparator_role"),
            (comparator.source_trial_id.is_not(None)).label("comparator_from_other_trial"),
            Comparison.measure,
            Comparison.measure_label,
            Comparison.value,
            Comparison.ci_lower,
            Comparison.ci_upper,
            Comparison.ci_level,
            Comparison.p_value,
            Comparison.method,
            Comparison.origin,
            Comparison.randomized,
            Comparison.note,
            Source.key.label("source_key"),
            Comparison.quote,
        )
        .join(Trial, Trial.id == Comparison.trial_id)
        .join(Endpoint, Endpoint.id == Comparison.endpoint_id)
        .join(Arm, Arm.id == Comparison.arm_id)
        .outerjoin(comparator, comparator.id == Comparison.comparator_arm_id)
        .join(Source, Source.id == Comparison.source_id)
    )
    if trials:
        statement = statement.where(Trial.key.in_(trials))
    if endpoints:
        statement = statement.where(Endpoint.key.in_(endpoints))
    if endpoint_kinds:
        statement = statement.where(Endpoint.kind.in_(endpoint_kinds))
    if measures:
        statement = statement.where(Comparison.measure.in_(measures))
    if origins:
        statement = statement.where(Comparison.origin.in_(origins))
    rows = []
    for row in connection.execute(statement):
        data = dict(row._mapping)
        data["contrast"] = describe_contrast(
            data["randomized"],
            [
                (data["arm_role"], bool(data.pop("arm_from_other_trial"))),
                (data["comparator_role"], bool(data.pop("comparator_from_other_trial"))),
            ],
        )
        rows.append(data)
    rows.sort(key=_order)
    return rows


def derived_for_trial(
    connection: Connection, trial: str, endpoint: str | None = None
) -> list[dict[str, Any]]:
    """The derived comparisons of one trial (of one of its endpoints), checking the keys."""
    found = connection.execute(select(Trial.id).where(Trial.key == trial)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no trial {trial!r}; `evidencedb trials` lists them")
    if endpoint is not None:
        exists = connection.execute(
            select(Endpoint.id).where(Endpoint.trial_id == found, Endpoint.key == endpoint)
        ).scalar_one_or_none()
        if exists is None:
            keys = connection.execute(
                select(Endpoint.key).where(Endpoint.trial_id == found).order_by(Endpoint.key)
            ).scalars()
            raise NotFound(
                f"trial {trial!r} has no endpoint {endpoint!r}; it has: "
                f"{', '.join(keys) or '(none)'}"
            )
    return comparison_rows(
        connection,
        trials=[trial],
        endpoints=[endpoint] if endpoint is not None else [],
        origins=[ComparisonOrigin.DERIVED],
    )


def describe_contrast(randomized: bool | None, arms: Sequence[tuple[ArmRole | None, bool]]) -> str:
    """'randomised', 'non-randomised (historical control)', ... for a comparison's arms,
    given as (role, taken from another trial)."""
    if randomized is None:
        return "not known"
    if randomized:
        return "randomised"
    for role, from_other_trial in arms:
        if role in NON_CONCURRENT_ROLES:
            return f"non-randomised ({str(role).replace('_', ' ')})"
        if from_other_trial:
            return "non-randomised (control from another trial)"
    return "non-randomised"


def _order(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["trial_key"],
        row["endpoint_key"],
        row["arm_key"],
        row["comparator_arm_key"] or "",
        row["label"],
        _MEASURE_ORDER.get(row["measure"], len(_MEASURE_ORDER)),
        str(row["origin"]),
        row["source_key"],
    )
