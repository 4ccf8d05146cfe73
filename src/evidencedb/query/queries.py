"""Queries: plain functions over a connection that return rows (mappings).

The CLI's query commands and the CSV exporter are thin layers over these. Every filter value
reaches the database as a bound parameter. The three flat views of the export contract are
defined here once (`results_flat`, `comparisons_flat`, `adverse_events_flat`) and used by
both the `results` / `comparisons` / `adverse-events` commands and `export csv`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    RowMapping,
    Select,
    Text,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    table,
    true,
    type_coerce,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from evidencedb.enums import AdverseEventCategory
from evidencedb.errors import NotFound
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import (
    Arm,
    ArmIntervention,
    Endpoint,
    Intervention,
    Source,
    Trial,
    TrialIdentifier,
    TrialSource,
)

Row = Mapping[str, Any]
# Any SELECT, whatever its columns (Select is generic over the column types in SQLAlchemy 2.1).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], pattern: BindParameter[str]
) -> ColumnElement[bool]:
    """`column` matches `pattern` (a pattern of `_like`), case-insensitively."""
    return column.ilike(pattern, escape="\\")


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


# Filters ---------------------------------------------------------------------------------
#
# Every filter's value reaches the database as a named bound parameter, and the statement of
# each combination of filters is built once per process and kept: building a join of six
# tables in SQLAlchemy and computing the key of its compiled form took longer than the
# database took to answer it (about 1 ms of 1.5 for `results --trial` at 20,000 records).
# `_values` turns filters into parameters; the set of their names decides the statement (one
# kept per combination a program uses: a few in a CLI process).

Values: TypeAlias = dict[str, Any]
Names: TypeAlias = frozenset[str]

# Filters matched anywhere in the text, case-insensitively: their parameter is a LIKE pattern.
_PATTERNS = ("condition", "text", "term")


def _values(filters: TrialFilters | FactFilters) -> Values:
    """The bound parameters of the filters that are set (text that is not empty, any other
    value that is not None), named as in the statements that `_trial_conditions` and
    `_fact_conditions` build."""
    values: Values = {
        name: value for name, value in vars(filters).items() if value is not None and value != ""
    }
    for name in _PATTERNS:
        if name in values:
            values[name] = _like(values[name])
    if "registry_id" in values:
        values["registry_id"] = values["registry_id"].upper()
    if "timepoint_unit" in values:
        values["timepoint_unit"] = values["timepoint_unit"].lower()
    if "serious" in values:  # two statements: category = 'serious', category <> 'serious'
        values["serious" if values.pop("serious") else "non_serious"] = AdverseEventCategory.SERIOUS
    if "intervention" in values:
        values.update(_intervention_values(values["intervention"]))
    return values


def _with_values(statement: AnySelect, values: Values) -> AnySelect:
    """A kept statement with `values` in it, for callers that want a statement rather than
    rows (the CSV export, EXPLAIN, tests). A copy: the kept one stays without values."""
    return statement.params(values) if values else statement


@dataclass(frozen=True)
class TrialFilters:
    trial: str | None = None
    intervention: str | None = None
    condition: str | None = None
    design: str | None = None
    phase: str | None = None
    registry_id: str | None = None
    text: str | None = None


def _trial_conditions(names: Names) -> list[ColumnElement[bool]]:
    """The conditions on the trial of the filters `names` (TrialFilters' own, and those of
    FactFilters that concern the trial)."""
    found: list[ColumnElement[bool]] = []
    if "trial" in names:
        found.append(Trial.key == bindparam("trial"))
    if "condition" in names:
        found.append(_contains(Trial.condition, bindparam("condition")))
    if "design" in names:
        found.append(Trial.design == bindparam("design"))
    if "phase" in names:
        found.append(Trial.phase == bindparam("phase"))
    if "registry_id" in names:
        found.append(
            exists().where(
                TrialIdentifier.trial_id == Trial.id,
                func.upper(TrialIdentifier.value) == bindparam("registry_id"),
            )
        )
    if "text" in names:
        pattern: BindParameter[str] = bindparam("text")
        columns = (Trial.key, Trial.title, Trial.acronym, Trial.condition, Trial.population)
        found.append(or_(*(_contains(column, pattern) for column in columns)))
    return found


# `--intervention TEXT` matches an intervention whose key is TEXT, whose name or class contains
# TEXT, or whose target is TEXT, case-insensitively. Revision 0002 indexes all four: the key's
# UNIQUE index; on SQLite an FTS5 trigram table over name, class and target; on PostgreSQL
# pg_trgm GIN indexes on name and class and a B-tree on lower(target). Trigram indexes cannot
# serve a TEXT of fewer than 3 characters: those read every intervention, as before.
TRIGRAM = 3

# The FTS5 table of revision 0002 (SQLite only); its rowid is the intervention's id.
_search = table(
    "interventions_search",
    column("rowid", Integer()),
    column("interventions_search", Text()),
)


class _by_dialect(FunctionElement[bool]):
    """A condition that reads objects of one database only: its first argument on SQLite,
    its second on PostgreSQL, TRUE elsewhere. Cached like any function (the parameters of
    both arguments are part of the cache key)."""

    type = Boolean()
    inherit_cache = True
    name = "by_dialect"
    _is_implicitly_boolean = True  # a condition as it is, not `by_dialect(...) = 1`


@compiles(_by_dialect)
def _by_dialect_elsewhere(element: _by_dialect, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(true(), **kw)


@compiles(_by_dialect, "sqlite")
def _by_dialect_sqlite(element: _by_dialect, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(_by_dialect, "postgresql")
def _by_dialect_postgresql(element: _by_dialect, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses.clauses[1], **kw)


def _phrase(text: str) -> str:
    """An FTS5 string (a phrase): the text between double quotes is data, `""` a quote."""
    return '"' + text.replace('"', '""') + '"'


def _intervention_values(text: str) -> Values:
    """The parameters of `--intervention TEXT`: TEXT itself (the key), its LIKE pattern (name
    and class), its lower case (target) and, where a trigram index can serve it, the FTS5 query
    of SQLite's (`intervention_query`, whose presence picks the indexed statement)."""
    values: Values = {
        "intervention": text,
        "intervention_pattern": _like(text),
        "intervention_lower": text.lower(),
    }
    if len(text) >= TRIGRAM and "\x00" not in text:
        query = _phrase(text)
        if text.lower() != text:
            query = f"{query} OR {_phrase(text.lower())}"
        values["intervention_query"] = query
    return values


def _intervention_ids(names: Names) -> AnySelect:
    """The ids of the interventions that the parameters of `_intervention_values` match,
    found through the indexes where `intervention_query` is among `names`.

    First the candidates, then the match itself checked on each, so the rows are exactly
    those of the definition whatever the candidates. SQLite: the key's index, and the trigram
    index, whose MATCH finds every row where name, class or target contains TEXT (folded as
    FTS5 folds, letter by letter, coarser than SQLite's ASCII-only lower() and LIKE; lower(TEXT)
    is searched too, for the target, which is compared with Python's lower()). PostgreSQL:
    the function of revision 0002, which looks the OR up through its indexes (a BitmapOr).
    """
    key = bindparam("intervention", type_=Text())
    pattern = bindparam("intervention_pattern", type_=Text())
    lower = bindparam("intervention_lower", type_=Text())
    matches = or_(
        Intervention.key == key,
        _contains(Intervention.name, pattern),
        # `target IS NOT NULL` adds nothing to the match; it lets PostgreSQL use its partial
        # index on lower(target).
        and_(Intervention.target.is_not(None), func.lower(Intervention.target) == lower),
        _contains(Intervention.intervention_class, pattern),
    )
    if "intervention_query" not in names:
        return select(Intervention.id).where(matches)
    on_sqlite = union(
        select(Intervention.id).where(Intervention.key == key),
        select(_search.c.rowid).where(
            _search.c.interventions_search.match(bindparam("intervention_query", type_=Text()))
        ),
    )
    on_postgresql = select(func.intervention_search_ids(key, pattern, lower))
    candidates = _by_dialect(Intervention.id.in_(on_sqlite), Intervention.id.in_(on_postgresql))
    return select(Intervention.id).where(candidates, matches)


def intervention_ids(text: str) -> AnySelect:
    """The ids of the interventions that `--intervention TEXT` matches (see `_intervention_ids`)."""
    values = _intervention_values(text)
    return _with_values(_intervention_ids(frozenset(values)), values)


def trial_receives(names: Names) -> ColumnElement[bool]:
    """Some arm of the trial receives an intervention matching the `--intervention`
    parameters (key, name, target or class)."""
    return Trial.id.in_(
        select(ArmIntervention.trial_id).where(
            ArmIntervention.intervention_id.in_(_intervention_ids(names))
        )
    )


def arm_receives(names: Names, arm_id: Any = Arm.id) -> ColumnElement[bool]:
    """The arm `arm_id` (a fact's arm column: the index on it is then used) receives an
    intervention matching the `--intervention` parameters."""
    return arm_id.in_(  # type: ignore[no-any-return]
        select(ArmIntervention.arm_id).where(
            ArmIntervention.intervention_id.in_(_intervention_ids(names))
        )
    )


@dataclass(frozen=True)
class FactFilters:
    """Filters of the fact commands; each applies where the fact has that attribute."""

    trial: str | None = None
    intervention: str | None = None
    condition: str | None = None
    endpoint: str | None = None
    endpoint_kind: str | None = None
    endpoint_role: str | None = None
    arm: str | None = None
    arm_role: str | None = None
    timepoint: float | None = None
    timepoint_unit: str | None = None
    measure: str | None = None
    origin: str | None = None
    serious: bool | None = None
    min_grade: int | None = None
    term: str | None = None
    source: str | None = None
    text: str | None = None


# Fact filters that keep the rows whose column equals the filter's value (`_values` has
# already lowered the timepoint unit).
_FACT_EQUALS: dict[str, Any] = {"arm": Arm.key, "arm_role": Arm.role, "source": Source.key}
_ENDPOINT_EQUALS: dict[str, Any] = {
    "endpoint": Endpoint.key,
    "endpoint_kind": Endpoint.kind,
    "endpoint_role": Endpoint.role,
    "timepoint": Endpoint.timepoint_value,
    "timepoint_unit": func.lower(Endpoint.timepoint_unit),
}


def _fact_conditions(names: Names, *, has_endpoint: bool, arm_id: Any) -> list[ColumnElement[bool]]:
    """The conditions of the filters `names` that every fact view shares."""
    found = _trial_conditions(names)
    if "intervention" in names:
        found.append(arm_receives(names, arm_id))
    equals = {**_FACT_EQUALS, **_ENDPOINT_EQUALS} if has_endpoint else _FACT_EQUALS
    found.extend(column == bindparam(name) for name, column in equals.items() if name in names)
    return found


# Trials ----------------------------------------------------------------------------------


@functools.cache
def _trials(names: Names) -> AnySelect:
    conditions = _trial_conditions(names)
    if "intervention" in names:
        conditions.append(trial_receives(names))
    return (
        select(
            Trial.key,
            Trial.title,
            Trial.acronym,
            Trial.design,
            Trial.phase,
            Trial.status,
            Trial.condition,
            Trial.enrollment,
            registry_ids_of(Trial.id),
            select(func.count(Result.id))
            .where(Result.trial_id == Trial.id)
            .scalar_subquery()
            .label("results"),
        )
        .where(*conditions)
        .order_by(Trial.key)
    )


def trials(connection: Connection, filters: TrialFilters = TrialFilters()) -> list[Row]:
    values = _values(filters)
    return [dict(row._mapping) for row in connection.execute(_trials(frozenset(values)), values)]


def trial_detail(connection: Connection, key: str) -> dict[str, Any]:
    """One trial in full: description, identifiers, sources, arms with interventions,
    endpoints, results, comparisons and adverse events."""
    trial = connection.execute(select(Trial).where(Trial.key == key)).one_or_none()
    if trial is None:
        raise NotFound(f"no trial with key {key!r}; `evidencedb trials` lists them")
    trial_id = trial.id
    source_key = aliased(Source)
    detail: dict[str, Any] = {
        column: value
        for column, value in trial._mapping.items()
        if column not in ("id", "source_id")
    }
    detail["source_key"] = connection.execute(
        select(Source.key).where(Source.id == trial.source_id)
    ).scalar_one()
    detail["identifiers"] = _rows(
        connection,
        select(TrialIdentifier.registry_name.label("registry"), TrialIdentifier.value)
        .where(TrialIdentifier.trial_id == trial_id)
        .order_by(TrialIdentifier.registry_name, TrialIdentifier.value),
    )
    detail["sources"] = _rows(
        connection,
        select(
            Source.key,
            Source.kind,
            TrialSource.relation,
            Source.title,
            Source.citation,
            Source.doi,
            source_key.key.label("reports_on"),
        )
        .join(TrialSource, TrialSource.source_id == Source.id)
        .outerjoin(source_key, source_key.id == Source.reports_on_id)
        .where(TrialSource.trial_id == trial_id)
        .order_by(Source.key),
    )
    control_trial = aliased(Trial)
    arms = _rows(
        connection,
        select(
            Arm.id,
            Arm.key,
            Arm.label,
            Arm.role,
            Arm.n_enrolled,
            Arm.n_analyzed,
            Arm.description,
            control_trial.key.label("source_trial"),
        )
        .outerjoin(control_trial, control_trial.id == Arm.source_trial_id)
        .where(Arm.trial_id == trial_id)
        .order_by(Arm.id),
    )
    given = _rows(
        connection,
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
        .where(ArmIntervention.trial_id == trial_id)
        .order_by(ArmIntervention.id),
    )
    for arm in arms:
        arm["interventions"] = [
            {k: v for k, v in item.items() if k != "arm_id"}
            for item in given
            if item["arm_id"] == arm["id"]
        ]
        del arm["id"]
    detail["arms"] = arms
    detail["endpoints"] = _rows(
        connection,
        select(
            Endpoint.key,
            Endpoint.name,
            Endpoint.kind,
            Endpoint.role,
            Endpoint.domain,
            Endpoint.measure,
            Endpoint.timepoint_value,
            Endpoint.timepoint_unit,
            Endpoint.definition,
            Endpoint.assessment_method,
        )
        .where(Endpoint.trial_id == trial_id)
        .order_by(Endpoint.id),
    )
    for view in FACT_VIEWS:
        section = view.removesuffix("_flat")
        detail[section] = [
            dict(row) for row in fetch_facts(connection, view, FactFilters(trial=key))
        ]
    return detail


def _rows(connection: Connection, statement: AnySelect) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(statement)]


# Flat views of the export contract -------------------------------------------------------


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
        )
        .select_from(Result)
        .join(Trial, Trial.id == Result.trial_id)
        .join(Arm, Arm.id == Result.arm_id)
        .join(Endpoint, Endpoint.id == Result.endpoint_id)
        .join(Source, Source.id == Result.source_id)
        .where(*_fact_conditions(names, has_endpoint=True, arm_id=Result.arm_id))
        .order_by(Result.id)
    )


# Made once: the columns of an alias are adapted on first use and memoised on it, which a
# fresh alias per query would repeat (most of the time it took to build the query).
_COMPARATOR = aliased(Arm, name="comparator_arms")


@functools.cache
def _comparisons_flat(names: Names) -> AnySelect:
    comparator = _COMPARATOR
    statement: AnySelect = (
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
        )
        .select_from(Comparison)
        .join(Trial, Trial.id == Comparison.trial_id)
        .join(Arm, Arm.id == Comparison.arm_id)
        .outerjoin(comparator, comparator.id == Comparison.comparator_arm_id)
        .join(Endpoint, Endpoint.id == Comparison.endpoint_id)
        .join(Source, Source.id == Comparison.source_id)
        .where(*_fact_conditions(names, has_endpoint=True, arm_id=Comparison.arm_id))
        .order_by(Comparison.id)
    )
    if "measure" in names:
        statement = statement.where(Comparison.measure == bindparam("measure"))
    if "origin" in names:
        statement = statement.where(Comparison.origin == bindparam("origin"))
    return statement


def grade_floor() -> ColumnElement[Any]:
    """The lowest grade an adverse-event row covers: '3' and '>=3' both give 3; '' gives 0."""
    return case(
        *((AdverseEvent.grade.in_((str(n), f">={n}")), literal(n)) for n in range(1, 6)),
        else_=literal(0),
    )


@functools.cache
def _adverse_events_flat(names: Names) -> AnySelect:
    statement: AnySelect = (
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
        )
        .select_from(AdverseEvent)
        .join(Trial, Trial.id == AdverseEvent.trial_id)
        .join(Arm, Arm.id == AdverseEvent.arm_id)
        .join(Source, Source.id == AdverseEvent.source_id)
        .where(*_fact_conditions(names, has_endpoint=False, arm_id=AdverseEvent.arm_id))
        .order_by(AdverseEvent.id)
    )
    if "serious" in names:
        statement = statement.where(AdverseEvent.category == bindparam("serious"))
    if "non_serious" in names:
        statement = statement.where(AdverseEvent.category != bindparam("non_serious"))
    if "min_grade" in names:
        statement = statement.where(grade_floor() >= bindparam("min_grade"))
    if "term" in names:
        statement = statement.where(_contains(AdverseEvent.term, bindparam("term")))
    return statement


FactView: TypeAlias = Literal["results_flat", "comparisons_flat", "adverse_events_flat"]
FACT_VIEWS: dict[FactView, Callable[[Names], AnySelect]] = {
    "results_flat": _results_flat,
    "comparisons_flat": _comparisons_flat,
    "adverse_events_flat": _adverse_events_flat,
}


def fetch_facts(
    connection: Connection, view: FactView, filters: FactFilters = FactFilters()
) -> Sequence[RowMapping]:
    """The rows of the flat view `view` that `filters` select, in the view's order: the
    statement kept for this combination of filters, with their values as parameters."""
    values = _values(filters)
    return connection.execute(FACT_VIEWS[view](frozenset(values)), values).mappings().all()


def fact_statement(view: FactView, filters: FactFilters = FactFilters()) -> AnySelect:
    """The SELECT of `fetch_facts` with the values of `filters` in it: for the CSV export,
    EXPLAIN and tests (a copy of the kept statement; `fetch_facts` runs it faster)."""
    values = _values(filters)
    return _with_values(FACT_VIEWS[view](frozenset(values)), values)


def results_flat(filters: FactFilters = FactFilters()) -> AnySelect:
    return fact_statement("results_flat", filters)


def comparisons_flat(filters: FactFilters = FactFilters()) -> AnySelect:
    return fact_statement("comparisons_flat", filters)


def adverse_events_flat(filters: FactFilters = FactFilters()) -> AnySelect:
    return fact_statement("adverse_events_flat", filters)


__all__ = [
    "FactFilters",
    "TrialFilters",
    "adverse_events_flat",
    "comparisons_flat",
    "fact_statement",
    "fetch_facts",
    "results_flat",
    "trial_detail",
    "trials",
]
