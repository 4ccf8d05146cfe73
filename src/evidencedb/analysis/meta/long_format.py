"""Analysis-ready long rows for R's metafor and meta: one row per study × contrast, oriented.

Each trial endpoint gives a row for its arm-level contrast (experimental vs comparator by arm
roles: events/N per arm, or mean, SD and N per arm) and a row for each reported between-arm
estimate whose direction is known (the log ratio or the difference, with its SE from the CI).
Columns are named as escalc's arguments, so that R reads the file as it is:

    d <- read.csv("metafor.csv")
    counts <- escalc("RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d,
                     subset = data_type == "counts")
    rma(yi, sei = sei, data = d, subset = data_type == "reported" & measure == "hazard_ratio")
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from evidencedb.analysis.meta import effects
from evidencedb.analysis.meta.studies import (
    ArmOutcome,
    EndpointEvidence,
    FactUsed,
    Orientation,
    ReportedEstimate,
    arm_pair,
    reported_effect,
)

__all__ = ["METAFOR_COLUMNS", "metafor_rows"]

METAFOR_COLUMNS = (
    "trial_key",
    "trial_name",
    "endpoint_key",
    "endpoint_name",
    "endpoint_kind",
    "timepoint_value",
    "timepoint_unit",
    "arm_key",
    "comparator_arm_key",
    "comparator_role",
    "data_type",  # counts, means or reported
    "ai",
    "n1i",
    "ci",
    "n2i",
    "m1i",
    "sd1i",
    "m2i",
    "sd2i",
    "measure",
    "yi",
    "sei",
    "ci_level",
    "fact_ids",
)


def metafor_rows(evidence: Iterable[EndpointEvidence]) -> list[dict[str, Any]]:
    """The long rows of every endpoint's contrasts, in trial and endpoint order."""
    rows = []
    for item in evidence:
        pair = arm_pair(item.arms)
        if not isinstance(pair, str):
            row = _arm_row(item, *pair)
            if row is not None:
                rows.append(row)
        rows.extend(
            row for estimate in item.reported if (row := _reported_row(item, estimate)) is not None
        )
    return rows


def _blank(item: EndpointEvidence) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(METAFOR_COLUMNS)
    row.update(
        trial_key=item.trial_key,
        trial_name=item.trial_name,
        endpoint_key=item.endpoint_key,
        endpoint_name=item.endpoint_name,
        endpoint_kind=item.attributes.get("endpoint_kind"),
        timepoint_value=item.timepoint_value,
        timepoint_unit=item.timepoint_unit,
    )
    return row


def _fact_ids(facts: Iterable[FactUsed]) -> str:
    return " ".join(f"{fact.table}:{fact.id}:{fact.field}" for fact in facts)


def _arm_row(
    item: EndpointEvidence, arm: ArmOutcome, comparator: ArmOutcome
) -> dict[str, Any] | None:
    row = _blank(item)
    row.update(arm_key=arm.arm_key, comparator_arm_key=comparator.arm_key)
    row.update(comparator_role=comparator.role, fact_ids=_fact_ids(arm.facts + comparator.facts))
    if None not in (arm.events, arm.total, comparator.events, comparator.total):
        row.update(data_type="counts", ai=arm.events, n1i=arm.total)
        row.update(ci=comparator.events, n2i=comparator.total)
        return row
    if None not in (arm.mean, arm.sd, arm.n, comparator.mean, comparator.sd, comparator.n):
        row.update(data_type="means", m1i=arm.mean, sd1i=arm.sd, n1i=arm.n)
        row.update(m2i=comparator.mean, sd2i=comparator.sd, n2i=comparator.n)
        return row
    return None


def _reported_row(item: EndpointEvidence, estimate: ReportedEstimate) -> dict[str, Any] | None:
    found = reported_effect(estimate)
    if isinstance(found, str):
        return None
    effect, direction = found
    arm, comparator = estimate.arm_key, estimate.comparator_arm_key
    comparator_role = estimate.comparator_role
    if direction is Orientation.REVERSED:
        arm, comparator, comparator_role = comparator, arm, estimate.arm_role
        effect = effects.Effect(-effect.yi, effect.vi)
    row = _blank(item)
    row.update(arm_key=arm, comparator_arm_key=comparator, comparator_role=comparator_role)
    row.update(data_type="reported", measure=estimate.measure, yi=effect.yi, sei=effect.se)
    row.update(ci_level=estimate.ci_level or 0.95, fact_ids=_fact_ids(estimate.facts))
    return row
