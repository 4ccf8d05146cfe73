"""The between-study variance τ²: estimators (DL, REML, ML, PM, HE, SJ, EB) and the Q-profile CI.

Each estimator is metafor's (`rma(method=...)`) for an intercept-only model, truncated at 0:

* DL (DerSimonian-Laird), HE (Hedges, unweighted method of moments) and SJ (Sidik-Jonkman,
  starting from the variance of the estimates) are closed forms;
* REML and ML are the roots of their likelihood's score equation, PM (Paule-Mandel) and EB
  (empirical Bayes, Morris) the root of ``Q(τ²) = k - 1`` -- the same equation for a model
  without moderators, which metafor solves by root finding and by Fisher scoring. Here every
  root is found by Brent's method to machine precision; a score already negative at 0 gives 0.

``generalised_q`` is the Q statistic with weights ``1/(vi + τ²)``; the Q-profile CI of Viechtbauer
(2007) inverts it against the χ²(k-1) quantiles.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from evidencedb.enums import MetaMethod

Vector = npt.NDArray[np.float64]

__all__ = ["Vector", "estimate_tau2", "generalised_q", "q_profile_ci"]

_ROOT_TOLERANCE = 1e-15


def generalised_q(yi: Vector, vi: Vector, tau2: float) -> float:
    """``Σ w (y - ŷ)²``, ``w = 1/(v + τ²)``, ``ŷ`` the weighted mean: Cochran's Q at τ² = 0."""
    weights = 1.0 / (vi + tau2)
    mean = float(np.sum(weights * yi) / np.sum(weights))
    return float(np.sum(weights * (yi - mean) ** 2))


def estimate_tau2(yi: Vector, vi: Vector, method: MetaMethod) -> float:
    """τ² of ``yi`` with sampling variances ``vi`` by ``method`` (a random-effects method)."""
    if len(yi) < 2:
        return 0.0
    estimator = _ESTIMATORS.get(method)
    if estimator is None:
        raise ValueError(f"{method} is not a random-effects method")
    return max(0.0, estimator(yi, vi))


def q_profile_ci(yi: Vector, vi: Vector, level: float = 0.95) -> tuple[float, float]:
    """The Q-profile confidence interval for τ²: where ``Q(τ²)`` meets the χ²(k-1) quantiles.

    A bound whose quantile ``Q(0)`` does not reach is 0, as in metafor's `confint`.
    """
    degrees = len(yi) - 1
    if degrees < 1:
        return 0.0, 0.0
    alpha = 1.0 - level
    upper_quantile = float(stats.chi2.isf(alpha / 2.0, degrees))
    lower_quantile = float(stats.chi2.ppf(alpha / 2.0, degrees))
    q_at_zero = generalised_q(yi, vi, 0.0)
    lower = 0.0 if q_at_zero < upper_quantile else _q_root(yi, vi, upper_quantile)
    upper = 0.0 if q_at_zero < lower_quantile else _q_root(yi, vi, lower_quantile)
    return lower, upper


def _q_root(yi: Vector, vi: Vector, target: float) -> float:
    # Q(τ²) falls from Q(0) towards 0 as τ² grows: a root above 0 exists when Q(0) > target.
    return _root(lambda tau2: generalised_q(yi, vi, tau2) - target, scale=float(np.var(yi)))


def _root(decreasing: Callable[[float], float], scale: float) -> float:
    """The root of a function positive at 0 that turns negative as τ² grows."""
    if decreasing(0.0) <= 0.0:
        return 0.0
    upper = max(scale, 1e-8)
    while decreasing(upper) > 0.0:
        upper *= 4.0
    return float(
        optimize.brentq(decreasing, 0.0, upper, xtol=_ROOT_TOLERANCE, rtol=4 * np.finfo(float).eps)
    )


def _dersimonian_laird(yi: Vector, vi: Vector) -> float:
    weights = 1.0 / vi
    trace = np.sum(weights) - np.sum(weights**2) / np.sum(weights)
    return float((generalised_q(yi, vi, 0.0) - (len(yi) - 1)) / trace)


def _hedges(yi: Vector, vi: Vector) -> float:
    # The unweighted residual sum of squares less its expectation under τ² = 0, per df.
    residual = float(np.sum((yi - np.mean(yi)) ** 2))
    return residual / (len(yi) - 1) - float(np.mean(vi))


def _sidik_jonkman(yi: Vector, vi: Vector) -> float:
    start = float(np.var(yi))  # metafor's var(yi) (k-1)/k
    return start * generalised_q(yi, vi, start) / (len(yi) - 1)


def _paule_mandel(yi: Vector, vi: Vector) -> float:
    degrees = len(yi) - 1
    return _root(lambda tau2: generalised_q(yi, vi, tau2) - degrees, scale=float(np.var(yi)))


def _weighted_residuals(yi: Vector, vi: Vector, tau2: float) -> tuple[Vector, Vector]:
    weights = 1.0 / (vi + tau2)
    mean = np.sum(weights * yi) / np.sum(weights)
    return weights, weights * (yi - mean)


def _maximum_likelihood(yi: Vector, vi: Vector) -> float:
    def score(tau2: float) -> float:
        weights, residuals = _weighted_residuals(yi, vi, tau2)
        return float(np.sum(residuals**2) - np.sum(weights))

    return _root(score, scale=float(np.var(yi)))


def _restricted_maximum_likelihood(yi: Vector, vi: Vector) -> float:
    def score(tau2: float) -> float:
        weights, residuals = _weighted_residuals(yi, vi, tau2)
        trace = np.sum(weights) - np.sum(weights**2) / np.sum(weights)
        return float(np.sum(residuals**2) - trace)

    return _root(score, scale=float(np.var(yi)))


_ESTIMATORS: dict[MetaMethod, Callable[[Vector, Vector], float]] = {
    MetaMethod.DL: _dersimonian_laird,
    MetaMethod.HE: _hedges,
    MetaMethod.SJ: _sidik_jonkman,
    MetaMethod.PM: _paule_mandel,
    MetaMethod.EB: _paule_mandel,  # the same estimating equation without moderators
    MetaMethod.ML: _maximum_likelihood,
    MetaMethod.REML: _restricted_maximum_likelihood,
}
