"""Which way an estimate points against its two arms' own results: the rule that the importer
(to orient a registry analysis) and the direction audit (to check one) share.

An odds ratio above 1 of arm A against arm B says A's outcome is more frequent; a mean
difference below 0 says A's mean is lower. Where both arms' own results are reported, the
orientation of the estimate can be read from them — but only when the arms clearly differ and
the estimate is clearly away from no effect: a small gap says nothing about direction.
"""

from __future__ import annotations

import math

from evidencedb.enums import RATIO_MEASURES, ComparisonMeasure

# Measures whose two arms' results move the same way as the estimate (a hazard ratio does
# not: its arms report median times, which are longer where the hazard is lower).
ORIENTABLE_MEASURES = frozenset(
    {
        ComparisonMeasure.ODDS_RATIO,
        ComparisonMeasure.RISK_RATIO,
        ComparisonMeasure.RISK_DIFFERENCE,
        ComparisonMeasure.MEAN_DIFFERENCE,
        ComparisonMeasure.LEAST_SQUARES_MEAN_DIFFERENCE,
        ComparisonMeasure.MEDIAN_DIFFERENCE,
        ComparisonMeasure.GEOMETRIC_MEAN_RATIO,
        ComparisonMeasure.MEAN_RATIO,
        ComparisonMeasure.RATE_RATIO,
    }
)
# The measures of the audit: odds and risk ratios, risk and mean differences.
AUDITED_MEASURES = frozenset(
    {
        ComparisonMeasure.ODDS_RATIO,
        ComparisonMeasure.RISK_RATIO,
        ComparisonMeasure.RISK_DIFFERENCE,
        ComparisonMeasure.MEAN_DIFFERENCE,
        ComparisonMeasure.LEAST_SQUARES_MEAN_DIFFERENCE,
    }
)
# Two arms clearly differ when their gap is at least this share of the larger value.
CLEAR_GAP = 0.10
# A ratio is clearly away from 1 beyond this factor (either way).
CLEAR_RATIO = 1.10
PROPORTION_MEASURES = frozenset(
    {ComparisonMeasure.ODDS_RATIO, ComparisonMeasure.RISK_RATIO, ComparisonMeasure.RISK_DIFFERENCE}
)


def arms_sign(first: float, second: float) -> int | None:
    """+1 when `first` is clearly higher than `second`, -1 when clearly lower, else None."""
    scale = max(abs(first), abs(second))
    gap = first - second
    if scale == 0 or abs(gap) < CLEAR_GAP * scale:
        return None
    return 1 if gap > 0 else -1


def estimate_sign(measure: str, value: float) -> int | None:
    """+1 when the estimate clearly says the arm of interest is higher, -1 lower, else None."""
    if measure in RATIO_MEASURES:
        if value <= 0 or abs(math.log(value)) < math.log(CLEAR_RATIO):
            return None
        return 1 if value > 1 else -1
    if value == 0:
        return None
    return 1 if value > 0 else -1


def agrees_with_arms(measure: str, value: float, first: float, second: float) -> bool | None:
    """Whether an estimate of arm `first` against arm `second` points the way their own
    results do; None when it cannot be told (not orientable, or not clear)."""
    if measure not in ORIENTABLE_MEASURES:
        return None
    arms, estimate = arms_sign(first, second), estimate_sign(measure, value)
    if arms is None or estimate is None:
        return None
    return arms == estimate


def arm_level(
    measure: str, value: float | None, numerator: int | None, denominator: int | None
) -> float | None:
    """An arm's own result as the estimate compares it: for a measure of proportions, the
    proportion where the count and its denominator are known; otherwise the value."""
    if measure in PROPORTION_MEASURES and numerator is not None and denominator:
        return numerator / denominator
    return value
