"""Tests for evidencedb.analysis.stats against statsmodels, published values and hand computation.

statsmodels conventions that matter here (checked against statsmodels' source):

* ``proportion_confint(method="wilson")`` and ``confint_proportions_2indep(method="newcomb")``
  use the same formulas as ours; Wilson bounds are clipped to [0, 1].
* ``compare="ratio", method="log"`` and ``compare="odds-ratio", method="logit"`` apply no
  zero-cell correction (a zero count raises ZeroDivisionError). They equal ours only when all
  four cells are nonzero. (A risk ratio with ``x == n`` but no zero count is finite in
  statsmodels' "log" but is 0.5-corrected by us, so it is not compared.)
* ``method="log-adjusted"`` always adds 0.5 to the count and 0.5 to ``n``: never our
  convention. ``method="logit-adjusted"`` always adds 0.5 to the count and 1 to ``n`` (0.5 to
  each cell), which is exactly our correction, so it is compared whenever a cell is zero.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm  # type: ignore[import-untyped]
from statsmodels.stats.proportion import (  # type: ignore[import-untyped]
    confint_proportions_2indep,
    proportion_confint,
)

from evidencedb.analysis.stats import (
    Interval,
    NNTInterval,
    difference_of_rates,
    number_needed_to_treat,
    odds_ratio,
    risk_difference,
    risk_ratio,
    wilson_interval,
    z_for_level,
)

REL = 1e-9
ABS = 1e-12
LEVELS = [0.8, 0.9, 0.95, 0.99]

SINGLE_COUNTS = [
    (0, 1),
    (1, 1),
    (0, 2),
    (1, 2),
    (0, 10),
    (1, 10),
    (5, 10),
    (9, 10),
    (10, 10),
    (3, 7),
    (56, 70),
    (48, 80),
    (0, 500),
    (1, 500),
    (250, 500),
    (499, 500),
    (500, 500),
]

# Pairs with all four cells nonzero: statsmodels' uncorrected log/logit applies.
PAIRS_NO_ZERO_CELL = [
    (1, 2, 1, 2),
    (1, 3, 2, 3),
    (56, 70, 48, 80),
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (1, 100, 99, 100),
    (15, 40, 7, 39),
    (120, 480, 118, 470),
    (1, 500, 1, 2),
]

# Pairs with at least one empty cell: the 0.5 correction applies.
PAIRS_ZERO_CELL = [
    (0, 10, 5, 10),
    (5, 10, 0, 10),
    (10, 10, 5, 10),
    (5, 10, 10, 10),
    (0, 10, 0, 20),
    (0, 10, 0, 10),
    (10, 10, 0, 20),
    (10, 10, 0, 10),
    (5, 56, 0, 29),
    (0, 1, 1, 1),
    (1, 1, 1, 1),
    (0, 500, 3, 250),
    (499, 500, 500, 500),
]

ALL_PAIRS = PAIRS_NO_ZERO_CELL + PAIRS_ZERO_CELL

counts = st.integers(min_value=1, max_value=500).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
levels = st.one_of(
    st.sampled_from(LEVELS),
    st.floats(min_value=0.05, max_value=0.999, allow_nan=False, allow_infinity=False),
)


def close(actual: float | None, expected: float, rel: float = REL, abs_: float = ABS) -> bool:
    return actual is not None and math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_)


def assert_bounds(result: Interval, expected: tuple[float, float], **tol: float) -> None:
    lower, upper = (float(v) for v in expected)
    assert close(result.lower, lower, **tol), (result, expected)
    assert close(result.upper, upper, **tol), (result, expected)


def sm_2indep(
    x1: int, n1: int, x2: int, n2: int, level: float, compare: str, method: str
) -> tuple[float, float]:
    low, upp = confint_proportions_2indep(
        x1, n1, x2, n2, method=method, compare=compare, alpha=1 - level
    )
    return float(low), float(upp)


def has_zero_cell(x1: int, n1: int, x2: int, n2: int) -> bool:
    return 0 in (x1, n1 - x1, x2, n2 - x2)


def textbook_z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def textbook_cells(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float, float]:
    a, b, c, d = float(x1), float(n1 - x1), float(x2), float(n2 - x2)
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    return a, b, c, d


def textbook_rr(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float, float]:
    """Katz 1978 written from the cells: var(log RR) = b/(a(a+b)) + d/(c(c+d))."""
    a, b, c, d = textbook_cells(x1, n1, x2, n2)
    rr = (a / (a + b)) / (c / (c + d))
    half = textbook_z(level) * math.sqrt(b / (a * (a + b)) + d / (c * (c + d)))
    return rr, rr / math.exp(half), rr * math.exp(half)


def textbook_or(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float, float]:
    """Woolf 1955: var(log OR) = 1/a + 1/b + 1/c + 1/d."""
    a, b, c, d = textbook_cells(x1, n1, x2, n2)
    or_ = (a * d) / (b * c)
    half = textbook_z(level) * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return or_, or_ / math.exp(half), or_ * math.exp(half)


# --------------------------------------------------------------------------- z_for_level


@pytest.mark.parametrize("level", [0.5, *LEVELS, 0.999, 1e-6, 1 - 1e-9])
def test_z_for_level_matches_scipy(level: float) -> None:
    assert close(z_for_level(level), float(norm.isf((1 - level) / 2)))


def test_z_for_level_known_value() -> None:
    assert z_for_level(0.95) == pytest.approx(1.959963984540054, rel=1e-14)


# --------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x", "n"), SINGLE_COUNTS)
def test_wilson_matches_statsmodels(x: int, n: int, level: float) -> None:
    result = wilson_interval(x, n, level)
    assert result.estimate == x / n
    assert result.level == level
    assert result.method == "Wilson score"
    assert_bounds(result, proportion_confint(x, n, alpha=1 - level, method="wilson"))


@settings(max_examples=300, deadline=None)
@given(xn=counts, level=levels)
def test_wilson_matches_statsmodels_generated(xn: tuple[int, int], level: float) -> None:
    x, n = xn
    result = wilson_interval(x, n, level)
    assert_bounds(result, proportion_confint(x, n, alpha=1 - level, method="wilson"))
    assert result.lower is not None
    assert result.upper is not None
    assert 0.0 <= result.lower <= result.estimate <= result.upper <= 1.0


def test_wilson_published_values() -> None:
    # Newcombe 1998, Table I: 0/10 gives 0 to 0.2775; 10/10 gives 0.7225 to 1.
    assert_bounds(wilson_interval(0, 10), (0.0, 0.2775), abs_=5e-5)
    assert_bounds(wilson_interval(10, 10), (0.7225, 1.0), abs_=5e-5)


def test_wilson_boundaries_are_exact() -> None:
    assert wilson_interval(0, 37, 0.9).lower == 0.0
    assert wilson_interval(37, 37, 0.9).upper == 1.0


def test_interval_is_frozen() -> None:
    result = wilson_interval(3, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.estimate = 0.5  # type: ignore[misc]


# --------------------------------------------------------------------------- risk difference


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), ALL_PAIRS)
def test_risk_difference_matches_statsmodels(
    x1: int, n1: int, x2: int, n2: int, level: float
) -> None:
    result = risk_difference(x1, n1, x2, n2, level)
    assert close(result.estimate, x1 / n1 - x2 / n2)
    assert result.method == "Newcombe hybrid score"
    assert_bounds(result, sm_2indep(x1, n1, x2, n2, level, "diff", "newcomb"))


@settings(max_examples=300, deadline=None)
@given(first=counts, second=counts, level=levels)
def test_risk_difference_matches_statsmodels_generated(
    first: tuple[int, int], second: tuple[int, int], level: float
) -> None:
    (x1, n1), (x2, n2) = first, second
    result = risk_difference(x1, n1, x2, n2, level)
    assert_bounds(result, sm_2indep(x1, n1, x2, n2, level, "diff", "newcomb"))
    assert result.lower is not None
    assert result.upper is not None
    assert -1.0 <= result.lower <= result.estimate <= result.upper <= 1.0
    swapped = risk_difference(x2, n2, x1, n1, level)
    assert swapped.lower is not None
    assert swapped.upper is not None
    assert close(swapped.lower, -result.upper)
    assert close(swapped.upper, -result.lower)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "lower", "upper"),
    [
        # Newcombe 1998, Table II, method 10.
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_risk_difference_newcombe_published(
    x1: int, n1: int, x2: int, n2: int, lower: float, upper: float
) -> None:
    assert_bounds(risk_difference(x1, n1, x2, n2), (lower, upper), abs_=5e-5)


# --------------------------------------------------------------------------- ratios


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), PAIRS_NO_ZERO_CELL)
def test_risk_ratio_matches_statsmodels(x1: int, n1: int, x2: int, n2: int, level: float) -> None:
    result = risk_ratio(x1, n1, x2, n2, level)
    assert close(result.estimate, (x1 / n1) / (x2 / n2))
    assert result.method == "Katz log"
    assert_bounds(result, sm_2indep(x1, n1, x2, n2, level, "ratio", "log"))


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), PAIRS_NO_ZERO_CELL)
def test_odds_ratio_matches_statsmodels(x1: int, n1: int, x2: int, n2: int, level: float) -> None:
    result = odds_ratio(x1, n1, x2, n2, level)
    assert close(result.estimate, (x1 * (n2 - x2)) / ((n1 - x1) * x2))
    assert result.method == "Woolf logit"
    assert_bounds(result, sm_2indep(x1, n1, x2, n2, level, "odds-ratio", "logit"))


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), PAIRS_ZERO_CELL)
def test_risk_ratio_zero_cell_correction(x1: int, n1: int, x2: int, n2: int, level: float) -> None:
    result = risk_ratio(x1, n1, x2, n2, level)
    estimate, lower, upper = textbook_rr(x1, n1, x2, n2, level)
    assert result.method == "Katz log (0.5 correction)"
    assert close(result.estimate, estimate)
    assert_bounds(result, (lower, upper))


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), PAIRS_ZERO_CELL)
def test_odds_ratio_zero_cell_correction(x1: int, n1: int, x2: int, n2: int, level: float) -> None:
    result = odds_ratio(x1, n1, x2, n2, level)
    estimate, lower, upper = textbook_or(x1, n1, x2, n2, level)
    assert result.method == "Woolf logit (0.5 correction)"
    assert close(result.estimate, estimate)
    assert_bounds(result, (lower, upper))
    # statsmodels' "logit-adjusted" adds 0.5 to every cell, which is our correction.
    assert_bounds(result, sm_2indep(x1, n1, x2, n2, level, "odds-ratio", "logit-adjusted"))


def test_zero_cell_hand_values() -> None:
    # 0/10 vs 5/10 corrected: cells 0.5, 10.5, 5.5, 5.5.
    rr = risk_ratio(0, 10, 5, 10)
    assert close(rr.estimate, (0.5 / 11) / (5.5 / 11))
    assert close(rr.estimate, 1 / 11)
    or_ = odds_ratio(0, 10, 5, 10)
    assert close(or_.estimate, (0.5 * 5.5) / (10.5 * 5.5))
    se = math.sqrt(1 / 0.5 + 1 / 10.5 + 1 / 5.5 + 1 / 5.5)
    assert close(or_.lower, (1 / 21) * math.exp(-1.959963984540054 * se))
    assert close(or_.upper, (1 / 21) * math.exp(1.959963984540054 * se))


@settings(max_examples=300, deadline=None)
@given(first=counts, second=counts, level=levels)
def test_ratios_generated(first: tuple[int, int], second: tuple[int, int], level: float) -> None:
    (x1, n1), (x2, n2) = first, second
    rr = risk_ratio(x1, n1, x2, n2, level)
    or_ = odds_ratio(x1, n1, x2, n2, level)
    rr_hand = textbook_rr(x1, n1, x2, n2, level)
    or_hand = textbook_or(x1, n1, x2, n2, level)
    assert close(rr.estimate, rr_hand[0])
    assert_bounds(rr, rr_hand[1:])
    assert close(or_.estimate, or_hand[0])
    assert_bounds(or_, or_hand[1:])
    if has_zero_cell(x1, n1, x2, n2):
        assert rr.method.endswith("(0.5 correction)")
        assert or_.method.endswith("(0.5 correction)")
        assert_bounds(or_, sm_2indep(x1, n1, x2, n2, level, "odds-ratio", "logit-adjusted"))
    else:
        assert rr.method == "Katz log"
        assert or_.method == "Woolf logit"
        assert_bounds(rr, sm_2indep(x1, n1, x2, n2, level, "ratio", "log"))
        assert_bounds(or_, sm_2indep(x1, n1, x2, n2, level, "odds-ratio", "logit"))
    for result in (rr, or_):
        assert result.lower is not None
        assert result.upper is not None
        assert 0.0 < result.lower <= result.estimate <= result.upper


@settings(max_examples=100, deadline=None)
@given(first=counts, second=counts, level=levels)
def test_ratios_invert_when_groups_swap(
    first: tuple[int, int], second: tuple[int, int], level: float
) -> None:
    (x1, n1), (x2, n2) = first, second
    for measure in (risk_ratio, odds_ratio):
        forward = measure(x1, n1, x2, n2, level)
        backward = measure(x2, n2, x1, n1, level)
        assert backward.lower is not None
        assert backward.upper is not None
        assert close(forward.estimate, 1 / backward.estimate)
        assert close(forward.lower, 1 / backward.upper)
        assert close(forward.upper, 1 / backward.lower)


# --------------------------------------------------------------------------- NNT


def test_nnt_ci_excludes_zero_benefit() -> None:
    nnt = number_needed_to_treat(Interval(0.25, 0.1, 0.4, 0.95, "test"))
    assert nnt.estimate == pytest.approx(4.0)
    assert nnt.benefit is True
    assert nnt.crosses_zero is False
    assert nnt.lower == pytest.approx(2.5)
    assert nnt.upper == pytest.approx(10.0)
    assert nnt.harm_bound is None
    assert nnt.benefit_bound is None
    assert nnt.benefit_direction is True
    assert nnt.level == 0.95
    assert nnt.describe() == "NNTB 4.0 (2.5 to 10.0)"


def test_nnt_ci_excludes_zero_harm() -> None:
    nnt = number_needed_to_treat(Interval(-0.2, -0.5, -0.05, 0.9, "test"))
    assert nnt.estimate == pytest.approx(5.0)
    assert nnt.benefit is False
    assert nnt.crosses_zero is False
    assert nnt.lower == pytest.approx(2.0)
    assert nnt.upper == pytest.approx(20.0)
    assert nnt.describe() == "NNTH 5.0 (2.0 to 20.0)"


def test_nnt_ci_crosses_zero_altman() -> None:
    # Altman 1998: the interval runs from NNTH 12.5 through infinity to NNTB 1.8.
    nnt = number_needed_to_treat(Interval(0.32, -0.08, 0.55, 0.95, "test"))
    assert nnt.crosses_zero is True
    assert nnt.benefit is True
    assert nnt.estimate == pytest.approx(3.125)
    assert nnt.lower is None
    assert nnt.upper is None
    assert nnt.harm_bound == pytest.approx(12.5)
    assert nnt.benefit_bound == pytest.approx(1 / 0.55)
    assert nnt.describe() == "NNTB 3.1 (NNTH 12.5 to ∞ to NNTB 1.8)"
    assert nnt.describe(digits=2) == "NNTB 3.12 (NNTH 12.50 to ∞ to NNTB 1.82)"


def test_nnt_crossing_with_harmful_estimate() -> None:
    nnt = number_needed_to_treat(Interval(-0.1, -0.3, 0.05, 0.95, "test"))
    assert nnt.benefit is False
    assert nnt.crosses_zero is True
    assert nnt.describe() == "NNTH 10.0 (NNTH 3.3 to ∞ to NNTB 20.0)"


def test_nnt_zero_difference() -> None:
    nnt = number_needed_to_treat(Interval(0.0, -0.2, 0.1, 0.95, "test"))
    assert nnt.estimate == math.inf
    assert nnt.benefit is None
    assert nnt.describe() == "NNT ∞ (NNTH 5.0 to ∞ to NNTB 10.0)"


def test_nnt_bound_exactly_zero() -> None:
    nnt = number_needed_to_treat(Interval(0.2, 0.0, 0.5, 0.95, "test"))
    assert nnt.crosses_zero is False
    assert nnt.lower == pytest.approx(2.0)
    assert nnt.upper == math.inf
    assert nnt.describe() == "NNTB 5.0 (2.0 to ∞)"
    at_zero = number_needed_to_treat(Interval(0.0, 0.0, 0.5, 0.95, "test"))
    assert at_zero.benefit is None
    assert at_zero.describe() == "NNT ∞ (NNTB 2.0 to ∞)"


def test_nnt_without_ci() -> None:
    nnt = number_needed_to_treat(Interval(0.1, None, None, 0.95, "test"))
    assert nnt.estimate == pytest.approx(10.0)
    assert nnt.lower is None
    assert nnt.upper is None
    assert nnt.crosses_zero is False
    assert "no CI" in nnt.method
    assert nnt.describe() == "NNTB 10.0 (no CI available)"


def test_nnt_from_risk_difference() -> None:
    rd = risk_difference(56, 70, 48, 80)
    nnt = number_needed_to_treat(rd)
    assert isinstance(nnt, NNTInterval)
    assert rd.lower is not None
    assert rd.upper is not None
    assert close(nnt.estimate, 1 / 0.2)
    assert close(nnt.lower, 1 / rd.upper)
    assert close(nnt.upper, 1 / rd.lower)
    assert "Newcombe" in nnt.method


@settings(max_examples=200, deadline=None)
@given(first=counts, second=counts, level=levels)
def test_nnt_generated(first: tuple[int, int], second: tuple[int, int], level: float) -> None:
    rd = risk_difference(*first, *second, level)
    assert rd.lower is not None
    assert rd.upper is not None
    nnt = number_needed_to_treat(rd)
    assert nnt.level == level
    if rd.estimate == 0:
        assert nnt.estimate == math.inf
        assert nnt.benefit is None
    else:
        assert close(nnt.estimate, 1 / abs(rd.estimate))
        assert nnt.benefit is (rd.estimate > 0)
    if rd.lower < 0 < rd.upper:
        assert nnt.crosses_zero
        assert nnt.harm_bound is not None
        assert nnt.benefit_bound is not None
        assert close(nnt.harm_bound, -1 / rd.lower)
        assert close(nnt.benefit_bound, 1 / rd.upper)
        assert "to ∞ to" in nnt.describe()
    else:
        assert not nnt.crosses_zero
        assert nnt.lower is not None
        assert nnt.upper is not None
        assert nnt.lower <= nnt.estimate <= nnt.upper


@pytest.mark.parametrize(
    "rd",
    [
        Interval(11.6, -3.7, 26.9, 0.95, "percent scale"),
        Interval(0.1, -1.5, 0.3, 0.95, "bad bound"),
        Interval(0.5, 0.1, 0.3, 0.95, "estimate outside"),
        Interval(math.nan, None, None, 0.95, "nan"),
    ],
)
def test_nnt_rejects_bad_risk_difference(rd: Interval) -> None:
    with pytest.raises(ValueError, match="risk difference"):
        number_needed_to_treat(rd)


# --------------------------------------------------------------------------- difference of rates

Z90 = 1.6448536269514722
Z95 = 1.959963984540054
Z99 = 2.5758293035489004


def test_difference_of_rates_same_levels() -> None:
    # With every level 0.95 the z's cancel: half-width = sqrt(23.1^2 + 20^2) / 2.
    result = difference_of_rates(81.6, 70.0, ci1=(70.1, 93.2, 0.95), ci2=(60.0, 80.0, 0.95))
    half = math.sqrt(933.61) / 2  # 15.27751616...
    assert close(result.estimate, 11.6)
    assert close(result.lower, 11.6 - half)
    assert close(result.upper, 11.6 + half)
    assert close(result.lower, -3.677516159376, rel=1e-11)
    assert result.level == 0.95
    assert result.method == "normal approximation from reported CIs"


def test_difference_of_rates_mixed_levels_fraction_scale() -> None:
    result = difference_of_rates(0.62, 0.55, 0.99, ci1=(0.52, 0.72, 0.9), ci2=(0.44, 0.66, 0.95))
    se1 = 0.20 / (2 * Z90)
    se2 = 0.22 / (2 * Z95)
    half = Z99 * math.sqrt(se1**2 + se2**2)
    assert close(result.estimate, 0.07)
    assert close(result.lower, 0.07 - half)
    assert close(result.upper, 0.07 + half)
    assert result.level == 0.99


@pytest.mark.parametrize(
    ("ci1", "ci2"),
    [((70.1, 93.2, 0.95), None), (None, (60.0, 80.0, 0.95)), (None, None)],
)
def test_difference_of_rates_without_ci(
    ci1: tuple[float, float, float] | None, ci2: tuple[float, float, float] | None
) -> None:
    result = difference_of_rates(81.6, 70.0, ci1=ci1, ci2=ci2)
    assert close(result.estimate, 11.6)
    assert result.lower is None
    assert result.upper is None
    assert "no CI could be derived" in result.method


@settings(max_examples=200, deadline=None)
@given(
    rates=st.tuples(*[st.floats(min_value=-1e3, max_value=1e3)] * 2),
    widths=st.tuples(*[st.floats(min_value=0.0, max_value=1e3)] * 2),
    ci_levels=st.tuples(levels, levels),
    level=levels,
)
def test_difference_of_rates_generated(
    rates: tuple[float, float],
    widths: tuple[float, float],
    ci_levels: tuple[float, float],
    level: float,
) -> None:
    (r1, r2), (w1, w2), (l1, l2) = rates, widths, ci_levels
    result = difference_of_rates(
        r1, r2, level, ci1=(r1 - w1, r1 + w1, l1), ci2=(r2 - w2, r2 + w2, l2)
    )
    se = math.hypot(2 * w1 / (2 * textbook_z(l1)), 2 * w2 / (2 * textbook_z(l2)))
    half = textbook_z(level) * se
    assert result.estimate == r1 - r2
    assert close(result.lower, (r1 - r2) - half, abs_=1e-9)
    assert close(result.upper, (r1 - r2) + half, abs_=1e-9)


# --------------------------------------------------------------------------- validation

BinaryMeasure = Callable[[int, int, int, int, float], Interval]
TWO_GROUP: list[BinaryMeasure] = [risk_difference, risk_ratio, odds_ratio]
BAD_LEVELS = [0.0, 1.0, -0.1, 1.5, 95.0, math.nan, math.inf]


@pytest.mark.parametrize("level", BAD_LEVELS)
def test_bad_levels_rejected(level: float) -> None:
    with pytest.raises(ValueError, match="level"):
        z_for_level(level)
    with pytest.raises(ValueError, match="level"):
        wilson_interval(1, 2, level)
    for measure in TWO_GROUP:
        with pytest.raises(ValueError, match="level"):
            measure(1, 2, 1, 2, level)
    with pytest.raises(ValueError, match="level"):
        difference_of_rates(1.0, 2.0, level)
    with pytest.raises(ValueError, match="level"):
        difference_of_rates(1.0, 2.0, ci1=(0.0, 2.0, level), ci2=(1.0, 3.0, 0.95))
    with pytest.raises(ValueError, match="level"):
        Interval(0.5, 0.1, 0.9, level, "test")


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [
        (-1, 10, ">= 0"),
        (1, -10, ">= 0"),
        (0, 0, "> 0"),
        (11, 10, "must not exceed"),
        (1.0, 10, "integer"),
        (1, 10.0, "integer"),
        (True, 10, "integer"),
        ("1", 10, "integer"),
    ],
)
def test_bad_counts_rejected(x: object, n: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval(x, n)  # type: ignore[arg-type]
    for measure in TWO_GROUP:
        with pytest.raises(ValueError, match=message):
            measure(x, n, 1, 2, 0.95)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=message):
            measure(1, 2, x, n, 0.95)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ci1": (80.0, 70.0, 0.95), "ci2": (60.0, 80.0, 0.95)},
        {"ci1": (70.0, math.inf, 0.95), "ci2": (60.0, 80.0, 0.95)},
        {"ci1": (70.0, 90.0), "ci2": (60.0, 80.0, 0.95)},
    ],
)
def test_difference_of_rates_bad_ci(kwargs: dict[str, tuple[float, ...]]) -> None:
    with pytest.raises(ValueError, match="ci1"):
        difference_of_rates(81.6, 70.0, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", [math.nan, math.inf, True])
def test_difference_of_rates_bad_rate(rate: float) -> None:
    with pytest.raises(ValueError, match="rate1"):
        difference_of_rates(rate, 70.0)


def test_interval_rejects_inverted_bounds() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        Interval(0.5, 0.9, 0.1, 0.95, "test")
