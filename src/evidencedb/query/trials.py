"""Trials: the filtered list (`evidencedb trials`) and one trial in full (`evidencedb trial`)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import aliased

from evidencedb.errors import NotFound
from evidencedb.query.baseline import fetch_arm_rows
from evidencedb.query.facts import FACT_VIEWS, fetch_facts, registry_ids_of
from evidencedb.query.filters import (
    FactFilters,
    TrialFilters,
    filter_values,
    trial_conditions,
    trial_receives,
    trial_text_conditions,
)
from evidencedb.query.paging import Page, PageOf, page_of
from evidencedb.query.statement import AnySelect, Names, Row
from evidencedb.store.fact_models import Result
from evidencedb.store.models import (
    Arm,
    ArmIntervention,
    Endpoint,
    Intervention,
    Trial,
    TrialIdentifier,
)
from evidencedb.store.source_models import Source, TrialSource


@functools.cache
def _trials(names: Names) -> AnySelect:
    conditions = [*trial_conditions(names), *trial_text_conditions(names)]
    if "intervention" in names:
        conditions.append(trial_receives(names))
    first: list[Any] = [Trial.key, Trial.title, Trial.acronym, Trial.design, Trial.phase]
    first += [Trial.status, Trial.condition, Trial.enrollment]
    named = {column.name for column in first}
    # Every other column of the table after those, whatever columns later revisions add.
    others = [
        column
        for column in Trial.__table__.columns
        if column.name not in named and column.name not in ("id", "source_id")
    ]
    return (
        select(
            *first,
            registry_ids_of(Trial.id),
            select(func.count(Result.id))
            .where(Result.trial_id == Trial.id)
            .scalar_subquery()
            .label("results"),
            *others,
            select(Source.key)
            .where(Source.id == Trial.source_id)
            .scalar_subquery()
            .label("source_key"),
        )
        .where(*conditions)
        .order_by(Trial.key)
    )


def list_trials(connection: Connection, filters: TrialFilters = TrialFilters()) -> list[Row]:
    """The trials that `filters` select, by key: every column of the table, with their registry
    ids, result count and source."""
    values = filter_values(filters)
    statement = _trials(frozenset(values))
    return [dict(row._mapping) for row in connection.execute(statement, values)]


def list_trial_page(connection: Connection, filters: TrialFilters, page: Page) -> PageOf:
    """A page of `list_trials`, by keyset on the trial's key (`query.paging`)."""
    values = filter_values(filters)
    statement = _trials(frozenset(values))
    return page_of(connection, statement, _trials(frozenset()), Trial.key, values, page)


# The statements of `trial_detail`, built once: building them (an alias, six selects) took
# longer than SQLite took to answer them, and the web view's trial page runs them all.
_SOURCE_OF_REPORT = aliased(Source, name="reported_sources")
_CONTROL_TRIAL = aliased(Trial, name="control_trials")
_TRIAL = select(Trial).where(Trial.key == bindparam("key"))
_SOURCE_KEY = select(Source.key).where(Source.id == bindparam("source_id"))
_IDENTIFIERS = (
    select(TrialIdentifier.registry_name.label("registry"), TrialIdentifier.value)
    .where(TrialIdentifier.trial_id == bindparam("trial_id"))
    .order_by(TrialIdentifier.registry_name, TrialIdentifier.value)
)
_SOURCES = (
    select(
        Source.key,
        Source.kind,
        TrialSource.relation,
        Source.title,
        Source.citation,
        Source.doi,
        _SOURCE_OF_REPORT.key.label("reports_on"),
    )
    .join(TrialSource, TrialSource.source_id == Source.id)
    .outerjoin(_SOURCE_OF_REPORT, _SOURCE_OF_REPORT.id == Source.reports_on_id)
    .where(TrialSource.trial_id == bindparam("trial_id"))
    .order_by(Source.key)
)
_ARMS = (
    select(
        Arm.id,
        Arm.key,
        Arm.label,
        Arm.role,
        Arm.n_enrolled,
        Arm.n_analyzed,
        Arm.description,
        _CONTROL_TRIAL.key.label("source_trial"),
    )
    .outerjoin(_CONTROL_TRIAL, _CONTROL_TRIAL.id == Arm.source_trial_id)
    .where(Arm.trial_id == bindparam("trial_id"))
    .order_by(Arm.id)
)
_ARM_INTERVENTIONS = (
    select(
        ArmIntervention.arm_id,
        Intervention.key.label("intervention"),
        Intervention.name,
        ArmIntervention.dose,
        ArmIntervention.route,
        ArmIntervention.schedule,
        ArmIntervention.timing,
    )
    .join(Intervention, Intervention.id == ArmIntervention.intervention_id)
    .where(ArmIntervention.trial_id == bindparam("trial_id"))
    .order_by(ArmIntervention.id)
)
_ENDPOINTS = (
    select(
        *(
            column
            for column in Endpoint.__table__.columns
            if column.name not in ("id", "trial_id", "source_id")
        )
    )
    .where(Endpoint.trial_id == bindparam("trial_id"))
    .order_by(Endpoint.id)
)


def trial_detail(connection: Connection, key: str) -> dict[str, Any]:
    """One trial in full: description, identifiers, sources, arms with interventions,
    endpoints, results, comparisons, adverse events, baseline measurements and participant
    flow."""
    trial = connection.execute(_TRIAL, {"key": key}).one_or_none()
    if trial is None:
        raise NotFound(f"no trial with key {key!r}; `evidencedb trials` lists them")
    of_trial = {"trial_id": trial.id}
    detail: dict[str, Any] = {
        column: value
        for column, value in trial._mapping.items()
        if column not in ("id", "source_id")
    }
    detail["source_key"] = connection.execute(
        _SOURCE_KEY, {"source_id": trial.source_id}
    ).scalar_one()
    detail["identifiers"] = _rows(connection, _IDENTIFIERS, of_trial)
    detail["sources"] = _rows(connection, _SOURCES, of_trial)
    arms = _rows(connection, _ARMS, of_trial)
    given = _rows(connection, _ARM_INTERVENTIONS, of_trial)
    for arm in arms:
        arm["interventions"] = [
            {k: v for k, v in item.items() if k != "arm_id"}
            for item in given
            if item["arm_id"] == arm["id"]
        ]
        del arm["id"]
    detail["arms"] = arms
    detail["endpoints"] = _rows(connection, _ENDPOINTS, of_trial)
    for view in FACT_VIEWS:
        section = view.removesuffix("_flat")
        detail[section] = [
            dict(row) for row in fetch_facts(connection, view, FactFilters(trial=key))
        ]
    of_this_trial = FactFilters(trial=key)
    baseline = fetch_arm_rows(connection, "baseline", of_this_trial)
    detail["baseline_measurements"] = [dict(row) for row in baseline]
    flow = fetch_arm_rows(connection, "flow", of_this_trial)
    detail["participant_flow"] = [dict(row) for row in flow]
    return detail


def trial_title(connection: Connection, key: str) -> str | None:
    """The title of the trial `key`; None when there is no such trial."""
    return connection.execute(_TITLE, {"key": key}).scalar()


_TITLE = select(Trial.title).where(Trial.key == bindparam("key"))


def _rows(
    connection: Connection, statement: AnySelect, values: dict[str, Any]
) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(statement, values)]
