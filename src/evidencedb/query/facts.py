"""The flat fact views of the export contract: results, comparisons and adverse events.

Each view is one SELECT, one row per fact, joined so that a person can read it in a
spreadsheet. The `results` / `comparisons` / `adverse-events` commands, `trial`, `compare` and
`export csv` all read these, so a column means the same wherever it appears.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Text,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeEngine

from evidencedb.enums import AE_GRADE_RANGES
from evidencedb.query.filters import FactFilters, equal_conditions, fact_conditions, filter_values
from evidencedb.query.paging import Page, PageOf, page_of
from evidencedb.query.statement import AnySelect, Names, contains, with_values
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import Arm, Endpoint, Trial, TrialIdentifier
from evidencedb.store.source_models import Source


def registry_ids_of(trial_id: Any) -> Any:
    """'NCT02210780; EUDRACT:2014-000000-00': the registry ids of the trial `trial_id`, as a
    correlated subquery, so that a filtered query reads the identifiers of its own trials
    only (by the index on trial_id) instead of aggregating every trial's first."""
    registry = type_coerce(TrialIdentifier.registry_name, Text())
    label = case(
        (TrialIdentifier.registry_name == "nct", TrialIdentifier.value),
        else_=registry + ":" + TrialIdentifier.value,
    )
    return (
        select(func.aggregate_strings(label, "; "))
        .where(TrialIdentifier.trial_id == trial_id)
        .scalar_subquery()
        .label("registry_ids")
    )


@functools.cache
def _results_flat(names: Names) -> AnySelect:
    return (
        select(
            Trial.key.label("trial_key"),
            Trial.title.label("trial_title"),
            registry_ids_of(Result.trial_id),
            Arm.key.label("arm_key"),
            Arm.label.label("arm_label"),
            Arm.role.label("arm_role"),
            Endpoint.key.label("endpoint_key"),
            Endpoint.name.label("endpoint_name"),
            Endpoint.kind.label("endpoint_kind"),
            Endpoint.role.label("endpoint_role"),
            Endpoint.timepoint_value,
            Endpoint.timepoint_unit,
            Result.subgroup,
            Result.category,
            Result.value,
            Result.unit,
            Result.numerator,
            Result.denominator,
            Result.ci_lower,
            Result.ci_upper,
            Result.ci_level,
            Source.key.label("source_key"),
            Source.doi.label("source_doi"),
            Result.quote,
            # Added after the contract's columns, never between them.
            Result.value_qualifier,
            Result.spread,
            Result.spread_type,
            Result.n_analyzed,
            Result.note,
            Result.locator,
            Result.spread_lower,
            Result.spread_upper,
            Endpoint.measure.label("endpoint_measure"),
            Endpoint.domain.label("endpoint_domain"),
            Endpoint.time_frame,
            Result.parameter_type,
            Result.value_raw,
            Result.spread_raw,
            Result.lower_limit_raw,
            Result.upper_limit_raw,
            Result.units_analyzed,
            Result.analysis_unit,
        )
        .select_from(Result)
        .join(Trial, Trial.id == Result.trial_id)
        .join(Arm, Arm.id == Result.arm_id)
        .join(Endpoint, Endpoint.id == Result.endpoint_id)
        .join(Source, Source.id == Result.source_id)
        .where(*fact_conditions(names, has_endpoint=True, arm_id=Result.arm_id, quote=Result.quote))
        .order_by(Result.id)
    )


# Made once: the columns of an alias are adapted on first use and memoised on it, which a
# fresh alias per query would repeat (most of the time it took to build the query).
_COMPARATOR = aliased(Arm, name="comparator_arms")


@functools.cache
def _comparisons_flat(names: Names) -> AnySelect:
    comparator = _COMPARATOR
    return (
        select(
            Trial.key.label("trial_key"),
            Endpoint.key.label("endpoint_key"),
            Endpoint.kind.label("endpoint_kind"),
            Arm.key.label("arm_key"),
            comparator.key.label("comparator_arm_key"),
            comparator.role.label("comparator_role"),
            Comparison.measure,
            Comparison.value,
            Comparison.ci_lower,
            Comparison.ci_upper,
            Comparison.ci_level,
            Comparison.p_value,
            Comparison.origin,
            Comparison.randomized,
            Source.key.label("source_key"),
            Comparison.quote,
            Comparison.label,
            Comparison.measure_label,
            Comparison.p_value_qualifier,
            Comparison.method,
            Comparison.group_keys,
            Comparison.note,
            Comparison.locator,
            # So that a spreadsheet needs no join to read the row.
            Endpoint.name.label("endpoint_name"),
            Endpoint.timepoint_value,
            Endpoint.timepoint_unit,
            Arm.label.label("arm_label"),
            Arm.role.label("arm_role"),
            comparator.label.label("comparator_arm_label"),
            Comparison.direction_basis,
            Comparison.measure_detail,
            Comparison.value_raw,
            Comparison.p_value_raw,
            Comparison.ci_lower_raw,
            Comparison.ci_upper_raw,
            Comparison.description,
            Comparison.statistical_comment,
            Comparison.estimate_comment,
            Comparison.non_inferiority_type,
            Comparison.non_inferiority_comment,
            Comparison.ci_sides,
            Comparison.dispersion_type,
            Comparison.dispersion_value,
        )
        .select_from(Comparison)
        .join(Trial, Trial.id == Comparison.trial_id)
        .join(Arm, Arm.id == Comparison.arm_id)
        .outerjoin(comparator, comparator.id == Comparison.comparator_arm_id)
        .join(Endpoint, Endpoint.id == Comparison.endpoint_id)
        .join(Source, Source.id == Comparison.source_id)
        .where(
            *fact_conditions(
                names, has_endpoint=True, arm_id=Comparison.arm_id, quote=Comparison.quote
            )
        )
        .where(
            *equal_conditions(names, {"measure": Comparison.measure, "origin": Comparison.origin})
        )
        .order_by(Comparison.id)
    )


def grade_floor() -> ColumnElement[Any]:
    """The lowest grade an adverse-event row covers: '3', '>=3' and '3-4' give 3; '' gives 0."""
    return case(
        *(
            (AdverseEvent.grade.in_((str(n), f">={n}", *_ranges_from(n))), literal(n))
            for n in range(1, 6)
        ),
        else_=literal(0),
    )


def _ranges_from(low: int) -> list[str]:
    return [grades for grades in AE_GRADE_RANGES if grades.startswith(f"{low}-")]


def _adverse_event_conditions(names: Names) -> list[ColumnElement[bool]]:
    """The conditions of the filters that only adverse events have."""
    found = equal_conditions(
        names, {"serious": AdverseEvent.category, "event_category": AdverseEvent.category}
    )
    if "min_grade" in names:
        found.append(grade_floor() >= bindparam("min_grade"))
    if "term" in names:
        found.append(contains(AdverseEvent.term, bindparam("term")))
    return found


@functools.cache
def _adverse_events_flat(names: Names) -> AnySelect:
    return (
        select(
            Trial.key.label("trial_key"),
            Arm.key.label("arm_key"),
            Arm.label.label("arm_label"),
            Arm.role.label("arm_role"),
            AdverseEvent.term,
            AdverseEvent.category,
            AdverseEvent.grade,
            AdverseEvent.organ_system,
            AdverseEvent.participants_affected,
            AdverseEvent.participants_at_risk,
            AdverseEvent.event_count,
            Source.key.label("source_key"),
            AdverseEvent.quote,
            AdverseEvent.is_aggregate,
            AdverseEvent.vocabulary,
            AdverseEvent.time_frame,
            AdverseEvent.note,
            AdverseEvent.locator,
            AdverseEvent.participants_affected_raw,
            AdverseEvent.participants_at_risk_raw,
            AdverseEvent.event_count_raw,
            AdverseEvent.participants_affected_percent,
        )
        .select_from(AdverseEvent)
        .join(Trial, Trial.id == AdverseEvent.trial_id)
        .join(Arm, Arm.id == AdverseEvent.arm_id)
        .join(Source, Source.id == AdverseEvent.source_id)
        .where(
            *fact_conditions(
                names, has_endpoint=False, arm_id=AdverseEvent.arm_id, quote=AdverseEvent.quote
            )
        )
        .where(*_adverse_event_conditions(names))
        .order_by(AdverseEvent.id)
    )


FactView: TypeAlias = Literal["results_flat", "comparisons_flat", "adverse_events_flat"]
FACT_VIEWS: dict[FactView, Callable[[Names], AnySelect]] = {
    "results_flat": _results_flat,
    "comparisons_flat": _comparisons_flat,
    "adverse_events_flat": _adverse_events_flat,
}


# The unique column each view is ordered by: the key of its pages.
_ORDER_KEYS: dict[FactView, Any] = {
    "results_flat": Result.id,
    "comparisons_flat": Comparison.id,
    "adverse_events_flat": AdverseEvent.id,
}


def fetch_facts(
    connection: Connection, view: FactView, filters: FactFilters = FactFilters()
) -> Sequence[RowMapping]:
    """The rows of the flat view `view` that `filters` select, in the view's order: the
    statement kept for this combination of filters, with their values as parameters."""
    values = filter_values(filters)
    statement = FACT_VIEWS[view](frozenset(values))
    return connection.execute(statement, values).mappings().all()


def fetch_fact_page(
    connection: Connection, view: FactView, filters: FactFilters, page: Page
) -> PageOf:
    """A page of `fetch_facts`, by keyset on the fact's id (`query.paging`); its keys are ids."""
    values = filter_values(filters)
    build = FACT_VIEWS[view]
    return page_of(
        connection, build(frozenset(values)), build(frozenset()), _ORDER_KEYS[view], values, page
    )


def fact_statement(view: FactView, filters: FactFilters = FactFilters()) -> AnySelect:
    """The SELECT of `fetch_facts` with the values of `filters` in it: for the CSV export,
    EXPLAIN and tests (a copy of the kept statement; `fetch_facts` runs it faster)."""
    values = filter_values(filters)
    return with_values(FACT_VIEWS[view](frozenset(values)), values)


def results_flat(filters: FactFilters = FactFilters()) -> AnySelect:
    return fact_statement("results_flat", filters)


def comparisons_flat(filters: FactFilters = FactFilters()) -> AnySelect:
    return fact_statement("comparisons_flat", filters)


def adverse_events_flat(filters: FactFilters = FactFilters()) -> AnySelect:
    return fact_statement("adverse_events_flat", filters)


# What the views' columns mean ------------------------------------------------------------

# The columns a view names itself (a column taken as it is from a table has that column's
# comment as its description).
_VIEW_DESCRIPTIONS = {
    "trial_key": "Natural key of the trial.",
    "trial_title": "Title of the trial.",
    "registry_ids": "Registry identifiers of the trial, '; '-separated (NCT ids bare).",
    "arm_key": "Natural key of the arm within its trial.",
    "arm_label": "Label of the arm.",
    "arm_role": "Role of the arm.",
    "endpoint_key": "Natural key of the endpoint within its trial.",
    "endpoint_name": "Name of the endpoint.",
    "endpoint_kind": "Kind of outcome.",
    "endpoint_role": "Primary, secondary, ... endpoint.",
    "endpoint_measure": "What the endpoint's values are: proportion, km_estimate, median, ...",
    "endpoint_domain": "Efficacy or safety.",
    "comparator_arm_key": "Natural key of the comparator arm.",
    "comparator_arm_label": "Label of the comparator arm.",
    "comparator_role": "Role of the comparator arm (historical_control: not randomised).",
    "source_key": "Natural key of the source that states the fact.",
    "source_doi": "DOI of that source.",
}


@dataclass(frozen=True)
class FactColumn:
    """One column of a flat view, as the data dictionary describes it."""

    name: str
    type: TypeEngine[Any]
    description: str


def fact_columns(view: FactView) -> list[FactColumn]:
    """The columns of the flat view `view`, in order, with their type and description."""
    found = []
    for selected in FACT_VIEWS[view](frozenset()).selected_columns:
        name = str(selected.key)
        table_column = getattr(selected, "element", selected)  # a renamed column is a Label
        comment = getattr(table_column, "comment", None) or ""
        found.append(FactColumn(name, selected.type, _VIEW_DESCRIPTIONS.get(name, comment)))
    return found
