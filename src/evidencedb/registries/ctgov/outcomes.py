"""Outcome measures of the results section: each group's measurements become results.

A unit becomes '%' only when it says "percentage of participants" (or just "%") and every
value of the measure lies within 0-100; otherwise the registry's unit text is kept. A value
that is not a number, or breaks a rule (a count above its denominator, a negative spread,
limits in the wrong order), is kept as the registry's text beside a NULL number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evidencedb.enums import ParameterType, SpreadType, ValueQualifier
from evidencedb.records.facts import ComparisonRecord, ResultRecord
from evidencedb.registries.ctgov.analyses import analysis_comparisons
from evidencedb.registries.ctgov.arms import Arm, Arms
from evidencedb.registries.ctgov.codes import endpoint_measure
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.endpoints import Endpoints
from evidencedb.registries.ctgov.keys import DistinctTitles
from evidencedb.registries.ctgov.reader import Node, objects
from evidencedb.registries.ctgov.values import (
    Dispersion,
    dispersion,
    is_percent_unit,
    join_notes,
    non_negative,
    parse_number,
)

# Result fields and the registry fields of a measurement they come from.
_RESULT_FIELDS = {
    "value": "value",
    "value_qualifier": "value",
    "numerator": "value",
    "spread": "spread",
    "spread_lower": "lowerLimit",
    "spread_upper": "upperLimit",
    "ci_lower": "lowerLimit",
    "ci_upper": "upperLimit",
    "note": "comment",
}
_PARAMETER_TYPES = {member.name: member for member in ParameterType}


@dataclass
class OutcomeFacts:
    """What the outcome measures of a study report: arm-level results and comparisons."""

    results: list[ResultRecord] = field(default_factory=list)
    comparisons: list[ComparisonRecord] = field(default_factory=list)


def outcome_facts(
    context: StudyContext,
    arms: Arms,
    endpoints: Endpoints,
    module: Node | None,
    *,
    randomized: bool,
) -> OutcomeFacts:
    """The results and comparisons of the outcome measures module; each measure's groups are
    bound to arms, and the measure to an endpoint."""
    facts = OutcomeFacts()
    if module is None:
        return facts
    for index, measure in enumerate(module.nodes("outcomeMeasures")):
        taken: set[str] = set()
        groups: dict[str, Arm] = {}
        for group in measure.nodes("groups"):
            group_id, arm = arms.group(group, taken)
            if group_id is None:
                continue
            if group_id in groups:
                context.issues.add((*group.path, "id"), f"group {group_id} is listed twice")
            else:
                groups[group_id] = arm
        unit = measure.text("unitOfMeasure")
        param_type = measure.text("paramType")
        percent = is_percent_unit(unit) and _all_within_percent(measure)
        endpoint = endpoints.for_measure(index, measure, endpoint_measure(param_type, percent))
        if endpoint is None:
            continue
        results = _measured_results(context, measure, endpoint, groups, "%" if percent else unit)
        facts.results += results
        facts.comparisons += analysis_comparisons(
            context, measure, endpoint, groups, _only_results(results), randomized=randomized
        )
    return facts


def _measured_results(
    context: StudyContext, measure: Node, endpoint: str, groups: dict[str, Arm], unit: str | None
) -> list[ResultRecord]:
    param_type = measure.text("paramType")
    spread_kind = dispersion(measure.text("dispersionType"))
    counts = param_type == "COUNT_OF_PARTICIPANTS"
    parameter = _PARAMETER_TYPES.get(param_type or "", ParameterType.OTHER) if param_type else None
    measure_denoms = _participants(measure)
    measure_units = _other_units(measure)
    subgroups = DistinctTitles()
    results: list[ResultRecord] = []
    for class_node in measure.nodes("classes"):
        subgroup = subgroups(class_node.text("title") or "")
        own = bool(class_node.data.get("denoms"))
        denoms = _participants(class_node) if own else measure_denoms
        unit_name, unit_counts = _other_units(class_node) if own else measure_units
        categories = DistinctTitles()
        for category_node in class_node.nodes("categories"):
            category = categories(category_node.text("title") or "")
            measured: set[str] = set()
            for item in category_node.nodes("measurements"):
                found = item.group_in(
                    groups,
                    measured,
                    missing="the measured group's id",
                    among="the measure's groups",
                    twice="measured twice here",
                )
                if found is None:
                    continue
                group_id, arm = found
                row = _measurement(item, param_type, spread_kind, counts, denoms.get(group_id))
                record = context.record(
                    ResultRecord,
                    {
                        **context.cited(item.path),
                        **row,
                        "parameter_type": parameter,
                        "analysis_unit": unit_name if group_id in unit_counts else None,
                        "units_analyzed": unit_counts.get(group_id),
                        "endpoint": endpoint,
                        "arm": arm.key,
                        "subgroup": subgroup,
                        "category": category,
                        "unit": unit,
                    },
                    item.path,
                    _RESULT_FIELDS,
                )
                if record is not None:
                    results.append(record)
    return results


def _measurement(
    item: Node,
    param_type: str | None,
    spread_kind: Dispersion,
    counts: bool,
    denominator: int | None,
) -> dict[str, Any]:
    """The result fields of one group's measurement."""
    value = item.number("value")
    comment = item.text("comment")
    row: dict[str, Any] = {
        "value": value.value,
        "value_raw": value.raw,
        # "=5" is 5: only a bound qualifies a result.
        "value_qualifier": None if value.qualifier == ValueQualifier.EQ else value.qualifier,
        "n_analyzed": denominator,
    }
    if (
        value.value is None
        and param_type == "MEDIAN"
        and comment
        and re.search(r"\bnot (been |yet )?reached\b", comment.casefold())
    ):
        row["value_qualifier"] = ValueQualifier.NOT_REACHED
    if counts and value.value is not None and value.value.is_integer() and not value.qualifier:
        if denominator is not None and value.value > denominator:
            reason = f"a count of participants above its denominator ({denominator})"
            item.issues.keep((*item.path, "value"), value.text or "", reason)
            row["value_raw"] = value.text
        elif value.value >= 0:
            row["numerator"] = int(value.value)
            row["denominator"] = denominator
    lower, upper = item.number("lowerLimit"), item.number("upperLimit")
    # Checked only where it is used: a CI's measurement may carry a stray signed "spread".
    uses_spread = spread_kind.spread_type is not None and not spread_kind.is_ci
    spread = item.number("spread", *([non_negative] if uses_spread else []))
    row.update(spread_raw=spread.raw, lower_limit_raw=lower.raw, upper_limit_raw=upper.raw)
    notes = [comment]
    # A kind of interval or spread is recorded only with a number to go with it.
    limits = lower.value is not None or upper.value is not None
    if spread_kind.is_ci and limits:
        if lower.value is not None and upper.value is not None and lower.value > upper.value:
            reason = "the lower confidence limit is above the upper one"
            lower, upper = lower.refuse(reason), upper.refuse(reason)
            item.kept("lowerLimit", lower)
            item.kept("upperLimit", upper)
            row.update(lower_limit_raw=lower.raw, upper_limit_raw=upper.raw)
        row.update(ci_lower=lower.value, ci_upper=upper.value, ci_level=spread_kind.ci_level)
        notes.append(f"interval: {spread_kind.label}" if spread_kind.label else None)
    elif spread_kind.limits is not None and limits:
        row.update(
            spread_type=spread_kind.limits, spread_lower=lower.value, spread_upper=upper.value
        )
    elif spread_kind.spread_type is not None and (spread.value is not None or limits):
        row.update(spread=spread.value, spread_type=spread_kind.spread_type)
        if spread_kind.spread_type == SpreadType.OTHER:
            notes.append(f"dispersion: {spread_kind.label}")
            row.update(spread_lower=lower.value, spread_upper=upper.value)
    row["note"] = join_notes(*notes)
    return row


def _only_results(results: list[ResultRecord]) -> dict[str, ResultRecord]:
    """Each arm's result on a measure, for the arms that have exactly one."""
    by_arm: dict[str, list[ResultRecord]] = {}
    for result in results:
        by_arm.setdefault(result.arm, []).append(result)
    return {arm: found[0] for arm, found in by_arm.items() if len(found) == 1}


def _other_units(node: Node) -> tuple[str | None, dict[str, int]]:
    """The units analysed per group when the node counts a unit other than participants
    (eyes, lesions, infusions), and that unit."""
    for denom in node.nodes("denoms"):
        units = denom.text("units")
        if units is None or units.casefold() == "participants":
            continue
        counts: dict[str, int] = {}
        for count in denom.nodes("counts"):
            group_id = count.text("groupId")
            value = count.whole_text("value")
            if group_id is not None and value is not None:
                counts[group_id] = value
        return units, counts
    return None, {}


def _participants(node: Node) -> dict[str, int]:
    """Participants analysed per group: the denominator counted in participants, else the
    first one given."""
    denoms = node.nodes("denoms")
    chosen = next(
        (d for d in denoms if (d.text("units") or "").casefold() == "participants"),
        denoms[0] if denoms else None,
    )
    counts: dict[str, int] = {}
    for count in chosen.nodes("counts") if chosen else []:
        group_id = count.text("groupId")
        value = count.whole_text("value")
        if group_id is not None and value is not None:
            counts[group_id] = value
    return counts


def _all_within_percent(measure: Node) -> bool:
    for class_data in objects(measure.data, "classes"):
        for category in objects(class_data, "categories"):
            for item in objects(category, "measurements"):
                for key in ("value", "lowerLimit", "upperLimit"):
                    text = item.get(key)
                    number = parse_number(text if isinstance(text, str) else None).value
                    if number is not None and not 0 <= number <= 100:
                        return False
    return True
