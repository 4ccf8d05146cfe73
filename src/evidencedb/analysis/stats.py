"""Effect measures and confidence intervals for two-arm binary outcomes.

The single-study formulas (the 2x2 cells with their zero-cell correction, the log risk and
odds ratios with their variances, counts' validation, an SE from a CI, the normal quantile) are
the meta-analysis's own, from `analysis.meta.effects`: one implementation of each.

Methods and their sources:

* single proportion -- Wilson score interval (Wilson 1927, JASA 22:209-212);
* risk difference -- Newcombe's hybrid score interval, method 10 of Newcombe 1998
  (Stat Med 17:873-890), built from the two Wilson intervals;
* risk ratio -- Katz log interval (Katz et al. 1978, Biometrics 34:469-474);
* odds ratio -- Woolf logit interval (Woolf 1955, Ann Hum Genet 19:251-253);
* number needed to treat -- reciprocal of the risk-difference interval, with the
  disjoint interval of Altman 1998 (BMJ 317:1309-1312) when that interval includes 0;
* difference of two reported rates -- normal approximation whose standard errors are
  back-calculated from the reported confidence intervals.

Sign convention throughout: group 1 is compared with group 2, so a risk difference is
``p1 - p2`` and ratios are ``group 1 / group 2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evidencedb.analysis.meta import effects

DERIVED_LEVEL = 0.95  # the level of every CI evidencedb derives (commands show it)

__all__ = [
    "Interval",
    "NNTInterval",
    "difference_of_rates",
    "number_needed_to_treat",
    "odds_ratio",
    "risk_difference",
    "risk_ratio",
    "wilson_interval",
    "z_for_level",
]

_CORRECTION_SUFFIX = " (0.5 correction)"


@dataclass(frozen=True)
class Interval:
    """A point estimate with its two-sided confidence interval.

    ``lower`` and ``upper`` are ``None`` when no interval could be derived. ``level`` is the
    nominal coverage (e.g. ``0.95``) and ``method`` a short human-readable label naming the
    method that produced the interval.
    """

    estimate: float
    lower: float | None
    upper: float | None
    level: float
    method: str

    def __post_init__(self) -> None:
        _check_level(self.level)
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower bound {self.lower} exceeds upper bound {self.upper}")


@dataclass(frozen=True)
class NNTInterval:
    """Number needed to treat derived from a risk difference (Altman 1998).

    Sign convention: the risk difference is ``p1 - p2`` with group 1 the experimental arm
    and the outcome counted being a *favourable* one (response, survival, cure), so
    ``RD > 0`` means group 1 does better and the NNT is an NNT to *benefit* (NNTB); ``RD < 0``
    gives an NNT to *harm* (NNTH). For an adverse outcome (death, relapse) pass the arms the
    other way round, or count the complementary favourable outcome.

    Fields:

    * ``estimate`` -- ``1 / |RD|``; ``math.inf`` when ``RD == 0``.
    * ``benefit`` -- ``True`` if ``RD > 0`` (NNTB), ``False`` if ``RD < 0`` (NNTH), ``None``
      if ``RD == 0``.
    * ``crosses_zero`` -- ``True`` when the RD interval contains 0 strictly inside it
      (``lower < 0 < upper``). A bound exactly at 0 does not count as crossing: it just gives
      an infinite NNT bound on one side.
    * ``lower``/``upper`` -- when the RD interval lies on one side of 0, the NNT interval
      ``1/|RD far bound| .. 1/|RD near bound|`` (``upper`` may be ``math.inf`` if the near RD
      bound is exactly 0). These NNTs are in the direction given by ``benefit_direction``.
      Both are ``None`` when the interval crosses 0 or no RD interval was available.
    * ``harm_bound``/``benefit_bound`` -- only when ``crosses_zero``: the interval is the
      disjoint set ``[NNTH harm_bound, inf] U [NNTB benefit_bound, inf]``, i.e. it runs from
      NNTH ``1/|RD lower|`` through infinity to NNTB ``1/RD upper``.
    * ``benefit_direction`` -- when the RD interval lies on one side of 0, whether ``lower``/
      ``upper`` are NNTB (``True``) or NNTH (``False``); ``None`` otherwise. It equals
      ``benefit`` unless ``RD == 0`` sits exactly on a bound of the interval.
    """

    estimate: float
    benefit: bool | None
    lower: float | None
    upper: float | None
    crosses_zero: bool
    level: float
    method: str
    harm_bound: float | None = None
    benefit_bound: float | None = None
    benefit_direction: bool | None = None

    def describe(self, digits: int = 1) -> str:
        """Render the NNT and its interval as text, e.g. ``"NNTB 3.1 (2.0 to 8.0)"``.

        A crossing interval renders as ``"NNTB 3.1 (NNTH 12.5 to ∞ to NNTB 1.8)"``; without an
        interval the text says ``"(no CI available)"``. ``digits`` sets the decimal places.
        """
        head = f"{_nnt_label(self.benefit)} {_fmt(self.estimate, digits)}"
        if self.crosses_zero and self.harm_bound is not None and self.benefit_bound is not None:
            return (
                f"{head} (NNTH {_fmt(self.harm_bound, digits)} to ∞ to "
                f"NNTB {_fmt(self.benefit_bound, digits)})"
            )
        if self.lower is None or self.upper is None:
            return f"{head} (no CI available)"
        bounds = f"{_fmt(self.lower, digits)} to {_fmt(self.upper, digits)}"
        if self.benefit_direction != self.benefit:
            # Only reachable when RD == 0 lies on a bound, so the bounds need their own label.
            bounds = f"{_nnt_label(self.benefit_direction)} {bounds}"
        return f"{head} ({bounds})"


def z_for_level(level: float) -> float:
    """Return the two-sided standard-normal critical value ``z`` for coverage ``level``.

    That is the ``1 - (1 - level)/2`` quantile of N(0, 1), e.g. 1.959964 for 0.95.
    Raises ``ValueError`` unless ``0 < level < 1``.
    """
    _check_level(level)
    return effects.critical_value(level)


def wilson_interval(successes: int, total: int, level: float = 0.95) -> Interval:
    """Proportion ``successes/total`` (as a fraction 0..1) with the Wilson score interval.

    The Wilson (1927) interval inverts the score test: its bounds are the roots of
    ``(p - phat)^2 = z^2 p (1 - p) / n``, i.e.
    ``(phat + z^2/2n +/- z sqrt(phat(1-phat)/n + z^2/4n^2)) / (1 + z^2/n)``.
    """
    x, n = _check_counts(successes, total, "successes", "total")
    z = z_for_level(level)
    lower, upper = _wilson_bounds(x, n, z)
    return Interval(x / n, lower, upper, level, "Wilson score")


def risk_difference(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Interval:
    """Risk difference ``x1/n1 - x2/n2`` with Newcombe's hybrid score interval.

    Method 10 of Newcombe (1998): with Wilson intervals ``(l1, u1)`` and ``(l2, u2)`` for the
    two proportions, the bounds are
    ``d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` and ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``.
    """
    a, n_a = _check_counts(x1, n1, "x1", "n1")
    c, n_c = _check_counts(x2, n2, "x2", "n2")
    z = z_for_level(level)
    p1, p2 = a / n_a, c / n_c
    l1, u1 = _wilson_bounds(a, n_a, z)
    l2, u2 = _wilson_bounds(c, n_c, z)
    diff = p1 - p2
    lower = diff - math.hypot(p1 - l1, u2 - p2)
    upper = diff + math.hypot(u1 - p1, p2 - l2)
    return Interval(diff, lower, upper, level, "Newcombe hybrid score")


def risk_ratio(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Interval:
    """Risk ratio ``(x1/n1) / (x2/n2)`` with the Katz log interval.

    Katz et al. (1978): ``log RR +/- z sqrt(1/a - 1/n1 + 1/c - 1/n2)`` with ``a = x1``,
    ``c = x2``. If any of the four cells ``x1, n1 - x1, x2, n2 - x2`` is zero, 0.5 is added to
    every cell (so 1 to each ``n``) before computing both the estimate and the interval, and
    the method label gains ``" (0.5 correction)"``.
    """
    cells = effects.two_by_two(x1, n1, x2, n2)
    z = z_for_level(level)
    log_rr = effects.log_risk_ratio(cells)
    return _log_scale_interval(log_rr.yi, log_rr.se, z, level, "Katz log", cells.corrected)


def odds_ratio(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Interval:
    """Odds ratio ``[x1/(n1-x1)] / [x2/(n2-x2)]`` with the Woolf logit interval.

    Woolf (1955): ``log OR +/- z sqrt(1/a + 1/b + 1/c + 1/d)`` over the four cells. If any
    cell is zero, 0.5 is added to every cell (Haldane-Anscombe correction) before computing
    both the estimate and the interval, and the method label gains ``" (0.5 correction)"``.
    """
    cells = effects.two_by_two(x1, n1, x2, n2)
    z = z_for_level(level)
    log_or = effects.log_odds_ratio(cells)
    return _log_scale_interval(log_or.yi, log_or.se, z, level, "Woolf logit", cells.corrected)


def number_needed_to_treat(rd: Interval) -> NNTInterval:
    """Number needed to treat, ``1/|RD|``, with its interval from the RD interval (Altman 1998).

    ``rd`` must be a risk difference on the fraction scale (``-1..1``), such as the result of
    :func:`risk_difference`; its estimate must lie within its interval. If the RD interval
    lies on one side of zero, the NNT interval is ``1/|far bound| .. 1/|near bound|`` in the
    same direction. If it crosses zero, the NNT interval is disjoint: from NNTH ``1/|lower|``
    through infinity to NNTB ``1/upper``; see :class:`NNTInterval` for the representation and
    the sign convention.
    """
    for name, value in (("estimate", rd.estimate), ("lower", rd.lower), ("upper", rd.upper)):
        if value is not None and not (math.isfinite(value) and -1.0 <= value <= 1.0):
            # Catches the commonest misuse: a percentage-scale difference from difference_of_rates.
            raise ValueError(f"risk difference {name} must be a fraction in [-1, 1], got {value!r}")
    est = rd.estimate
    estimate = _reciprocal(est)
    benefit = None if est == 0 else est > 0
    method = f"Altman 1998 reciprocal of {rd.method} risk difference"

    if rd.lower is None or rd.upper is None:
        return NNTInterval(estimate, benefit, None, None, False, rd.level, method + "; no CI")
    lo, hi = rd.lower, rd.upper
    if not lo <= est <= hi:
        raise ValueError(f"risk difference estimate {est} is outside its interval [{lo}, {hi}]")

    if lo < 0.0 < hi:
        return NNTInterval(
            estimate,
            benefit,
            None,
            None,
            True,
            rd.level,
            method,
            harm_bound=1.0 / -lo,
            benefit_bound=1.0 / hi,
        )
    if lo == hi == 0.0:
        # A degenerate zero-width interval at no effect: there is no direction to report.
        return NNTInterval(estimate, None, math.inf, math.inf, False, rd.level, method)
    direction = lo >= 0.0
    far, near = (hi, lo) if direction else (lo, hi)
    return NNTInterval(
        estimate,
        benefit,
        _reciprocal(far),
        _reciprocal(near),
        False,
        rd.level,
        method,
        benefit_direction=direction,
    )


def difference_of_rates(
    rate1: float,
    rate2: float,
    level: float = 0.95,
    *,
    ci1: tuple[float, float, float] | None = None,
    ci2: tuple[float, float, float] | None = None,
) -> Interval:
    """Difference ``rate1 - rate2`` of two independently reported rates, e.g. Kaplan-Meier
    estimates, with a normal-approximation interval recovered from their reported CIs.

    ``ci1``/``ci2`` are ``(lower, upper, level_of_that_ci)``. Each standard error is taken as
    ``(upper - lower) / (2 z(level_of_that_ci))``, the two are combined as
    ``sqrt(se1^2 + se2^2)`` (independent groups), and the interval is
    ``diff +/- z(level) * se``. This assumes the reported intervals were symmetric Wald-type
    intervals; for asymmetric (e.g. log-log) reported intervals it is an approximation.
    Works on whatever scale the inputs use (percent or fraction). If either CI is missing the
    difference is returned with ``lower = upper = None``.
    """
    _check_level(level)
    for name, rate in (("rate1", rate1), ("rate2", rate2)):
        if not _is_real(rate) or not math.isfinite(rate):
            raise ValueError(f"{name} must be a finite number, got {rate!r}")
    diff = rate1 - rate2
    if ci1 is None or ci2 is None:
        missing = " and ".join(name for name, ci in (("ci1", ci1), ("ci2", ci2)) if ci is None)
        return Interval(
            diff, None, None, level, f"difference only; no CI could be derived ({missing} missing)"
        )
    se = math.hypot(_se_from_ci(ci1, "ci1"), _se_from_ci(ci2, "ci2"))
    half_width = z_for_level(level) * se
    return Interval(
        diff,
        diff - half_width,
        diff + half_width,
        level,
        "normal approximation from reported CIs",
    )


def _check_level(level: float) -> None:
    if not _is_real(level) or not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level!r}")


def _is_real(value: object) -> bool:
    # bool is an int subclass but a True/False "rate" or "level" is always a caller mistake.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_counts(x: int, n: int, x_name: str, n_name: str) -> tuple[int, int]:
    return effects.check_counts(x, n, x_name, n_name)


def _wilson_bounds(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    # At x == 0 or x == n the bound is exactly 0 or 1 in exact arithmetic; pin it so that
    # rounding cannot leave a bound just outside [0, 1] or a spurious tiny nonzero value.
    lower = 0.0 if x == 0 else max(0.0, centre - half)
    upper = 1.0 if x == n else min(1.0, centre + half)
    return lower, upper


def _log_scale_interval(
    log_estimate: float, se: float, z: float, level: float, label: str, corrected: bool
) -> Interval:
    method = label + _CORRECTION_SUFFIX if corrected else label
    return Interval(
        math.exp(log_estimate),
        math.exp(log_estimate - z * se),
        math.exp(log_estimate + z * se),
        level,
        method,
    )


def _se_from_ci(ci: tuple[float, float, float], name: str) -> float:
    if len(ci) != 3:
        raise ValueError(f"{name} must be (lower, upper, level), got {ci!r}")
    lower, upper, ci_level = ci
    if not (_is_real(lower) and _is_real(upper) and math.isfinite(lower) and math.isfinite(upper)):
        raise ValueError(f"{name} bounds must be finite numbers, got {ci!r}")
    if lower > upper:
        raise ValueError(f"{name} lower bound {lower} exceeds upper bound {upper}")
    if not _is_real(ci_level) or not 0.0 < ci_level < 1.0:
        raise ValueError(f"{name} level must be strictly between 0 and 1, got {ci_level!r}")
    return effects.se_from_ci(lower, upper, ci_level)


def _reciprocal(value: float) -> float:
    return math.inf if value == 0 else 1.0 / abs(value)


def _nnt_label(benefit: bool | None) -> str:
    if benefit is None:
        return "NNT"
    return "NNTB" if benefit else "NNTH"


def _fmt(value: float, digits: int) -> str:
    return "∞" if math.isinf(value) else f"{value:.{digits}f}"
