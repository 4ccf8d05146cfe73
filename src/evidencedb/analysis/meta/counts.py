"""Pooling two-arm counts directly: Mantel-Haenszel (RR, OR, RD) and Peto's odds ratio, as metafor.

* Mantel-Haenszel (metafor's `rma.mh`): the OR with the Robins-Breslow-Greenland variance, the
  RR with Greenland-Robins', the RD with Sato-Greenland-Robins'. Cells are pooled as they are
  (no zero-cell correction); the Q test is each study's escalc effect (0.5 added to a study with
  a zero cell, double zeros left out) around the pooled estimate.
* Peto (`rma.peto`): ``Σ(O - E) / ΣV`` with the hypergeometric variance, and Q from the same
  observed-minus-expected terms.

Both are common-effect models: τ² is 0 and the prediction interval is the CI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from evidencedb.analysis.meta.effects import (
    critical_value,
    is_double_zero,
    log_odds_ratio,
    log_risk_ratio,
    risk_difference,
    two_by_two,
)
from evidencedb.analysis.meta.models import Heterogeneity, Pooled, heterogeneity
from evidencedb.enums import MetaMeasure, MetaMethod

__all__ = ["Counts", "mantel_haenszel", "peto"]


@dataclass(frozen=True)
class Counts:
    """Events out of N in the experimental arm (1) and in the comparator (2)."""

    events1: int
    n1: int
    events2: int
    n2: int


_ESCALC = {
    MetaMeasure.RISK_RATIO: log_risk_ratio,
    MetaMeasure.ODDS_RATIO: log_odds_ratio,
    MetaMeasure.RISK_DIFFERENCE: risk_difference,
}


def mantel_haenszel(studies: Sequence[Counts], measure: MetaMeasure, level: float = 0.95) -> Pooled:
    """The Mantel-Haenszel estimate of ``measure`` (log scale for RR and OR)."""
    if measure not in _ESCALC:
        raise ValueError(f"Mantel-Haenszel pools counts as RR, OR or RD, not {measure}")
    a, b, c, d = _cells(studies)
    n1, n2 = a + b, c + d
    total = n1 + n2
    if measure is MetaMeasure.ODDS_RATIO:
        estimate, se, weights = _mh_odds_ratio(a, b, c, d, total)
    elif measure is MetaMeasure.RISK_RATIO:
        r, s = np.sum(a * n2 / total), np.sum(c * n1 / total)
        estimate = math.log(r / s)
        se = math.sqrt(np.sum(n1 / total * n2 / total * (a + c) - a / total * c) / (r * s))
        weights = c * n1 / total
    else:
        estimate, se, weights = _mh_risk_difference(a, c, n1, n2, total)
    het = _escalc_q(studies, measure, estimate)
    return _common_effect(MetaMethod.MH, studies, estimate, se, het, level, weights)


def peto(studies: Sequence[Counts], level: float = 0.95) -> Pooled:
    """Peto's one-step log odds ratio."""
    a, b, c, d = _cells(studies)
    n1, n2 = a + b, c + d
    total = n1 + n2
    events, non_events = a + c, b + d
    expected = events * n1 / total
    variance = events * non_events * (n1 / total) * (n2 / total) / (total - 1)
    informative = variance > 0
    observed_minus_expected = (a - expected)[informative]
    informative_variance = variance[informative]
    estimate = float(np.sum(observed_minus_expected) / np.sum(informative_variance))
    q = float(
        np.sum(observed_minus_expected**2 / informative_variance)
        - np.sum(observed_minus_expected) ** 2 / np.sum(informative_variance)
    )
    se = math.sqrt(1.0 / float(np.sum(informative_variance)))
    het = heterogeneity(q, int(np.sum(informative)))
    return _common_effect(MetaMethod.PETO, studies, estimate, se, het, level, variance)


def _cells(studies: Sequence[Counts]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if not studies:
        raise ValueError("no studies to pool")
    cells = [two_by_two(s.events1, s.n1, s.events2, s.n2, add=0.0) for s in studies]
    return tuple(np.array([getattr(t, name) for t in cells]) for name in "abcd")  # type: ignore[return-value]


def _mh_odds_ratio(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray, total: np.ndarray
) -> tuple[float, float, np.ndarray]:
    p, q = (a + d) / total, (b + c) / total
    r_i, s_i = a / total * d, b / total * c
    r, s = float(np.sum(r_i)), float(np.sum(s_i))
    variance = 0.5 * (
        np.sum(p * r_i) / r**2 + np.sum(p * s_i + q * r_i) / (r * s) + np.sum(q * s_i) / s**2
    )
    return math.log(r / s), math.sqrt(float(variance)), s_i


def _mh_risk_difference(
    a: np.ndarray, c: np.ndarray, n1: np.ndarray, n2: np.ndarray, total: np.ndarray
) -> tuple[float, float, np.ndarray]:
    weights = n1 * n2 / total
    estimate = float(np.sum(a * (n2 / total) - c * (n1 / total)) / np.sum(weights))
    share1, share2 = n1 / total, n2 / total
    numerator = (
        estimate * np.sum(c * share1**2 - a * share2**2 + share1 * share2 * (n2 - n1) / 2.0)
        + np.sum(a * (n2 - c) / total + c * (n1 - a) / total) / 2.0
    )
    return estimate, math.sqrt(float(numerator) / float(np.sum(weights)) ** 2), weights


def _escalc_q(studies: Sequence[Counts], measure: MetaMeasure, estimate: float) -> Heterogeneity:
    effects = [
        _ESCALC[measure](two_by_two(s.events1, s.n1, s.events2, s.n2))
        for s in studies
        if not is_double_zero(s.events1, s.n1, s.events2, s.n2)
    ]
    yi = np.array([e.yi for e in effects])
    vi = np.array([e.vi for e in effects])
    # metafor's QE for rma.mh: each study's distance from the Mantel-Haenszel estimate.
    return heterogeneity(float(np.sum((yi - estimate) ** 2 / vi)), len(yi))


def _common_effect(
    method: MetaMethod,
    studies: Sequence[Counts],
    estimate: float,
    se: float,
    het: Heterogeneity,
    level: float,
    weights: np.ndarray,
) -> Pooled:
    crit = critical_value(level)
    lower, upper = estimate - crit * se, estimate + crit * se
    return Pooled(
        method=method,
        knha=False,
        level=level,
        k=len(studies),
        estimate=estimate,
        se=se,
        ci_lower=lower,
        ci_upper=upper,
        p_value=float(2.0 * stats.norm.sf(abs(estimate / se))),
        pi_lower=lower,
        pi_upper=upper,
        tau2=0.0,
        tau2_ci_lower=None,
        tau2_ci_upper=None,
        heterogeneity=het,
        weights=tuple(float(w) for w in 100.0 * weights / np.sum(weights)),
    )
