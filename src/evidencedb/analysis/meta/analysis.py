"""A whole meta-analysis: the studies assembled, pooled as asked, subgroups and leave-one-out.

`meta_analyse` is the one entry point the operations use (ad hoc and saved analyses alike): it
takes the trials' evidence and the options, and returns a `MetaResult`; `as_json` gives its
JSON shape (issue #17's field names; ratios back on the ratio scale beside the log scale).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evidencedb.analysis.meta.counts import mantel_haenszel, peto
from evidencedb.analysis.meta.effects import critical_value
from evidencedb.analysis.meta.models import Pooled, pool
from evidencedb.analysis.meta.studies import (
    EndpointEvidence,
    Excluded,
    Study,
    ZeroCellPolicy,
    assemble,
)
from evidencedb.analysis.meta.subsets import Fit, SubgroupAnalysis, leave_one_out, subgroup_analysis
from evidencedb.enums import MetaMeasure, MetaMethod
from evidencedb.errors import EvidenceError

__all__ = ["MetaOptions", "MetaResult", "MethodNotApplicable", "as_json", "meta_analyse"]

_COUNT_MEASURES = (MetaMeasure.RISK_RATIO, MetaMeasure.ODDS_RATIO, MetaMeasure.RISK_DIFFERENCE)


@dataclass(frozen=True)
class MetaOptions:
    measure: MetaMeasure
    method: MetaMethod = MetaMethod.REML
    knha: bool = False
    level: float = 0.95
    zero_cells: ZeroCellPolicy = field(default_factory=ZeroCellPolicy)
    subgroup: str | None = None
    leave_one_out: bool = False


@dataclass(frozen=True)
class MetaResult:
    options: MetaOptions
    studies: list[Study]
    excluded: list[Excluded]
    pooled: Pooled | None  # None when no study is left
    subgroups: SubgroupAnalysis | None = None
    without_each: list[Pooled] | None = None


class MethodNotApplicable(EvidenceError):
    """The options ask for a method that cannot pool this measure (Peto's is an odds ratio)."""


def meta_analyse(evidence: Iterable[EndpointEvidence], options: MetaOptions) -> MetaResult:
    """Assemble the studies of ``evidence`` and pool them as ``options`` say."""
    _check_method(options)
    studies, excluded = assemble(evidence, options.measure, options.zero_cells)
    if options.method in (MetaMethod.MH, MetaMethod.PETO):
        kept = [study for study in studies if study.counts is not None]
        excluded += [
            Excluded(s.trial_key, s.endpoint_key, f"{options.method} pools events/N per arm")
            for s in studies
            if s.counts is None
        ]
        studies = kept
    if not studies:
        return MetaResult(options, studies, excluded, None)
    fit = _fitter(studies, options)
    everything = fit(range(len(studies)))
    subgroups = None
    if options.subgroup is not None:
        labels = [study.attributes.get(options.subgroup) or "(none)" for study in studies]
        subgroups = subgroup_analysis(labels, fit)
    without_each = leave_one_out(len(studies), fit) if options.leave_one_out else None
    return MetaResult(options, studies, excluded, everything, subgroups, without_each)


def _check_method(options: MetaOptions) -> None:
    if options.method is MetaMethod.MH and options.measure not in _COUNT_MEASURES:
        raise MethodNotApplicable("Mantel-Haenszel pools risk ratios, odds ratios and differences")
    if options.method is MetaMethod.PETO and options.measure is not MetaMeasure.ODDS_RATIO:
        raise MethodNotApplicable("Peto's method pools odds ratios only (--measure odds_ratio)")
    if options.knha and options.method in (MetaMethod.MH, MetaMethod.PETO):
        raise MethodNotApplicable(
            f"Hartung-Knapp adjusts inverse-variance models, not {options.method}"
        )


def _fitter(studies: Sequence[Study], options: MetaOptions) -> Fit:
    yi = np.array([study.effect.yi for study in studies])
    vi = np.array([study.effect.vi for study in studies])

    def fit(indexes: Iterable[int]) -> Pooled:
        chosen = list(indexes)
        if options.method is MetaMethod.MH:
            counts = [studies[i].counts for i in chosen]
            return mantel_haenszel(counts, options.measure, options.level)  # type: ignore[arg-type]
        if options.method is MetaMethod.PETO:
            return peto([studies[i].counts for i in chosen], options.level)  # type: ignore[misc]
        return pool(yi[chosen], vi[chosen], options.method, knha=options.knha, level=options.level)

    return fit


def _scale(value: float | None, ratio: bool) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return math.exp(value) if ratio else value


POOLED_FIELDS = (
    "k", "estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper", "log_estimate", "se",
    "p_value", "tau2", "tau", "tau2_ci_lower", "tau2_ci_upper", "i2", "h2", "q", "q_df",
    "q_p_value",
)  # fmt: skip


def pooled_json(pooled: Pooled, measure: MetaMeasure) -> dict[str, Any]:
    """A pooled estimate's fields: the estimate, CI and PI on the measure's own scale (ratios as
    ratios), ``log_estimate`` and ``se`` on the scale of pooling."""
    ratio = measure.is_ratio
    het = pooled.heterogeneity
    return {
        "k": pooled.k,
        "estimate": _scale(pooled.estimate, ratio),
        "ci_lower": _scale(pooled.ci_lower, ratio),
        "ci_upper": _scale(pooled.ci_upper, ratio),
        "pi_lower": _scale(pooled.pi_lower, ratio),
        "pi_upper": _scale(pooled.pi_upper, ratio),
        "log_estimate": pooled.estimate if ratio else None,
        "se": pooled.se,
        "p_value": _finite(pooled.p_value),
        "tau2": pooled.tau2,
        "tau": math.sqrt(pooled.tau2),
        "tau2_ci_lower": pooled.tau2_ci_lower,
        "tau2_ci_upper": pooled.tau2_ci_upper,
        "i2": het.i2,
        "h2": het.h2,
        "q": het.q,
        "q_df": het.q_df,
        "q_p_value": het.q_p_value,
    }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def as_json(result: MetaResult) -> dict[str, Any]:
    """The result as issue #17's JSON object: the pooled fields, ``studies`` and ``excluded``."""
    options = result.options
    head: dict[str, Any] = {
        "measure": options.measure.value,
        "method": options.method.value,
        "hksj": options.knha,
        "level": options.level,
    }
    if result.pooled is None:
        head.update(dict.fromkeys(POOLED_FIELDS))
        head["k"] = 0
    else:
        head.update(pooled_json(result.pooled, options.measure))
    weights = result.pooled.weights if result.pooled is not None else ()
    head["studies"] = [
        _study_json(study, weight, options)
        for study, weight in zip(result.studies, weights, strict=True)
    ]
    head["excluded"] = [
        {"trial_key": e.trial_key, "endpoint_key": e.endpoint_key, "reason": e.reason}
        for e in result.excluded
    ]
    if result.subgroups is not None:
        head["subgroups"] = _subgroups_json(result.subgroups, options)
    if result.without_each is not None:
        head["leave_one_out"] = [
            {"left_out": study.trial_key, **pooled_json(fit, options.measure)}
            for study, fit in zip(result.studies, result.without_each, strict=True)
        ]
    return head


def _study_json(study: Study, weight: float, options: MetaOptions) -> dict[str, Any]:
    half = critical_value(options.level) * study.effect.se
    ratio = options.measure.is_ratio
    return {
        "trial_key": study.trial_key,
        "trial_name": study.trial_name,
        "endpoint_key": study.endpoint_key,
        "arm_key": study.arm_key,
        "comparator_arm_key": study.comparator_arm_key,
        "yi": study.effect.yi,
        "vi": study.effect.vi,
        "weight": weight,
        "estimate": _scale(study.effect.yi, ratio),
        "ci_lower": _scale(study.effect.yi - half, ratio),
        "ci_upper": _scale(study.effect.yi + half, ratio),
        "basis": study.basis,
        "arm_data": study.arm_summary or None,
        "comparator_data": study.comparator_summary or None,
        "facts": [
            {
                "table": fact.table,
                "id": fact.id,
                "field": fact.field,
                "value": fact.value,
                "source_key": fact.source_key,
                "quote": fact.quote,
                "locator": fact.locator,
            }
            for fact in study.facts
        ],
    }


def _subgroups_json(subgroups: SubgroupAnalysis, options: MetaOptions) -> dict[str, Any]:
    return {
        "field": options.subgroup,
        "groups": {
            label: pooled_json(pooled, options.measure)
            for label, pooled in subgroups.groups.items()
        },
        "q_between": subgroups.between.q,
        "q_between_df": subgroups.between.q_df,
        "q_between_p_value": subgroups.between.q_p_value,
    }
