"""Studies of a meta-analysis: each trial's endpoint as one oriented effect size, or a reason.

A trial's evidence for one endpoint (`EndpointEvidence`: its arms' results and its reported
between-arm estimates, each with the fact it came from) becomes a `Study` -- experimental vs
comparator, the effect size of the measure asked for, the facts used -- or an `Excluded` with
the reason. Arm-level data is preferred (counts for RR/OR/RD, mean/SD/N for MD/SMD); a
reported estimate of the same measure is used when the arms lack it; a hazard ratio can only
be reported.

`orient` decides which way a contrast runs. Curated data is oriented by arm roles; a registry
comparison carries its own ``direction_basis`` (``stated``, ``arm_roles``, ``arm_data`` or
``unknown``), which `orient` takes when given: a contrast whose direction is unknown is left
out, never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from evidencedb.analysis.meta import effects
from evidencedb.analysis.meta.counts import Counts
from evidencedb.enums import COMPARATOR_ROLES, ArmRole, MetaMeasure

__all__ = [
    "ArmOutcome",
    "EndpointEvidence",
    "Excluded",
    "FactUsed",
    "Orientation",
    "ReportedEstimate",
    "Study",
    "ZeroCellPolicy",
    "arm_pair",
    "assemble",
    "orient",
    "reported_effect",
]

_FROM_COUNTS = {
    MetaMeasure.RISK_RATIO: effects.log_risk_ratio,
    MetaMeasure.ODDS_RATIO: effects.log_odds_ratio,
    MetaMeasure.RISK_DIFFERENCE: effects.risk_difference,
}
_FROM_MEANS = {
    MetaMeasure.MEAN_DIFFERENCE: effects.mean_difference,
    MetaMeasure.STANDARDIZED_MEAN_DIFFERENCE: effects.standardized_mean_difference,
}


_RATIOS = frozenset(measure.value for measure in MetaMeasure if measure.is_ratio)


class Orientation(StrEnum):
    AS_REPORTED = "as_reported"  # the fact's arm is the experimental one
    REVERSED = "reversed"  # the fact's arm is the comparator: invert the contrast
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FactUsed:
    """One stored number a study's effect size was computed from, and where it was stated."""

    table: str  # results or comparisons
    id: int
    field: str  # the column: numerator, value, spread, ...
    value: float | int
    source_key: str
    quote: str | None
    locator: str | None


@dataclass(frozen=True)
class ArmOutcome:
    """One arm's result for the endpoint: events/N, or mean, SD and N, as far as reported."""

    arm_key: str
    label: str
    role: str | None
    events: int | None = None
    total: int | None = None
    mean: float | None = None
    sd: float | None = None
    n: int | None = None
    facts: tuple[FactUsed, ...] = ()


@dataclass(frozen=True)
class ReportedEstimate:
    """A between-arm estimate as reported, with its CI; ``direction_basis`` from a registry."""

    arm_key: str
    comparator_arm_key: str
    arm_role: str | None
    comparator_role: str | None
    measure: str
    value: float
    ci_lower: float | None
    ci_upper: float | None
    ci_level: float | None
    facts: tuple[FactUsed, ...]  # the value and its CI's bounds
    direction_basis: str | None = None


@dataclass(frozen=True)
class EndpointEvidence:
    """What one trial reports on one endpoint."""

    trial_key: str
    trial_name: str
    endpoint_key: str
    endpoint_name: str
    arms: tuple[ArmOutcome, ...] = ()
    reported: tuple[ReportedEstimate, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)  # for --subgroup: design, ...
    timepoint_value: float | None = None
    timepoint_unit: str | None = None


@dataclass(frozen=True)
class Study:
    """One study of a meta-analysis: oriented experimental vs comparator, with its facts."""

    trial_key: str
    trial_name: str
    endpoint_key: str
    arm_key: str
    comparator_arm_key: str
    arm_label: str
    comparator_label: str
    effect: effects.Effect
    basis: str  # what the effect size was computed from, in words
    facts: tuple[FactUsed, ...]
    attributes: dict[str, str]
    counts: Counts | None = None  # for Mantel-Haenszel and Peto
    arm_summary: str = ""  # "12/40" or "5.1 (2.0) 40", per arm, for the forest plot
    comparator_summary: str = ""


@dataclass(frozen=True)
class Excluded:
    trial_key: str
    endpoint_key: str
    reason: str


@dataclass(frozen=True)
class ZeroCellPolicy:
    """escalc's conventions: ``add`` to every cell of a study with a zero cell, and double-zero
    studies out of ratio measures unless ``include_double_zero``."""

    add: float = effects.ZERO_CELL_ADD
    include_double_zero: bool = False


def orient(
    arm_role: str | None, comparator_role: str | None, direction_basis: str | None = None
) -> Orientation:
    """Which way the contrast ``arm`` vs ``comparator`` runs relative to experimental vs
    comparator: by the arms' roles, or by the registry's ``direction_basis`` when it states one."""
    if direction_basis == "unknown":
        return Orientation.UNKNOWN
    if arm_role == ArmRole.EXPERIMENTAL and comparator_role in COMPARATOR_ROLES:
        return Orientation.AS_REPORTED
    if arm_role in COMPARATOR_ROLES and comparator_role == ArmRole.EXPERIMENTAL:
        return Orientation.REVERSED
    if direction_basis is not None and arm_role is None and comparator_role is None:
        return Orientation.AS_REPORTED  # the registry determined the arm of interest
    return Orientation.UNKNOWN


def assemble(
    evidence: Iterable[EndpointEvidence],
    measure: MetaMeasure,
    zero_cells: ZeroCellPolicy = ZeroCellPolicy(),
) -> tuple[list[Study], list[Excluded]]:
    """One study per trial: each endpoint's effect size of ``measure``, or why it is left out.

    A trial with more than one selected endpoint is left out too: a meta-analysis counts a
    trial once, and which endpoint stands for it is the analyst's choice (``--endpoint``).
    """
    by_trial: dict[str, list[EndpointEvidence]] = {}
    for item in evidence:
        by_trial.setdefault(item.trial_key, []).append(item)
    studies: list[Study] = []
    excluded: list[Excluded] = []
    for trial_key, items in sorted(by_trial.items()):
        if len(items) > 1:
            keys = ", ".join(sorted(item.endpoint_key for item in items))
            reason = f"{len(items)} endpoints match ({keys}): choose one with --endpoint"
            excluded.extend(Excluded(trial_key, item.endpoint_key, reason) for item in items)
            continue
        found = study_of(items[0], measure, zero_cells)
        (studies if isinstance(found, Study) else excluded).append(found)  # type: ignore[arg-type]
    return studies, excluded


def study_of(
    item: EndpointEvidence, measure: MetaMeasure, zero_cells: ZeroCellPolicy
) -> Study | Excluded:
    """The study of one trial's endpoint, from arm-level data first, else a reported estimate."""
    pair = arm_pair(item.arms)
    reasons: list[str] = []
    if isinstance(pair, str):
        reasons.append(pair)
    else:
        from_arms = _from_arms(item, pair[0], pair[1], measure, zero_cells)
        if isinstance(from_arms, Study):
            return from_arms
        reasons.append(from_arms)
    from_reported = _from_reported(item, measure)
    if isinstance(from_reported, Study):
        return from_reported
    reasons.append(from_reported)
    return Excluded(item.trial_key, item.endpoint_key, "; ".join(reasons))


def arm_pair(arms: Sequence[ArmOutcome]) -> tuple[ArmOutcome, ArmOutcome] | str:
    """The experimental arm and the comparator arm, when the roles name exactly one of each."""
    experimental = [arm for arm in arms if arm.role == ArmRole.EXPERIMENTAL]
    comparators = [arm for arm in arms if arm.role in COMPARATOR_ROLES]
    if len(experimental) == 1 and len(comparators) == 1:
        return experimental[0], comparators[0]
    if not arms:
        return "no arm-level results"
    return (
        f"direction unknown from arm roles: {len(experimental)} experimental and "
        f"{len(comparators)} comparator arm(s) with results"
    )


def _from_arms(
    item: EndpointEvidence,
    arm: ArmOutcome,
    comparator: ArmOutcome,
    measure: MetaMeasure,
    zero_cells: ZeroCellPolicy,
) -> Study | str:
    if measure in _FROM_COUNTS:
        return _from_counts(item, arm, comparator, measure, zero_cells)
    if measure in _FROM_MEANS:
        return _from_means(item, arm, comparator, measure)
    return f"a {measure.replace('_', ' ')} is never computed from arm-level results"


def _from_counts(
    item: EndpointEvidence,
    arm: ArmOutcome,
    comparator: ArmOutcome,
    measure: MetaMeasure,
    zero_cells: ZeroCellPolicy,
) -> Study | str:
    if None in (arm.events, arm.total, comparator.events, comparator.total):
        return "arm-level results lack events/N"
    counts = Counts(arm.events, arm.total, comparator.events, comparator.total)  # type: ignore[arg-type]
    cells = (counts.events1, counts.n1, counts.events2, counts.n2)
    if measure.is_ratio and not zero_cells.include_double_zero and effects.is_double_zero(*cells):
        return "no events (or only events) in both arms: uninformative for a ratio"
    effect = _FROM_COUNTS[measure](effects.two_by_two(*cells, add=zero_cells.add))
    if not (math.isfinite(effect.yi) and math.isfinite(effect.vi)):
        return "a zero cell with no correction (add 0) leaves the effect size undefined"
    return _study(
        item,
        arm,
        comparator,
        effect,
        "events/N per arm",
        counts=counts,
        summaries=(f"{arm.events}/{arm.total}", f"{comparator.events}/{comparator.total}"),
    )


def _from_means(
    item: EndpointEvidence, arm: ArmOutcome, comparator: ArmOutcome, measure: MetaMeasure
) -> Study | str:
    values = (arm.mean, arm.sd, arm.n, comparator.mean, comparator.sd, comparator.n)
    if None in values:
        return "arm-level results lack mean, SD and N"
    effect = _FROM_MEANS[measure](*values)  # type: ignore[arg-type]
    return _study(
        item,
        arm,
        comparator,
        effect,
        "mean, SD and N per arm",
        summaries=(_mean_summary(arm), _mean_summary(comparator)),
    )


def _from_reported(item: EndpointEvidence, measure: MetaMeasure) -> Study | str:
    candidates = [r for r in item.reported if r.measure == measure]
    if not candidates:
        return f"no reported {measure.replace('_', ' ')}"
    reasons = []
    for estimate in candidates:
        found = _reported_study(item, estimate, measure)
        if isinstance(found, Study):
            return found
        reasons.append(found)
    return "; ".join(reasons)


def reported_effect(estimate: ReportedEstimate) -> tuple[effects.Effect, Orientation] | str:
    """A reported estimate's effect size as reported (log for a ratio, SE from its CI) and which
    way it runs; or why it cannot be used."""
    name = estimate.measure.replace("_", " ")
    direction = orient(estimate.arm_role, estimate.comparator_role, estimate.direction_basis)
    if direction is Orientation.UNKNOWN:
        return f"direction unknown for the reported {name}"
    if estimate.ci_lower is None or estimate.ci_upper is None:
        return f"the reported {name} has no CI"
    level = estimate.ci_level or 0.95
    if estimate.measure in _RATIOS:
        if min(estimate.value, estimate.ci_lower, estimate.ci_upper) <= 0:
            return f"the reported {name} or its CI is not positive"
        effect = effects.from_ratio_ci(estimate.value, estimate.ci_lower, estimate.ci_upper, level)
    else:
        effect = effects.from_difference_ci(
            estimate.value, estimate.ci_lower, estimate.ci_upper, level
        )
    return effect, direction


def _reported_study(
    item: EndpointEvidence, estimate: ReportedEstimate, measure: MetaMeasure
) -> Study | str:
    found = reported_effect(estimate)
    if isinstance(found, str):
        return found
    effect, direction = found
    arms = {arm.arm_key: arm for arm in item.arms}
    first = arms.get(estimate.arm_key) or ArmOutcome(estimate.arm_key, estimate.arm_key, None)
    second = arms.get(estimate.comparator_arm_key) or ArmOutcome(
        estimate.comparator_arm_key, estimate.comparator_arm_key, None
    )
    if direction is Orientation.REVERSED:
        first, second = second, first
        effect = effects.Effect(-effect.yi, effect.vi)  # 1/ratio on the log scale, or -difference
    level = estimate.ci_level or 0.95
    basis = f"reported {measure.replace('_', ' ')} with its {level:.0%} CI"
    return replace(
        _study(item, first, second, effect, basis),
        facts=estimate.facts,
    )


def _study(
    item: EndpointEvidence,
    arm: ArmOutcome,
    comparator: ArmOutcome,
    effect: effects.Effect,
    basis: str,
    *,
    counts: Counts | None = None,
    summaries: tuple[str, str] = ("", ""),
) -> Study:
    return Study(
        trial_key=item.trial_key,
        trial_name=item.trial_name,
        endpoint_key=item.endpoint_key,
        arm_key=arm.arm_key,
        comparator_arm_key=comparator.arm_key,
        arm_label=arm.label,
        comparator_label=comparator.label,
        effect=effect,
        basis=basis,
        facts=arm.facts + comparator.facts,
        attributes=item.attributes,
        counts=counts,
        arm_summary=summaries[0],
        comparator_summary=summaries[1],
    )


def _mean_summary(arm: ArmOutcome) -> str:
    return f"{arm.mean:g} ({arm.sd:g}) {arm.n}"
