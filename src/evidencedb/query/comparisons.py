"""Comparisons as `compare` and the forest plot read them: the comparisons flat view with
each arm's role and whether it was taken from another trial, in contrast order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from evidencedb.enums import ComparisonMeasure, ComparisonOrigin
from evidencedb.errors import NotFound
from evidencedb.query.facts import fetch_facts
from evidencedb.query.filters import FactFilters, filter_values, trial_conditions
from evidencedb.store.models import Arm, Endpoint, Trial

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

# The columns of a comparison row, in order: the view's, with, for each arm, whether it was
# taken from another trial (a control of the past).
COMPARISON_ROW_COLUMNS = (
    "trial_key",
    "endpoint_key",
    "endpoint_name",
    "endpoint_kind",
    "label",
    "timepoint_value",
    "timepoint_unit",
    "arm_key",
    "arm_label",
    "arm_role",
    "arm_from_other_trial",
    "comparator_arm_key",
    "comparator_arm_label",
    "comparator_role",
    "comparator_from_other_trial",
    "measure",
    "measure_label",
    "value",
    "ci_lower",
    "ci_upper",
    "ci_level",
    "p_value",
    "method",
    "origin",
    "randomized",
    "note",
    "source_key",
    "quote",
)


def comparison_rows(
    connection: Connection, filters: FactFilters = FactFilters()
) -> list[dict[str, Any]]:
    """The comparisons that `filters` select, one dict of COMPARISON_ROW_COLUMNS each,
    ordered by trial, endpoint, arms, label, measure, origin and source."""
    facts = fetch_facts(connection, "comparisons_flat", filters)
    from_other_trial = _arms_from_other_trials(connection, filters)
    rows = []
    for fact in facts:
        trial, comparator = fact["trial_key"], fact["comparator_arm_key"]
        found = {
            **fact,
            "arm_from_other_trial": (trial, fact["arm_key"]) in from_other_trial,
            "comparator_from_other_trial": (trial, comparator) in from_other_trial,
        }
        rows.append({column: found[column] for column in COMPARISON_ROW_COLUMNS})
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
    filters = FactFilters(trial=trial, endpoint=endpoint, origin=ComparisonOrigin.DERIVED)
    return comparison_rows(connection, filters)


def _arms_from_other_trials(connection: Connection, filters: FactFilters) -> set[tuple[str, str]]:
    """(trial key, arm key) of each arm taken from another trial (a control of the past) in
    the trials that `filters` select: a comparison's arms are arms of its own trial."""
    values = filter_values(filters)
    statement = (
        select(Trial.key, Arm.key)
        .join(Trial, Trial.id == Arm.trial_id)
        .where(Arm.source_trial_id.is_not(None), *trial_conditions(frozenset(values)))
    )
    return {(trial, arm) for trial, arm in connection.execute(statement, values)}


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
