"""Egger's regression test for funnel-plot asymmetry (Egger et al. 1997, BMJ 315:629).

The classical test, metafor's ``regtest(model="lm")``: a weighted least-squares regression of the
estimates on their standard errors (weights ``1/vi``) with the residual variance estimated; the
t test of the slope on k - 2 df. A slope far from 0 means small studies report other effects
than large ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["EggerTest", "egger_test"]


@dataclass(frozen=True)
class EggerTest:
    statistic: float  # t of the slope on the standard error
    df: int
    p_value: float
    limit_estimate: float  # the intercept: the estimate as the SE goes to 0


def egger_test(yi: Sequence[float], vi: Sequence[float]) -> EggerTest:
    """Egger's test of ``yi`` with sampling variances ``vi`` (3 studies or more)."""
    k = len(yi)
    if k < 3:
        raise ValueError("Egger's test needs 3 studies or more")
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    design = np.column_stack([np.ones(k), np.sqrt(v)])
    weights = 1.0 / v
    information = design.T @ (weights[:, None] * design)
    coefficients = np.linalg.solve(information, design.T @ (weights * y))
    residuals = y - design @ coefficients
    dispersion = float(np.sum(weights * residuals**2)) / (k - 2)
    covariance = dispersion * np.linalg.inv(information)
    statistic = float(coefficients[1] / math.sqrt(covariance[1, 1]))
    p_value = float(2.0 * stats.t.sf(abs(statistic), k - 2))
    return EggerTest(statistic, k - 2, p_value, float(coefficients[0]))
