"""Statistical analyses of an outcome measure: between-arm comparisons, and their direction."""

from __future__ import annotations

import re

from evidencedb.enums import COMPARATOR_ROLES
from evidencedb.records.facts import ComparisonRecord
from evidencedb.registries.ctgov.arms import Arm
from evidencedb.registries.ctgov.codes import code_words, comparison_measure
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.keys import normal_title
from evidencedb.registries.ctgov.reader import Node
from evidencedb.registries.ctgov.values import join_notes, labelled, parse_number

# Comparison fields and the registry fields of an analysis they come from.
_COMPARISON_FIELDS = {
    "value": "paramValue",
    "ci_lower": "ciLowerLimit",
    "ci_upper": "ciUpperLimit",
    "ci_level": "ciPctValue",
    "p_value": "pValue",
    "p_value_qualifier": "pValue",
    "method": "statisticalMethod",
    "measure_label": "paramType",
    "groups": "groupIds",
}


def analysis_comparisons(
    context: StudyContext, measure: Node, endpoint: str, groups: dict[str, Arm], *, randomized: bool
) -> list[ComparisonRecord]:
    """A comparison for each analysis of `measure` (whose groups are `groups`): of two arms,
    one against the other; of one or more than two, stated for the groups together."""
    comparisons: list[ComparisonRecord] = []
    for index, analysis in enumerate(measure.nodes("analyses")):
        arms = _analysed_arms(context, analysis, groups)
        if not arms:
            continue
        estimate = analysis.text("estimateComment")
        if len(arms) == 2:
            arm, comparator = arm_of_interest(arms[0], arms[1], estimate)
            group_keys: list[str] = []
        else:
            arm, comparator = arms[0], None
            group_keys = [a.key for a in arms]
        param_type = analysis.text("paramType")
        value = parse_number(analysis.text("paramValue"))
        lower = parse_number(analysis.text("ciLowerLimit"))
        upper = parse_number(analysis.text("ciUpperLimit"))
        level = parse_number(analysis.text("ciPctValue"))
        p_value = parse_number(analysis.text("pValue"))
        sides = analysis.text("ciNumSides")
        spread = analysis.text("dispersionValue")
        note = join_notes(
            estimate,
            "one-sided confidence interval" if sides == "ONE_SIDED" else None,
            labelled("estimate", value.note),
            labelled("CI lower limit", lower.note),
            labelled("CI upper limit", upper.note),
            labelled("p-value", p_value.note),
            analysis.text("ciLowerLimitComment"),
            analysis.text("ciUpperLimitComment"),
            analysis.text("pValueComment"),
            f"{code_words(analysis.text('dispersionType'))}: {spread}" if spread else None,
            labelled("non-inferiority type", code_words(analysis.text("nonInferiorityType"))),
        )
        record = context.record(
            ComparisonRecord,
            {
                **context.cited(analysis.path),
                "endpoint": endpoint,
                "arm": arm.key,
                "comparator": None if comparator is None else comparator.key,
                "label": f"analysis {index + 1}",
                "groups": group_keys,
                "measure": comparison_measure(param_type or ""),
                "measure_label": param_type,
                "value": value.value,
                "ci_lower": lower.value,
                "ci_upper": upper.value,
                "ci_level": None if level.value is None else level.value / 100,
                "p_value": p_value.value,
                "p_value_qualifier": p_value.qualifier,
                "method": analysis.text("statisticalMethod"),
                "randomized": True
                if randomized
                and comparator is not None
                and arm.from_protocol
                and comparator.from_protocol
                else None,
                "note": note,
            },
            analysis.path,
            _COMPARISON_FIELDS,
        )
        if record is not None:
            comparisons.append(record)
    return comparisons


def _analysed_arms(context: StudyContext, analysis: Node, groups: dict[str, Arm]) -> list[Arm]:
    """The arms of an analysis's groups, each once, in its order; a group not among the
    measure's groups, or no group at all, is a problem."""
    arms: list[Arm] = []
    for position, group_id in analysis.texts("groupIds"):
        arm = groups.get(group_id)
        if arm is None:
            context.issues.add(
                (*analysis.path, "groupIds", position),
                f"group {group_id!r} is not among the measure's groups",
            )
        elif arm not in arms:
            arms.append(arm)
    if not arms and not analysis.data.get("groupIds"):  # (a wrong type is reported already)
        context.issues.add((*analysis.path, "groupIds"), "missing: the analysed groups")
    return arms


_VERSUS = re.compile(r"\s(?:vs\.?|versus|compared (?:to|with)|minus|-)\s", re.IGNORECASE)


def arm_of_interest(first: Arm, second: Arm, estimate: str | None) -> tuple[Arm, Arm]:
    """Which arm of a two-group analysis is the arm of interest and which the comparator:
    as the estimate's comment words it ("Dupilumab vs. Placebo"), else by the arms' roles,
    else in the registry's order."""
    if estimate:
        halves = _VERSUS.split(estimate.casefold(), maxsplit=1)
        if len(halves) == 2:
            left, right = halves

            def side(arm: Arm) -> str | None:
                label = normal_title(arm.label)
                in_left, in_right = (
                    label in " ".join(left.split()),
                    label in " ".join(right.split()),
                )
                return "left" if in_left and not in_right else "right" if in_right else None

            if side(first) == "left" and side(second) == "right":
                return first, second
            if side(second) == "left" and side(first) == "right":
                return second, first
    first_compares = first.role in COMPARATOR_ROLES
    second_compares = second.role in COMPARATOR_ROLES
    if first_compares and not second_compares:
        return second, first
    return first, second
