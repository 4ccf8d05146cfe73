"""The filters of the query commands (TrialFilters, FactFilters) and the conditions they make.

Every filter's value reaches the database as a named bound parameter, and the statement of
each combination of filters is built once per process and kept: building a join of six
tables in SQLAlchemy and computing the key of its compiled form took longer than the
database took to answer it (about 1 ms of 1.5 for `results --trial` at 20,000 records).
`filter_values` turns filters into parameters; the set of their names decides the statement
(one kept per combination a program uses: a few in a CLI process).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Text,
    and_,
    bindparam,
    column,
    exists,
    func,
    or_,
    select,
    table,
    true,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from evidencedb.enums import AdverseEventCategory
from evidencedb.query.statement import (
    AnySelect,
    Names,
    Values,
    contains,
    like_pattern,
    with_values,
)
from evidencedb.query.words import in_any_row, in_column, word_values, words_condition
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import (
    Arm,
    ArmIntervention,
    Endpoint,
    Intervention,
    Trial,
    TrialIdentifier,
)
from evidencedb.store.source_models import Source

# A filter that names the values it accepts: one (`"a"`) or any of several (`("a", "b")`, as
# the forest plot's repeatable options give them). An empty text or tuple is no filter.
Choice = str | tuple[str, ...] | None


@dataclass(frozen=True)
class TrialFilters:
    trial: str | None = None
    intervention: str | None = None
    condition: str | None = None
    design: str | None = None
    phase: str | None = None
    registry_id: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class FactFilters:
    """Filters of the fact commands; each applies where the fact has that attribute."""

    trial: Choice = None
    intervention: str | None = None
    condition: str | None = None
    endpoint: Choice = None
    endpoint_kind: Choice = None
    endpoint_role: Choice = None
    arm: Choice = None
    arm_role: Choice = None
    timepoint: float | None = None
    timepoint_unit: str | None = None
    measure: Choice = None
    origin: Choice = None
    # Adverse events: `serious` is the shorthand of the CLI's --serious (True: category
    # serious) and --non-serious (False: category non_serious); rows of category `any` are in
    # neither. `event_category` names the categories to keep. Both given: both apply.
    serious: bool | None = None
    event_category: Choice = None
    min_grade: int | None = None
    term: str | None = None
    source: Choice = None
    text: str | None = None


# Filters matched anywhere in the text, case-insensitively: their parameter is a LIKE pattern.
_PATTERNS = ("term",)
# Filters matched word by word (`query.words`): a parameter per word.
_WORD_FILTERS = ("condition", "text")


def any_of(name: str) -> str:
    """The parameter of filter `name` given several values (an expanding IN list)."""
    return f"{name}_any_of"


def filter_values(filters: TrialFilters | FactFilters) -> Values:
    """The bound parameters of the filters that are set (text or a tuple that is not empty,
    any other value that is not None), named as in the statements that `trial_conditions`,
    `fact_conditions` and `equal_conditions` build."""
    values: Values = {}
    for name, value in vars(filters).items():
        if value is None or value == "" or value == ():
            continue
        if isinstance(value, tuple):
            values[any_of(name)] = list(value)
        else:
            values[name] = value
    for name in _PATTERNS:
        if name in values:
            values[name] = like_pattern(values[name])
    for name in _WORD_FILTERS:
        if name in values:
            values.update(word_values(name, values.pop(name)))
    if "registry_id" in values:
        values["registry_id"] = values["registry_id"].upper()
    if "timepoint_unit" in values:
        values["timepoint_unit"] = values["timepoint_unit"].lower()
    if "serious" in values:
        serious = values["serious"]
        values["serious"] = (
            AdverseEventCategory.SERIOUS if serious else AdverseEventCategory.NON_SERIOUS
        )
    if "intervention" in values:
        values.update(_intervention_values(values["intervention"]))
    return values


def equal_conditions(names: Names, columns: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """For each filter of `columns` that is set: its column equals the filter's value, or is
    one of its values when it was given several."""
    found: list[ColumnElement[bool]] = []
    for name, compared in columns.items():
        if name in names:
            found.append(compared == bindparam(name))
        elif any_of(name) in names:
            found.append(compared.in_(bindparam(any_of(name), expanding=True)))
    return found


def trial_conditions(names: Names) -> list[ColumnElement[bool]]:
    """The conditions on the trial of the filters `names` (TrialFilters' own, and those of
    FactFilters that concern the trial)."""
    found = equal_conditions(names, {"trial": Trial.key})
    found.extend(words_condition(names, "condition", [in_column(Trial.condition)]))
    found.extend(equal_conditions(names, {"design": Trial.design, "phase": Trial.phase}))
    if "registry_id" in names:
        found.append(
            exists().where(
                TrialIdentifier.trial_id == Trial.id,
                func.upper(TrialIdentifier.value) == bindparam("registry_id"),
            )
        )
    return found


_FACT_MODELS = (Result, Comparison, AdverseEvent)

# Where `--text` finds a word of a trial's own: its key, title, acronym, condition, population
# and quote.
_TRIAL_TEXT = [
    in_column(column)
    for column in (
        Trial.key,
        Trial.title,
        Trial.acronym,
        Trial.condition,
        Trial.population,
        Trial.quote,
    )
]


def trial_text_conditions(names: Names) -> list[ColumnElement[bool]]:
    """`--text` of the trials list: each word in the trial's own text, the name of one of its
    endpoints, or the quote of one of its facts."""
    in_its_rows = [
        in_any_row(Endpoint.name, Endpoint.trial_id == Trial.id),
        *(in_any_row(fact.quote, fact.trial_id == Trial.id) for fact in _FACT_MODELS),
    ]
    return words_condition(names, "text", [*_TRIAL_TEXT, *in_its_rows])


# Fact filters that keep the rows whose column equals the filter's value (`filter_values` has
# already lowered the timepoint unit).
_FACT_EQUALS: dict[str, Any] = {"arm": Arm.key, "arm_role": Arm.role, "source": Source.key}
_ENDPOINT_EQUALS: dict[str, Any] = {
    "endpoint": Endpoint.key,
    "endpoint_kind": Endpoint.kind,
    "endpoint_role": Endpoint.role,
    "timepoint": Endpoint.timepoint_value,
    "timepoint_unit": func.lower(Endpoint.timepoint_unit),
}


def fact_conditions(
    names: Names, *, has_endpoint: bool, arm_id: Any, quote: Any
) -> list[ColumnElement[bool]]:
    """The conditions of the filters `names` that every fact view shares; `arm_id` and
    `quote` are the fact's columns (`--text` finds a word in the trial's own text, the fact's
    endpoint's name or the fact's quote)."""
    found = trial_conditions(names)
    in_the_fact = [in_column(Endpoint.name)] if has_endpoint else []
    found.extend(words_condition(names, "text", [*_TRIAL_TEXT, *in_the_fact, in_column(quote)]))
    if "intervention" in names:
        found.append(arm_receives(names, arm_id))
    equals = {**_FACT_EQUALS, **_ENDPOINT_EQUALS} if has_endpoint else _FACT_EQUALS
    found.extend(equal_conditions(names, equals))
    return found


# Intervention search ---------------------------------------------------------------------
#
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
        "intervention_pattern": like_pattern(text),
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
        contains(Intervention.name, pattern),
        # `target IS NOT NULL` adds nothing to the match; it lets PostgreSQL use its partial
        # index on lower(target).
        and_(Intervention.target.is_not(None), func.lower(Intervention.target) == lower),
        contains(Intervention.intervention_class, pattern),
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
    return with_values(_intervention_ids(frozenset(values)), values)


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
