"""What a meta-analysis reads: each selected endpoint's arm-level results and reported comparisons.

Rows, not statistics: `endpoint_results` gives one row per arm-level result of the whole arm
(no subgroup, no category), `endpoint_comparisons` one row per reported between-arm estimate,
each with its trial, endpoint and arms, the fact's id, source, quote and locator. The
operation turns them into `analysis.meta` evidence. Derived comparisons are not read: they are
computed from the same results, and would count a trial twice.

``--intervention`` keeps the trials in which some arm receives the intervention (the
comparator arm usually does not); ``--endpoint`` takes a key, or ``TRIAL:ENDPOINT`` to name a
different endpoint in each trial.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import aliased

from evidencedb.enums import ComparisonOrigin
from evidencedb.query.filters import (
    FactFilters,
    equal_conditions,
    filter_values,
    trial_conditions,
    trial_receives,
)
from evidencedb.query.statement import AnySelect, Names
from evidencedb.store.fact_models import Comparison, Result
from evidencedb.store.models import Arm, Endpoint, Trial
from evidencedb.store.source_models import Source

__all__ = ["MetaSelection", "endpoint_comparisons", "endpoint_results"]

# The trial's own columns a subgroup analysis may split on.
SUBGROUP_FIELDS = ("design", "phase", "status", "comparator_role", "endpoint_kind")


@dataclass(frozen=True)
class MetaSelection:
    """The studies a meta-analysis selects: trials, endpoints (``KEY`` or ``TRIAL:KEY``), ..."""

    trials: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    endpoint_kind: str | None = None
    intervention: str | None = None
    timepoint: float | None = None
    timepoint_unit: str | None = None

    def filters(self) -> FactFilters:
        return FactFilters(
            trial=self.trials or None,
            intervention=self.intervention,
            endpoint_kind=self.endpoint_kind,
            timepoint=self.timepoint,
            timepoint_unit=self.timepoint_unit,
        )

    def keeps(self, trial_key: str, endpoint_key: str) -> bool:
        """Whether ``--endpoint`` keeps this trial's endpoint (every endpoint without it)."""
        if not self.endpoints:
            return True
        return endpoint_key in self.endpoints or f"{trial_key}:{endpoint_key}" in self.endpoints


_ENDPOINT_COLUMNS: dict[str, Any] = {
    "endpoint_kind": Endpoint.kind,
    "timepoint": Endpoint.timepoint_value,
}


def _conditions(names: Names) -> list[Any]:
    found = trial_conditions(names)
    if "intervention" in names:
        found.append(trial_receives(names))
    found.extend(equal_conditions(names, _ENDPOINT_COLUMNS))
    if "timepoint_unit" in names:
        found.append(func.lower(Endpoint.timepoint_unit) == bindparam("timepoint_unit"))
    return found


_TRIAL_AND_ENDPOINT = (
    Trial.key.label("trial_key"),
    Trial.title.label("trial_title"),
    Trial.acronym.label("trial_acronym"),
    Trial.design,
    Trial.phase,
    Trial.status,
    Endpoint.key.label("endpoint_key"),
    Endpoint.name.label("endpoint_name"),
    Endpoint.kind.label("endpoint_kind"),
    Endpoint.timepoint_value,
    Endpoint.timepoint_unit,
)


def _results(names: Names) -> AnySelect:
    return (
        select(
            *_TRIAL_AND_ENDPOINT,
            Arm.key.label("arm_key"),
            Arm.label.label("arm_label"),
            Arm.role.label("arm_role"),
            Arm.n_analyzed.label("arm_n_analyzed"),
            Result.id,
            Result.value,
            Result.value_qualifier,
            Result.unit,
            Result.numerator,
            Result.denominator,
            Result.spread,
            Result.spread_type,
            Result.n_analyzed,
            Source.key.label("source_key"),
            Result.quote,
            Result.locator,
        )
        .select_from(Result)
        .join(Trial, Trial.id == Result.trial_id)
        .join(Arm, Arm.id == Result.arm_id)
        .join(Endpoint, Endpoint.id == Result.endpoint_id)
        .join(Source, Source.id == Result.source_id)
        .where(Result.subgroup == "", Result.category == "", *_conditions(names))
        .order_by(Trial.key, Endpoint.key, Source.key, Arm.key, Result.id)
    )


_COMPARATOR = aliased(Arm, name="meta_comparator_arms")


def _comparisons(names: Names) -> AnySelect:
    return (
        select(
            *_TRIAL_AND_ENDPOINT,
            Arm.key.label("arm_key"),
            Arm.role.label("arm_role"),
            _COMPARATOR.key.label("comparator_arm_key"),
            _COMPARATOR.role.label("comparator_role"),
            Comparison.id,
            Comparison.measure,
            Comparison.value,
            Comparison.ci_lower,
            Comparison.ci_upper,
            Comparison.ci_level,
            Comparison.direction_basis,
            Source.key.label("source_key"),
            Comparison.quote,
            Comparison.locator,
        )
        .select_from(Comparison)
        .join(Trial, Trial.id == Comparison.trial_id)
        .join(Arm, Arm.id == Comparison.arm_id)
        .join(_COMPARATOR, _COMPARATOR.id == Comparison.comparator_arm_id)
        .join(Endpoint, Endpoint.id == Comparison.endpoint_id)
        .join(Source, Source.id == Comparison.source_id)
        .where(
            Comparison.origin == ComparisonOrigin.REPORTED,
            Comparison.value.is_not(None),
            *_conditions(names),
        )
        .order_by(Trial.key, Endpoint.key, Source.key, Comparison.id)
    )


def _fetch(connection: Connection, build: Any, selection: MetaSelection) -> list[dict[str, Any]]:
    values = filter_values(selection.filters())
    rows = connection.execute(build(frozenset(values)), values).mappings()
    return [dict(row) for row in rows if selection.keeps(row["trial_key"], row["endpoint_key"])]


def endpoint_results(connection: Connection, selection: MetaSelection) -> list[dict[str, Any]]:
    """The whole-arm results of the selected endpoints, by trial, endpoint, source and arm."""
    return _fetch(connection, _results, selection)


def endpoint_comparisons(connection: Connection, selection: MetaSelection) -> list[dict[str, Any]]:
    """The reported comparisons (with a value) of the selected endpoints."""
    return _fetch(connection, _comparisons, selection)
