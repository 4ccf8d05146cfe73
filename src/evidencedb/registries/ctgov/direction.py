"""Which arm of a two-group analysis is the arm of interest, and on what basis.

In order: what the analysis's own text states ("Odds ratio: CZP/Placebo", "Treatment -
Placebo", "X vs Y", "difference (A minus B)"); else the arms' roles (experimental against a
comparator) — unless the two arms' own results clearly contradict them, for the registry
computed the estimate the other way then; else the only orientation consistent with the arms'
own results; else the registry's order, with the basis `unknown` (as for an analysis of one
group or of more than two, which has no comparator). A stated direction is never
overridden: if it contradicts the arms' results, `evidencedb check` says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from evidencedb.enums import COMPARATOR_ROLES, DirectionBasis
from evidencedb.records.facts import ResultRecord
from evidencedb.records.orientation import agrees_with_arms, arm_level
from evidencedb.registries.ctgov.arms import Arm

# Words that join the two sides of a stated contrast. A hyphen or slash counts only where it
# stands between words ("CZP/Placebo", "Treatment - Placebo"), not inside one ("mg/kg" is
# read too, but names no arm on either side, so it decides nothing).
_JOINS = re.compile(
    r"\s+(?:vs\.?|versus|v\.|compared (?:to|with)|minus|over|relative to|against)\s+"
    r"|\s*/\s*|\s+[-–−]\s+",
    re.IGNORECASE,
)
_CONTROL_WORDS = frozenset(
    {"placebo", "pbo", "control", "comparator", "sham", "vehicle", "soc", "usual", "standard"}
)
_ACTIVE_WORDS = frozenset(
    {"treatment", "active", "drug", "experimental", "intervention", "investigational", "study"}
)
_IGNORED_WORDS = frozenset(
    {"the", "and", "of", "with", "arm", "group", "cohort", "fas", "itt", "mitt", "pp", "set"}
    | {"population", "analysis", "participants", "a", "an", "in", "to", "for", "ratio", "odds"}
    | {"difference", "mean", "ls", "treatment", "estimate", "is", "was", "calculated", "as"}
)
_WINDOW = 6  # words on each side of a join that may name an arm


def orient(
    arms: Sequence[Arm],
    texts: Sequence[str | None],
    measure: str,
    value: float | None,
    levels: Mapping[str, ResultRecord],
) -> tuple[Arm, Arm, DirectionBasis]:
    """(arm of interest, comparator, basis) of a two-arm analysis."""
    first, second = arms[0], arms[1]
    for text in texts:
        stated = _stated(first, second, text) if text else None
        if stated is not None:
            return (*stated, DirectionBasis.STATED)
    by_data = _by_data(first, second, measure, value, levels)
    by_roles = _by_roles(first, second)
    if by_roles is not None and (by_data is None or by_data == by_roles):
        return (*by_roles, DirectionBasis.ARM_ROLES)
    if by_data is not None:
        return (*by_data, DirectionBasis.ARM_DATA)
    return first, second, DirectionBasis.UNKNOWN


def _by_roles(first: Arm, second: Arm) -> tuple[Arm, Arm] | None:
    first_compares = first.role in COMPARATOR_ROLES
    second_compares = second.role in COMPARATOR_ROLES
    if first.role is None or second.role is None or first_compares == second_compares:
        return None
    return (second, first) if first_compares else (first, second)


def _by_data(
    first: Arm,
    second: Arm,
    measure: str,
    value: float | None,
    levels: Mapping[str, ResultRecord],
) -> tuple[Arm, Arm] | None:
    """The one orientation the arms' own results allow, when they allow only one."""
    mine, theirs = _level(measure, levels.get(first.key)), _level(measure, levels.get(second.key))
    if value is None or mine is None or theirs is None:
        return None
    verdict = agrees_with_arms(measure, value, mine, theirs)
    if verdict is None:
        return None
    return (first, second) if verdict else (second, first)


def _level(measure: str, result: ResultRecord | None) -> float | None:
    if result is None or result.value_qualifier is not None:
        return None
    return arm_level(measure, result.value, result.numerator, result.denominator)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


def _names(arm: Arm, other: Arm) -> frozenset[str]:
    """The words of an arm's label that tell it from the other arm."""
    mine = set(_words(arm.label)) - _IGNORED_WORDS
    return frozenset(mine - set(_words(other.label)))


def _is_control(arm: Arm) -> bool:
    return arm.role in COMPARATOR_ROLES or bool(_CONTROL_WORDS & set(_words(arm.label)))


def _side(words: list[str], first: Arm, second: Arm) -> Arm | None:
    """The one arm that the words name, by its distinct words or as 'placebo' / 'treatment'."""
    present = set(words)
    named = [
        arm for arm, other in ((first, second), (second, first)) if _names(arm, other) & present
    ]
    if len(named) == 1:
        return named[0]
    if named:
        return None
    controls = [arm for arm in (first, second) if _is_control(arm)]
    if len(controls) != 1:
        return None
    control = controls[0]
    active = second if control is first else first
    if _CONTROL_WORDS & present:
        return control
    if _ACTIVE_WORDS & present:
        return active
    return None


# A slash between these is a unit ("mg/kg", "mL/min"), or "and/or": it joins no two arms.
_UNITS = frozenset(
    {"mg", "kg", "g", "mcg", "ug", "ml", "l", "dl", "m2", "min", "h", "hr", "d", "day", "week"}
    | {"wk", "month", "year", "mmol", "umol", "iu", "and", "or", "dose", "time"}
)


def _stated(first: Arm, second: Arm, text: str) -> tuple[Arm, Arm] | None:
    """The orientation a text states, when every contrast it states agrees on one."""
    found: set[tuple[str, str]] = set()
    for join in _JOINS.finditer(text):
        # Each side within its own sentence or clause.
        left = _words(re.split(r"[.;]\s", text[: join.start()])[-1])[-_WINDOW:]
        right = _words(re.split(r"[.;](?:\s|$)", text[join.end() :])[0])[:_WINDOW]
        if "/" in join[0] and bool(_UNITS & {*left[-1:], *right[:1]}):
            continue
        on_left, on_right = _side(left, first, second), _side(right, first, second)
        if on_left is not None and on_right is not None and on_left is not on_right:
            found.add((on_left.key, on_right.key))
    if len(found) != 1:
        return None
    arm_key, _ = found.pop()
    return (first, second) if arm_key == first.key else (second, first)
