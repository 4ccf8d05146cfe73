"""Baseline characteristics: each group's value of each characteristic, class and category.

Every measurement of the module becomes a row, the Total group's too (bound to an arm of its
own, titled as the registry titles it). A value that is not a plain number keeps the
registry's text in `value_raw` (and `spread_raw` for spreads and limits); n is the class's
denominator for the group, else the measure's, else the module's.
"""

from __future__ import annotations

from typing import Any

from evidencedb.enums import SpreadType
from evidencedb.records.baseline import BaselineMeasurementRecord
from evidencedb.registries.ctgov.arms import Arm, Arms
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.counts import read_count, read_number
from evidencedb.registries.ctgov.groups import bind_groups
from evidencedb.registries.ctgov.keys import DistinctTitles
from evidencedb.registries.ctgov.reader import Node
from evidencedb.registries.ctgov.values import dispersion

PARTICIPANTS = "participants"

# Baseline fields and the registry fields of a measurement they come from.
_FIELDS = {
    "value": "value",
    "value_raw": "value",
    "spread": "spread",
    "spread_raw": "spread",
    "spread_lower": "lowerLimit",
    "spread_upper": "upperLimit",
    "note": "comment",
}


Denominators = dict[str, tuple[int | None, str | None]]  # group id -> n and what it counts


def denominators(owner: Node | None, units_wanted: str | None) -> Denominators:
    """The n of each group from `owner`'s denoms: of the units the measure selects, else of
    participants, else of the first units given."""
    denoms = owner.nodes("denoms") if owner is not None else []
    if not denoms:
        return {}
    by_units = {(denom.text("units") or "").casefold(): denom for denom in denoms}
    chosen = (
        by_units.get((units_wanted or "").casefold()) or by_units.get(PARTICIPANTS) or denoms[0]
    )
    units = chosen.text("units")
    counted = None if units is None or units.casefold() == PARTICIPANTS else units
    found: Denominators = {}
    for count in chosen.nodes("counts"):
        group_id = count.text("groupId")
        if group_id is not None:
            found[group_id] = (read_count(count.text("value"))[0], counted)
    return found


def baseline_records(
    context: StudyContext, arms: Arms, module: Node | None, others: list[Node | None]
) -> list[BaselineMeasurementRecord]:
    """Every measurement of the baseline characteristics module, per group bound to an arm."""
    if module is None:
        return []
    groups = bind_groups(arms, module, others)
    module_n = denominators(module, None)
    characteristics = DistinctTitles()
    records: list[BaselineMeasurementRecord] = []
    for measure in module.nodes("measures"):
        title = characteristics(measure.text("title") or "Characteristic")
        records.extend(_measure_records(context, groups, measure, title, module_n))
    return records


def _measure_records(
    context: StudyContext,
    groups: dict[str, Arm],
    measure: Node,
    title: str,
    module_n: Denominators,
) -> list[BaselineMeasurementRecord]:
    """The rows of one characteristic: per class, category and group."""
    units_wanted = measure.text("denomUnitsSelected")
    measure_n = denominators(measure, units_wanted) or module_n
    spread_kind = dispersion(measure.text("dispersionType"))
    shared = {
        "characteristic": title,
        "description": measure.text("description"),
        "parameter_type": (measure.text("paramType") or "").lower() or None,
        "unit": measure.text("unitOfMeasure"),
        "spread_type": spread_kind.spread_type
        or spread_kind.limits
        or (SpreadType.OTHER if spread_kind.is_ci or spread_kind.label else None),
    }
    records: list[BaselineMeasurementRecord] = []
    classes = DistinctTitles()
    for class_node in measure.nodes("classes"):
        class_n = denominators(class_node, units_wanted) or measure_n
        class_title = classes(class_node.text("title") or "")
        categories = DistinctTitles()
        for category in class_node.nodes("categories"):
            category_title = categories(category.text("title") or "")
            for measurement in category.nodes("measurements"):
                group_id = measurement.text("groupId") or ""
                arm = groups.get(group_id)
                if arm is None:
                    continue  # a group the module does not list: nothing to bind it to
                n, n_units = class_n.get(group_id, (None, None))
                fields = {
                    **context.cited(measurement.path),
                    **shared,
                    "arm": arm.key,
                    "class": class_title,
                    "category": category_title,
                    "n": n,
                    "n_units": n_units,
                    **_values(measurement),
                }
                record = context.record(
                    BaselineMeasurementRecord, fields, measurement.path, _FIELDS
                )
                if record is not None:
                    records.append(record)
    return records


def _values(measurement: Node) -> dict[str, Any]:
    """The value, spread and limits of one measurement, with the registry's text of any that
    is not a plain number."""
    value, value_raw = read_number(measurement.text("value"))
    spread, spread_text = read_number(measurement.text("spread"))
    lower, lower_text = read_number(measurement.text("lowerLimit"))
    upper, upper_text = read_number(measurement.text("upperLimit"))
    spread_raw = spread_text
    if lower_text is not None or upper_text is not None:
        limits = f"{measurement.text('lowerLimit') or ''} to {measurement.text('upperLimit') or ''}"
        spread_raw = f"{spread_raw}; {limits}" if spread_raw else limits
    return {
        "value": value,
        "value_raw": value_raw,
        "spread": spread,
        "spread_lower": lower,
        "spread_upper": upper,
        "spread_raw": spread_raw,
        "note": measurement.text("comment"),
    }
