"""Statistical analyses of an outcome measure: between-arm comparisons, their context and values.

Every value is read as the registry wrote it (see `values`): one that is not a number or is
impossible (a p-value of 60.66, an odds ratio of 0, limits in the wrong order) is stored as
its text with no number, and the comparison is imported all the same. Which arm is the arm of
interest is decided in `direction`.
"""

from __future__ import annotations

from collections.abc import Mapping

from evidencedb.enums import RATIO_MEASURES, DirectionBasis
from evidencedb.records.facts import ComparisonRecord, ResultRecord
from evidencedb.registries.ctgov.arms import Arm
from evidencedb.registries.ctgov.codes import code_words, comparison_measure
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.direction import orient
from evidencedb.registries.ctgov.reader import Node
from evidencedb.registries.ctgov.values import (
    RegistryNumber,
    dispersion,
    join_notes,
    non_negative,
    non_negative_ratio_limit,
    positive_ratio,
    probability,
)

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
    "measure_detail": "paramType",
    "groups": "groupIds",
    "description": "groupDescription",
    "statistical_comment": "statisticalComment",
    "estimate_comment": "estimateComment",
    "non_inferiority_comment": "nonInferiorityComment",
    "dispersion_value": "dispersionValue",
}
_SIDES = {"ONE_SIDED": 1, "TWO_SIDED": 2}


def analysis_comparisons(
    context: StudyContext,
    measure: Node,
    endpoint: str,
    groups: dict[str, Arm],
    levels: Mapping[str, ResultRecord],
    *,
    randomized: bool,
) -> list[ComparisonRecord]:
    """A comparison for each analysis of `measure` (whose groups are `groups`, and whose arms'
    own results are `levels`, by arm key): of two arms, one against the other; of one or more
    than two, stated for the groups together."""
    comparisons: list[ComparisonRecord] = []
    for index, analysis in enumerate(measure.nodes("analyses")):
        arms = _analysed_arms(context, analysis, groups)
        if not arms:
            continue
        param_type = analysis.text("paramType")
        code = comparison_measure(param_type or "")
        values = _values(analysis, code in RATIO_MEASURES)
        texts = [analysis.text(key) for key in _TEXTS_STATING_DIRECTION]
        if len(arms) == 2:
            arm, comparator, basis = orient(arms, texts, code, values["value"].value, levels)
            group_keys: list[str] = []
        else:
            arm, comparator, basis = arms[0], None, DirectionBasis.UNKNOWN
            group_keys = [a.key for a in arms]
        spread = dispersion(analysis.text("dispersionType"))
        record = context.record(
            ComparisonRecord,
            {
                **context.cited(analysis.path),
                "endpoint": endpoint,
                "arm": arm.key,
                "comparator": None if comparator is None else comparator.key,
                "label": f"analysis {index + 1}",
                "groups": group_keys,
                "measure": code,
                "measure_label": param_type,
                "measure_detail": param_type,
                "direction_basis": basis,
                "value": values["value"].value,
                "value_raw": values["value"].raw,
                "ci_lower": values["lower"].value,
                "ci_lower_raw": values["lower"].raw,
                "ci_upper": values["upper"].value,
                "ci_upper_raw": values["upper"].raw,
                "ci_level": _level(values["level"]),
                "ci_sides": _SIDES.get(analysis.text("ciNumSides") or ""),
                "p_value": values["p"].value,
                "p_value_qualifier": values["p"].qualifier,
                "p_value_raw": values["p"].raw,
                "method": analysis.text("statisticalMethod"),
                "dispersion_type": spread.spread_type,
                "dispersion_value": values["dispersion"].value,
                "description": analysis.text("groupDescription"),
                "statistical_comment": analysis.text("statisticalComment"),
                "estimate_comment": analysis.text("estimateComment"),
                "non_inferiority_type": _lower(analysis.text("nonInferiorityType")),
                "non_inferiority_comment": analysis.text("nonInferiorityComment"),
                "randomized": True
                if randomized
                and comparator is not None
                and arm.from_protocol
                and comparator.from_protocol
                else None,
                "note": join_notes(
                    analysis.text("ciLowerLimitComment"),
                    analysis.text("ciUpperLimitComment"),
                    analysis.text("pValueComment"),
                    _named_dispersion(spread.label, analysis.text("dispersionValue")),
                ),
            },
            analysis.path,
            _COMPARISON_FIELDS,
        )
        if record is not None:
            comparisons.append(record)
    return comparisons


# The analysis's texts that may say which arm is which, most specific first.
_TEXTS_STATING_DIRECTION = ("groupDescription", "estimateComment", "statisticalComment")


def _values(analysis: Node, ratio: bool) -> dict[str, RegistryNumber]:
    """The analysis's numbers; impossible ones refused, with their text kept."""
    value = analysis.number("paramValue", *([positive_ratio] if ratio else []))
    lower = analysis.number("ciLowerLimit", *([non_negative_ratio_limit] if ratio else []))
    upper = analysis.number("ciUpperLimit")
    if lower.value is not None and upper.value is not None and lower.value > upper.value:
        reason = "the lower confidence limit is above the upper one"
        lower, upper = lower.refuse(reason), upper.refuse(reason)
        analysis.kept("ciLowerLimit", lower)
        analysis.kept("ciUpperLimit", upper)
    return {
        "value": value,
        "lower": lower,
        "upper": upper,
        "level": analysis.number("ciPctValue", _percent_level),
        "p": analysis.number("pValue", probability),
        "dispersion": analysis.number("dispersionValue", non_negative),
    }


def _percent_level(value: float) -> str | None:
    return None if 0 < value < 100 else "a confidence level lies between 0 and 100%"


def _level(level: RegistryNumber) -> float | None:
    return None if level.value is None else level.value / 100


def _lower(code: str | None) -> str | None:
    return None if code is None else code.lower()


def _named_dispersion(label: str | None, value: str | None) -> str | None:
    """A dispersion we have no type for, in the registry's words."""
    return None if label is None or value is None else f"{code_words(label)}: {value}"


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
