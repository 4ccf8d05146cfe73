"""The meta operation: the selected trials' facts read, turned into evidence, and pooled.

`evidence_of` is the bridge between `query.meta_inputs` (rows) and `analysis.meta` (typed
evidence): a trial's endpoint becomes an `EndpointEvidence` whose arms come from one source
(the one that reports the most arms; ties by source key), so that no study mixes two
publications' numbers. `run_meta` is the ad hoc analysis of `evidencedb meta`; `export
metafor` and saved analyses use `evidence_of` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import groupby
from typing import Any

from sqlalchemy import Connection

from evidencedb.analysis.meta.analysis import MetaOptions, MetaResult, meta_analyse
from evidencedb.analysis.meta.long_format import metafor_rows
from evidencedb.analysis.meta.studies import (
    ArmOutcome,
    EndpointEvidence,
    FactUsed,
    ReportedEstimate,
)
from evidencedb.enums import COMPARATOR_ROLES, SpreadType
from evidencedb.query.meta_inputs import MetaSelection, endpoint_comparisons, endpoint_results

__all__ = ["evidence_of", "metafor_export", "run_meta"]

Row = Mapping[str, Any]


def run_meta(connection: Connection, selection: MetaSelection, options: MetaOptions) -> MetaResult:
    """Pool the studies ``selection`` picks out of the database, as ``options`` say."""
    return meta_analyse(evidence_of(connection, selection), options)


def metafor_export(connection: Connection, selection: MetaSelection) -> list[dict[str, Any]]:
    """The long rows of `evidencedb export metafor` for the studies ``selection`` picks out."""
    return metafor_rows(evidence_of(connection, selection))


def evidence_of(connection: Connection, selection: MetaSelection) -> list[EndpointEvidence]:
    """Each selected trial endpoint's arm-level results and reported comparisons."""
    results = _by_endpoint(endpoint_results(connection, selection))
    comparisons = _by_endpoint(endpoint_comparisons(connection, selection))
    evidence = []
    for key in sorted(results.keys() | comparisons.keys()):
        rows = results.get(key, [])
        first = (rows or comparisons[key])[0]
        arms = _arms_of_one_source(rows)
        reported = tuple(_reported(row) for row in comparisons.get(key, []))
        evidence.append(
            EndpointEvidence(
                trial_key=first["trial_key"],
                trial_name=first["trial_acronym"] or first["trial_title"],
                endpoint_key=first["endpoint_key"],
                endpoint_name=first["endpoint_name"],
                arms=arms,
                reported=reported,
                attributes=_attributes(first, arms, reported),
                timepoint_value=first["timepoint_value"],
                timepoint_unit=first["timepoint_unit"],
            )
        )
    return evidence


def _by_endpoint(rows: Iterable[Row]) -> dict[tuple[str, str], list[Row]]:
    grouped: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        grouped.setdefault((row["trial_key"], row["endpoint_key"]), []).append(row)
    return grouped


def _arms_of_one_source(rows: list[Row]) -> tuple[ArmOutcome, ...]:
    by_source = [list(group) for _, group in groupby(rows, key=lambda row: row["source_key"])]
    if not by_source:
        return ()
    chosen = max(by_source, key=lambda group: len({row["arm_key"] for row in group}))
    arms: dict[str, ArmOutcome] = {}
    for row in chosen:
        arms.setdefault(row["arm_key"], _arm_outcome(row))
    return tuple(arms.values())


def _fact(row: Row, table: str, field: str) -> FactUsed:
    return FactUsed(
        table=table,
        id=row["id"],
        field=field,
        value=row[field],
        source_key=row["source_key"],
        quote=row["quote"],
        locator=row["locator"],
    )


def _arm_outcome(row: Row) -> ArmOutcome:
    """An arm's result as events/N when it has both counts, or as mean, SD and N when its
    value is a plain mean with a standard deviation."""
    base = {"arm_key": row["arm_key"], "label": row["arm_label"], "role": row["arm_role"]}
    if row["numerator"] is not None and row["denominator"] is not None:
        return ArmOutcome(
            **base,
            events=row["numerator"],
            total=row["denominator"],
            facts=(_fact(row, "results", "numerator"), _fact(row, "results", "denominator")),
        )
    n_field = "n_analyzed" if row["n_analyzed"] is not None else "denominator"
    is_mean = (
        row["spread_type"] == SpreadType.STANDARD_DEVIATION
        and row["value"] is not None
        and row["spread"] is not None
        and row["value_qualifier"] is None
        and row[n_field] is not None
    )
    if not is_mean:
        return ArmOutcome(**base)
    return ArmOutcome(
        **base,
        mean=row["value"],
        sd=row["spread"],
        n=row[n_field],
        facts=tuple(_fact(row, "results", name) for name in ("value", "spread", n_field)),
    )


def _reported(row: Row) -> ReportedEstimate:
    return ReportedEstimate(
        arm_key=row["arm_key"],
        comparator_arm_key=row["comparator_arm_key"],
        arm_role=row["arm_role"],
        comparator_role=row["comparator_role"],
        measure=row["measure"],
        value=row["value"],
        ci_lower=row["ci_lower"],
        ci_upper=row["ci_upper"],
        ci_level=row["ci_level"],
        facts=tuple(
            _fact(row, "comparisons", name)
            for name in ("value", "ci_lower", "ci_upper")
            if row[name] is not None
        ),
        # How the registry import determined the arm of interest; `orient` trusts it only
        # where the arms carry no roles of their own.
        direction_basis=row["direction_basis"],
    )


def _attributes(
    first: Row, arms: tuple[ArmOutcome, ...], reported: tuple[ReportedEstimate, ...]
) -> dict[str, str]:
    roles = {arm.role for arm in arms if arm.role in COMPARATOR_ROLES}
    roles |= {r.comparator_role for r in reported if r.comparator_role in COMPARATOR_ROLES}
    attributes = {name: str(first[name]) for name in ("design", "phase", "status", "endpoint_kind")}
    attributes["comparator_role"] = str(roles.pop()) if len(roles) == 1 else ""
    return {name: value for name, value in attributes.items() if value not in ("", "None")}
