"""Pooling by inverse variance: the common-effect model and random effects, as metafor's `rma`.

Given the studies' ``yi`` and ``vi``, `pool` returns the pooled estimate on the scale of
pooling with its SE, CI and test; Cochran's Q with its p-value, I² and H²; τ² with its Q-profile
CI; and the prediction interval. Conventions are metafor's:

* the CI and the test are normal, or with ``knha`` (Hartung-Knapp-Sidik-Jonkman; metafor's
  ``test="knha"``) the SE is scaled by ``√(Σ w (y - ŷ)² / (k - 1))`` and t(k - 1) is used;
* I² and H² come from Q for a common-effect model, and from τ² and the "typical" sampling
  variance ``(k - 1) / (Σw - Σw²/Σw)`` for random effects;
* the prediction interval is ``ŷ ± crit √(SE² + τ²)``, crit normal, or t(k - 1) under
  Hartung-Knapp; for a common-effect model it is the CI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from evidencedb.analysis.meta.effects import critical_value
from evidencedb.analysis.meta.tau2 import Vector, estimate_tau2, generalised_q, q_profile_ci
from evidencedb.enums import MetaMethod

__all__ = ["Heterogeneity", "Pooled", "heterogeneity", "pool"]


@dataclass(frozen=True)
class Heterogeneity:
    """Cochran's Q of the studies around the common-effect estimate, with I² (%) and H²."""

    q: float
    q_df: int
    q_p_value: float
    i2: float
    h2: float


@dataclass(frozen=True)
class Pooled:
    """A pooled estimate, everything on the scale of pooling (log for ratios)."""

    method: MetaMethod
    knha: bool
    level: float
    k: int
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    p_value: float
    pi_lower: float
    pi_upper: float
    tau2: float
    tau2_ci_lower: float | None
    tau2_ci_upper: float | None
    heterogeneity: Heterogeneity
    weights: tuple[float, ...]  # percent, in the order of the studies


def heterogeneity(q: float, k: int) -> Heterogeneity:
    """Q over ``k`` studies as a test, and I² and H² from Q (a common-effect model's)."""
    if k < 2:
        return Heterogeneity(q=0.0, q_df=0, q_p_value=1.0, i2=0.0, h2=1.0)
    degrees = k - 1
    q = max(0.0, q)
    i2 = max(0.0, 100.0 * (q - degrees) / q) if q > 0 else 0.0
    return Heterogeneity(q, degrees, float(stats.chi2.sf(q, degrees)), i2, q / degrees)


def pool(
    yi: Vector, vi: Vector, method: MetaMethod, *, knha: bool = False, level: float = 0.95
) -> Pooled:
    """Inverse-variance pooling of ``yi`` by ``method`` (FE or a τ² estimator)."""
    if method in (MetaMethod.MH, MetaMethod.PETO):
        raise ValueError(f"{method} pools counts: use analysis.meta.counts")
    k = len(yi)
    if k == 0:
        raise ValueError("no studies to pool")
    tau2 = estimate_tau2(yi, vi, method) if method.is_random else 0.0
    weights = 1.0 / (vi + tau2)
    estimate = float(np.sum(weights * yi) / np.sum(weights))
    variance = 1.0 / float(np.sum(weights))
    if knha and k > 1:
        scale = float(np.sum(weights * (yi - estimate) ** 2)) / (k - 1)
        variance *= 0.0 if scale <= np.finfo(float).eps else scale
    se = math.sqrt(variance)
    z = _ratio(estimate, se)
    if knha:
        crit = float(stats.t.isf((1.0 - level) / 2.0, k - 1)) if k > 1 else math.nan
        p_value = float(2.0 * stats.t.sf(abs(z), k - 1)) if k > 1 else math.nan
    else:
        crit = critical_value(level)
        p_value = float(2.0 * stats.norm.sf(abs(z)))
    q = heterogeneity(generalised_q(yi, vi, 0.0), k)
    tau2_ci: tuple[float | None, float | None] = (None, None)
    if method.is_random:
        q = _random_effects_shares(q, vi, tau2)
        tau2_ci = q_profile_ci(yi, vi, level)
    half_pi = crit * math.sqrt(variance + tau2)
    return Pooled(
        method=method,
        knha=knha,
        level=level,
        k=k,
        estimate=estimate,
        se=se,
        ci_lower=estimate - crit * se,
        ci_upper=estimate + crit * se,
        p_value=p_value,
        pi_lower=estimate - half_pi,
        pi_upper=estimate + half_pi,
        tau2=tau2,
        tau2_ci_lower=tau2_ci[0],
        tau2_ci_upper=tau2_ci[1],
        heterogeneity=q,
        weights=tuple(float(w) for w in 100.0 * weights / np.sum(weights)),
    )


def _ratio(estimate: float, se: float) -> float:
    # An SE of 0 (Hartung-Knapp on identical studies) makes any non-zero estimate infinitely
    # far from 0, as in metafor; 0/0 says nothing.
    if se > 0:
        return estimate / se
    return math.copysign(math.inf, estimate) if estimate != 0 else math.nan


def _random_effects_shares(q: Heterogeneity, vi: Vector, tau2: float) -> Heterogeneity:
    # Under random effects I² is τ²'s share of τ² plus the typical sampling variance.
    if q.q_df == 0:
        return q
    weights = 1.0 / vi
    typical = q.q_df / float(np.sum(weights) - np.sum(weights**2) / np.sum(weights))
    return Heterogeneity(
        q.q, q.q_df, q.q_p_value, 100.0 * tau2 / (typical + tau2), tau2 / typical + 1.0
    )
