"""Effect sizes of one study and their sampling variances, by the conventions of metafor's `escalc`.

Each function returns the study's ``yi`` (on the scale of pooling: log for ratios) and ``vi``:

* from counts (events/N per arm) -- log risk ratio, log odds ratio and risk difference, with
  ``add`` (0.5 by default) added to every cell of a study that has a zero cell (escalc's
  ``to="only0"``); a study with no events (or only events) in both arms is a *double zero*,
  which the caller leaves out of ratio measures unless asked (escalc's ``drop00``);
* from mean, SD and N per arm -- the mean difference (``vtype="LS"``) and the standardised mean
  difference as Hedges' g with the exact small-sample correction ``c(m) = Γ(m/2) /
  (√(m/2) Γ((m-1)/2))``, ``m = n1 + n2 - 2``, and its large-sample variance;
* from a reported estimate with its CI -- the log ratio (or the difference) and the SE
  recovered from the CI at its stated level.

Group 1 is the experimental arm, group 2 the comparator: ratios are 1/2, differences 1 - 2.
`analysis.stats` computes its single-study estimates with these same functions.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from statistics import NormalDist

__all__ = [
    "Effect",
    "TwoByTwo",
    "check_counts",
    "critical_value",
    "from_difference_ci",
    "from_ratio_ci",
    "is_double_zero",
    "log_odds_ratio",
    "log_risk_ratio",
    "mean_difference",
    "risk_difference",
    "se_from_ci",
    "standardized_mean_difference",
    "two_by_two",
]

ZERO_CELL_ADD = 0.5
# The standard library's normal quantile (Wichura's AS 241, full double precision) and
# math.lgamma keep this module, and `analysis.stats` that every load uses, free of scipy's
# import time; the pooling modules use scipy.
_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class Effect:
    """A study's effect size ``yi`` on the scale of pooling and its sampling variance ``vi``."""

    yi: float
    vi: float

    @property
    def se(self) -> float:
        return math.sqrt(self.vi)


@dataclass(frozen=True)
class TwoByTwo:
    """The four cells of a two-arm binary outcome: events and non-events per arm, maybe
    corrected by ``add`` because one of them was zero."""

    a: float  # events, experimental
    b: float  # non-events, experimental
    c: float  # events, comparator
    d: float  # non-events, comparator
    corrected: bool = False

    @property
    def n1(self) -> float:
        return self.a + self.b

    @property
    def n2(self) -> float:
        return self.c + self.d


def critical_value(level: float) -> float:
    """The two-sided standard-normal critical value for coverage ``level`` (1.959964 for 0.95)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level!r}")
    # The upper tail's quantile keeps the digits that 1 - tiny would lose.
    return -_STANDARD_NORMAL.inv_cdf((1.0 - level) / 2.0)


def check_count(value: int, name: str) -> int:
    """``value`` as a non-negative integer count, or a ValueError naming it."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer count, got {value!r}")
    try:
        # operator.index accepts numpy integers from tabular data but rejects 3.0 and "3".
        count = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer count, got {value!r}") from None
    if count < 0:
        raise ValueError(f"{name} must be >= 0, got {count}")
    return count


def check_counts(x: int, n: int, x_name: str = "x", n_name: str = "n") -> tuple[int, int]:
    """Events ``x`` out of ``n``: both counts, ``n > 0`` and ``x <= n``."""
    count = check_count(x, x_name)
    total = check_count(n, n_name)
    if total == 0:
        raise ValueError(f"{n_name} must be > 0")
    if count > total:
        raise ValueError(f"{x_name} ({count}) must not exceed {n_name} ({total})")
    return count, total


def two_by_two(x1: int, n1: int, x2: int, n2: int, add: float = ZERO_CELL_ADD) -> TwoByTwo:
    """The cells of ``x1/n1`` against ``x2/n2``; ``add`` goes to every cell when one is zero.

    Any empty cell makes a log estimate or its variance infinite; the conventional remedy
    (Haldane 1956, Anscombe 1956; escalc's ``add=1/2, to="only0"``) is to add 0.5 to all four.
    """
    a, n_a = check_counts(x1, n1, "x1", "n1")
    c, n_c = check_counts(x2, n2, "x2", "n2")
    b, d = n_a - a, n_c - c
    if 0 in (a, b, c, d) and add != 0:
        return TwoByTwo(a + add, b + add, c + add, d + add, corrected=True)
    return TwoByTwo(float(a), float(b), float(c), float(d))


def is_double_zero(x1: int, n1: int, x2: int, n2: int) -> bool:
    """No events in either arm, or only events in both: a study that says nothing about a ratio."""
    return (x1 == 0 and x2 == 0) or (x1 == n1 and x2 == n2)


def log_risk_ratio(cells: TwoByTwo) -> Effect:
    """Log risk ratio with the Katz variance ``1/a - 1/n1 + 1/c - 1/n2``."""
    yi = math.log(cells.a / cells.n1) - math.log(cells.c / cells.n2)
    return Effect(yi, 1.0 / cells.a - 1.0 / cells.n1 + 1.0 / cells.c - 1.0 / cells.n2)


def log_odds_ratio(cells: TwoByTwo) -> Effect:
    """Log odds ratio with the Woolf variance ``1/a + 1/b + 1/c + 1/d``."""
    p1, p2 = cells.a / cells.n1, cells.c / cells.n2
    yi = math.log(p1 / (1.0 - p1)) - math.log(p2 / (1.0 - p2))
    return Effect(yi, 1.0 / cells.a + 1.0 / cells.b + 1.0 / cells.c + 1.0 / cells.d)


def risk_difference(cells: TwoByTwo) -> Effect:
    """Risk difference ``p1 - p2`` with the large-sample variance ``Σ p(1-p)/n``."""
    p1, p2 = cells.a / cells.n1, cells.c / cells.n2
    return Effect(p1 - p2, p1 * (1.0 - p1) / cells.n1 + p2 * (1.0 - p2) / cells.n2)


def mean_difference(m1: float, sd1: float, n1: int, m2: float, sd2: float, n2: int) -> Effect:
    """Raw mean difference ``m1 - m2`` with the variance ``sd1²/n1 + sd2²/n2``."""
    return Effect(m1 - m2, sd1 * sd1 / n1 + sd2 * sd2 / n2)


def standardized_mean_difference(
    m1: float, sd1: float, n1: int, m2: float, sd2: float, n2: int
) -> Effect:
    """Hedges' g: Cohen's d on the pooled SD times the exact correction ``c(n1 + n2 - 2)``."""
    m = n1 + n2 - 2
    if m <= 1:
        raise ValueError(f"a standardised mean difference needs n1 + n2 > 3, got {n1} + {n2}")
    pooled_sd = math.sqrt(((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / m)
    correction = math.exp(
        math.lgamma(m / 2.0) - math.log(math.sqrt(m / 2.0)) - math.lgamma((m - 1) / 2.0)
    )
    g = correction * (m1 - m2) / pooled_sd
    return Effect(g, 1.0 / n1 + 1.0 / n2 + g * g / (2.0 * (n1 + n2)))


def se_from_ci(lower: float, upper: float, level: float) -> float:
    """The standard error of a symmetric Wald interval: its width over ``2 z(level)``."""
    if lower > upper:
        raise ValueError(f"lower bound {lower} exceeds upper bound {upper}")
    return (upper - lower) / (2.0 * critical_value(level))


def from_ratio_ci(ratio: float, lower: float, upper: float, level: float) -> Effect:
    """The log of a reported ratio, and its SE recovered from the log of the CI's bounds."""
    if min(ratio, lower, upper) <= 0:
        raise ValueError(f"a ratio and its CI must be positive, got {ratio} ({lower}, {upper})")
    se = se_from_ci(math.log(lower), math.log(upper), level)
    return Effect(math.log(ratio), se * se)


def from_difference_ci(difference: float, lower: float, upper: float, level: float) -> Effect:
    """A reported difference, and its SE recovered from the CI's width."""
    se = se_from_ci(lower, upper, level)
    return Effect(difference, se * se)
