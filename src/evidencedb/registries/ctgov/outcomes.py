"""Outcome measures of the results section: each group's measurements become results.

A unit becomes '%' only when it says "percentage of participants" (or just "%") and every
value of the measure lies within 0-100; otherwise the registry's unit text is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evidencedb.enums import SpreadType, ValueQualifier
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
        facts.results += _measured_results(
            context, measure, endpoint, groups, "%" if percent else unit
        )
        facts.comparisons += analysis_comparisons(
            context, measure, endpoint, groups, randomized=randomized
        )
    return facts


def _measured_results(
    context: StudyContext, measure: Node, endpoint: str, groups: dict[str, Arm], unit: str | None
) -> list[ResultRecord]:
    param_type = measure.text("paramType")
    spread_kind = dispersion(measure.text("dispersionType"))
    counts = param_type == "COUNT_OF_PARTICIPANTS"
    measure_denoms = _participants(measure)
    subgroups = DistinctTitles()
    results: list[ResultRecord] = []
    for class_node in measure.nodes("classes"):
        subgroup = subgroups(class_node.text("title") or "")
        denoms = _participants(class_node) if class_node.data.get("denoms") else measure_denoms
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
    value = parse_number(item.text("value"))
    comment = item.text("comment")
    row: dict[str, Any] = {
        "value": value.value,
        "value_qualifier": value.qualifier,
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
        row["numerator"] = int(value.value)
        row["denominator"] = denominator
    lower, upper = parse_number(item.text("lowerLimit")), parse_number(item.text("upperLimit"))
    spread = parse_number(item.text("spread"))
    notes = [comment, value.note]
    # A kind of interval or spread is recorded only with a number to go with it.
    limits = lower.value is not None or upper.value is not None
    if spread_kind.is_ci and limits:
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
