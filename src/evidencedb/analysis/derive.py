"""Between-arm estimates derived from arm-level results: pure functions over one `TrialFile`.

The loader stores what `derived_comparisons` returns as comparisons with origin `derived`,
beside the reported ones, on every load. Because rows are matched by natural key, recomputing
them is idempotent, and an edited result updates its derived rows.

Rules, in the order they apply:

* Contrasts: every pair of arms that a comparison of the file contrasts (in its orientation),
  then every experimental arm against every arm whose role is a comparator role. On an
  endpoint where a comparison of the file contrasts the two arms, its orientation wins. Registry
  records often give arms no role, so the comparisons are what make their contrasts known.
* Two results are paired when they are on the same endpoint, subgroup, category and source.
  Results from different sources are never mixed: the derived row cites one source.
* Counts on both arms (numerator and denominator; not on a Kaplan-Meier endpoint, whose crude
  proportion ignores censoring) give the risk difference, risk ratio and odds ratio, and the
  number needed to treat where the outcome's direction is known.
* Otherwise two reported rates (percentages, proportions, Kaplan-Meier estimates) on the same
  unit give the difference of rates, with a CI only when both rates have one.
* A value with a qualifier ("<40%", "not reached") derives nothing: no estimate is better than
  a wrong one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from evidencedb.analysis import stats
from evidencedb.enums import (
    COMPARATOR_ROLES,
    NON_CONCURRENT_ROLES,
    ArmRole,
    ComparisonMeasure,
    ComparisonOrigin,
    EndpointKind,
    EndpointMeasure,
    TrialDesign,
)
from evidencedb.records.facts import ComparisonRecord, ResultRecord
from evidencedb.records.quotes import QUOTE_SEPARATOR
from evidencedb.records.trial import ArmRecord, EndpointRecord
from evidencedb.records.trial_file import TrialFile

_QUOTE_LIMIT = 20_000  # the longest quote a record holds (records.base.Text)
ASSUMED_REPORTED_LEVEL = 0.95  # a CI reported without its level is, by convention, a 95% CI

# Where a higher proportion is the better outcome. Survival kinds are left out on purpose: a
# count on a survival endpoint may be of survivors or of deaths, so its direction is unknown.
_FAVOURABLE_KINDS = frozenset(
    {EndpointKind.RESPONSE, EndpointKind.COMPLETE_REMISSION, EndpointKind.MRD_NEGATIVITY}
)
_UNFAVOURABLE_KINDS = frozenset(
    {EndpointKind.RELAPSE, EndpointKind.TOXICITY, EndpointKind.ADVERSE_EVENTS}
)
_RATE_MEASURES = frozenset({EndpointMeasure.PROPORTION, EndpointMeasure.KM_ESTIMATE})
# Counts on these endpoints are not the outcome's proportion (censoring, continuous values).
_NO_COUNTS_MEASURES = frozenset(
    {EndpointMeasure.KM_ESTIMATE, EndpointMeasure.MEDIAN, EndpointMeasure.MEAN}
)


@dataclass(frozen=True)
class _Pair:
    """Two results to contrast: `first` of the arm of interest, `second` of the comparator."""

    endpoint: EndpointRecord
    arm: str
    comparator: str
    first: ResultRecord
    second: ResultRecord
    randomized: bool | None

    @property
    def label(self) -> str:
        parts = [("subgroup", self.first.subgroup), ("category", self.first.category)]
        return "; ".join(f"{name}: {value}" for name, value in parts if value)

    def row(
        self,
        measure: ComparisonMeasure,
        estimate: stats.Interval,
        *,
        measure_label: str,
        method: str,
        note: str,
        with_ci: bool = True,
    ) -> ComparisonRecord:
        return ComparisonRecord(
            endpoint=self.endpoint.key,
            arm=self.arm,
            comparator=self.comparator,
            label=self.label,
            measure=measure,
            measure_label=measure_label,
            value=estimate.estimate,
            ci_lower=estimate.lower if with_ci else None,
            ci_upper=estimate.upper if with_ci else None,
            ci_level=estimate.level if with_ci and estimate.lower is not None else None,
            method=method,
            origin=ComparisonOrigin.DERIVED,
            randomized=self.randomized,
            note=note,
            source=self.first.source,
            quote=_joined(self.first.quote, self.second.quote),
            locator=_joined(self.first.locator, self.second.locator),
        )


def derived_comparisons(data: TrialFile) -> list[ComparisonRecord]:
    """Comparisons derived from the results of `data`, in a stable order.

    A derived row whose natural key the file already states (a curated `origin: derived`
    comparison) is left out: the curated row wins.
    """
    stated = {_natural_key(comparison) for comparison in data.comparisons}
    derived: list[ComparisonRecord] = []
    for pair in _pairs(data):
        for row in _derive(pair):
            key = _natural_key(row)
            if key not in stated:
                stated.add(key)
                derived.append(row)
    return derived


def not_derived(data: TrialFile) -> list[str]:
    """Why two results that could have been contrasted derived nothing, where a curator may
    expect a comparison: a value with a qualifier, a value missing, units that differ. (Two
    medians or means derive nothing by design, and are not listed.)"""
    reasons = []
    for pair in _pairs(data):
        reason = _why_not_derived(pair)
        if reason is not None:
            label = f" [{pair.label}]" if pair.label else ""
            contrast = f"{pair.endpoint.key}{label}, {pair.arm} vs {pair.comparator}"
            reasons.append(f"no derived comparison for {contrast}: {reason}")
    return reasons


def contrasts(data: TrialFile) -> list[tuple[str, str]]:
    """(arm, comparator) pairs to compare: those of the file's comparisons, in their
    orientation, then experimental arms against comparator arms; each unordered pair once."""
    arms = {arm.key: arm for arm in data.arms}
    ordered = [
        (comparison.arm, comparison.comparator)
        for comparison in data.comparisons
        if comparison.comparator is not None
    ]
    experimental = [arm.key for arm in data.arms if arm.role == ArmRole.EXPERIMENTAL]
    comparators = [arm.key for arm in data.arms if arm.role in COMPARATOR_ROLES]
    ordered += [(arm, comparator) for arm in experimental for comparator in comparators]
    seen: set[frozenset[str]] = set()
    pairs = []
    for arm, comparator in ordered:
        unordered = frozenset((arm, comparator))
        if arm == comparator or unordered in seen or arm not in arms or comparator not in arms:
            continue
        seen.add(unordered)
        pairs.append((arm, comparator))
    return pairs


def contrast_randomized(
    design: TrialDesign | None, first: ArmRecord, second: ArmRecord
) -> bool | None:
    """Whether a contrast of two arms of one trial is randomised: True only for two concurrent
    arms of a randomised trial, False for a historical or external control (or an arm taken
    from another trial) and for a trial that is not randomised, None when unknown."""
    for arm in (first, second):
        if arm.role in NON_CONCURRENT_ROLES or arm.source_trial is not None:
            return False
    if design == TrialDesign.RANDOMIZED:
        return True
    if design in (TrialDesign.SINGLE_ARM, TrialDesign.NON_RANDOMIZED, TrialDesign.OBSERVATIONAL):
        return False
    return None


def _pairs(data: TrialFile) -> Iterator[_Pair]:
    arms = {arm.key: arm for arm in data.arms}
    endpoints = {endpoint.key: endpoint for endpoint in data.endpoints}
    by_arm: dict[str, dict[tuple[str, str, str, str], ResultRecord]] = {}
    for result in data.results:
        key = (result.endpoint, result.subgroup, result.category, result.source)
        by_arm.setdefault(result.arm, {})[key] = result
    # On an endpoint with a reported comparison of the two arms, the derived ones take its
    # orientation, so that a reported and a derived odds ratio of one endpoint never sit on
    # opposite arm -> comparator pairs.
    oriented: dict[tuple[str, frozenset[str]], str] = {}
    for comparison in data.comparisons:
        if comparison.comparator is not None:
            pair = frozenset((comparison.arm, comparison.comparator))
            oriented.setdefault((comparison.endpoint, pair), comparison.arm)
    for arm, comparator in contrasts(data):
        randomized = contrast_randomized(data.trial.design, arms[arm], arms[comparator])
        mine, theirs = by_arm.get(arm, {}), by_arm.get(comparator, {})
        for key in sorted(mine.keys() & theirs.keys()):
            endpoint = endpoints.get(key[0])
            if endpoint is None:
                continue
            if oriented.get((key[0], frozenset((arm, comparator))), arm) == arm:
                yield _Pair(endpoint, arm, comparator, mine[key], theirs[key], randomized)
            else:
                yield _Pair(endpoint, comparator, arm, theirs[key], mine[key], randomized)


def _derive(pair: _Pair) -> list[ComparisonRecord]:
    first, second = pair.first, pair.second
    if first.value_qualifier is not None or second.value_qualifier is not None:
        return []
    if pair.endpoint.measure not in _NO_COUNTS_MEASURES:
        counts = _counts(first), _counts(second)
        if counts[0] is not None and counts[1] is not None:
            return _from_counts(pair, *counts[0], *counts[1])
    return _from_rates(pair)


def _why_not_derived(pair: _Pair) -> str | None:
    if _derive(pair):
        return None
    for result, arm in ((pair.first, pair.arm), (pair.second, pair.comparator)):
        if result.value_qualifier is not None:
            return f"the value of {arm} is qualified ({result.value_qualifier}), not a number"
        if result.value is None:
            return f"{arm} has no value (and no numerator/denominator)"
    if pair.first.unit != pair.second.unit:
        return f"the units differ ({pair.first.unit!r} vs {pair.second.unit!r})"
    return None


def _counts(result: ResultRecord) -> tuple[int, int] | None:
    if result.numerator is None or not result.denominator:
        return None
    return result.numerator, result.denominator


def _from_counts(pair: _Pair, x1: int, n1: int, x2: int, n2: int) -> list[ComparisonRecord]:
    source = f"from {x1}/{n1} vs {x2}/{n2}"
    rd = stats.risk_difference(x1, n1, x2, n2, stats.DERIVED_LEVEL)
    rr = stats.risk_ratio(x1, n1, x2, n2, stats.DERIVED_LEVEL)
    odds = stats.odds_ratio(x1, n1, x2, n2, stats.DERIVED_LEVEL)
    rows = [
        pair.row(
            ComparisonMeasure.RISK_DIFFERENCE,
            rd,
            measure_label="risk difference (fraction, arm minus comparator)",
            method=rd.method,
            note=source,
        ),
        pair.row(
            ComparisonMeasure.RISK_RATIO,
            rr,
            measure_label="risk ratio (arm / comparator)",
            method=rr.method,
            note=_corrected(source, rr),
        ),
        pair.row(
            ComparisonMeasure.ODDS_RATIO,
            odds,
            measure_label="odds ratio (arm / comparator)",
            method=odds.method,
            note=_corrected(source, odds),
        ),
    ]
    nnt = _nnt(pair, x1, n1, x2, n2, source)
    if nnt is not None:
        rows.append(nnt)
    return rows


def _corrected(source: str, estimate: stats.Interval) -> str:
    if estimate.method.endswith("(0.5 correction)"):
        return f"{source}; a cell is 0, so 0.5 was added to every cell"
    return source


def _nnt(pair: _Pair, x1: int, n1: int, x2: int, n2: int, source: str) -> ComparisonRecord | None:
    """The number needed to treat, where it can be stored as one number with a range.

    Its direction (benefit or harm) needs to know whether the counted outcome is good, so it
    is only derived for endpoint kinds that say so. For an unfavourable outcome the counts of
    the complementary, favourable outcome are used (stats' convention). An NNT of infinity
    (no difference) is not stored; when the risk-difference CI crosses 0 the NNT interval is
    two disjoint rays, which lower <= upper cannot hold, so only the estimate is stored and the
    note gives the interval.
    """
    kind = pair.endpoint.kind
    if kind in _FAVOURABLE_KINDS:
        rd = stats.risk_difference(x1, n1, x2, n2, stats.DERIVED_LEVEL)
    elif kind in _UNFAVOURABLE_KINDS:
        rd = stats.risk_difference(n1 - x1, n1, n2 - x2, n2, stats.DERIVED_LEVEL)
    else:
        return None
    nnt = stats.number_needed_to_treat(rd)
    if nnt.benefit is None:
        return None
    label = "NNTB" if nnt.benefit else "NNTH"
    storable = (
        not nnt.crosses_zero
        and nnt.lower is not None
        and nnt.upper is not None
        and nnt.upper != float("inf")
        and nnt.benefit_direction == nnt.benefit
    )
    note = f"{source}; {nnt.describe()} for {pair.arm} instead of {pair.comparator}"
    if nnt.crosses_zero:
        note += (
            "; the risk-difference CI crosses 0, so the NNT interval is not one range and "
            "no CI is stored"
        )
    elif not storable:
        note += "; the NNT interval is unbounded, so no CI is stored"
    interval = stats.Interval(nnt.estimate, nnt.lower, nnt.upper, nnt.level, nnt.method)
    return pair.row(
        ComparisonMeasure.NUMBER_NEEDED_TO_TREAT,
        interval,
        measure_label=f"{label} ({'benefit' if nnt.benefit else 'harm'})",
        method=nnt.method,
        note=note,
        with_ci=storable,
    )


def _from_rates(pair: _Pair) -> list[ComparisonRecord]:
    first, second = pair.first, pair.second
    value1, value2 = first.value, second.value
    if value1 is None or value2 is None or first.unit != second.unit:
        return []
    if first.unit != "%" and pair.endpoint.measure not in _RATE_MEASURES:
        return []
    ci1, ci2 = _reported_ci(first), _reported_ci(second)
    difference = stats.difference_of_rates(value1, value2, stats.DERIVED_LEVEL, ci1=ci1, ci2=ci2)
    # The inputs are decimals as reported (81.6, 49.4); their exact difference is 32.2, which
    # binary floating point would otherwise store as 32.199999999999996.
    exact = float(Decimal(repr(value1)) - Decimal(repr(value2)))
    if not math.isfinite(exact):
        return []
    shift = exact - difference.estimate
    interval = stats.Interval(
        exact,
        None if difference.lower is None else difference.lower + shift,
        None if difference.upper is None else difference.upper + shift,
        difference.level,
        difference.method,
    )
    unit = first.unit or ""
    quantity = "percentage points" if unit == "%" else unit or "same scale as the rates"
    text = f"from {_number(value1)}{unit} vs {_number(value2)}{unit}"
    if ci1 is None or ci2 is None:
        without = [_number(v) + unit for v, ci in ((value1, ci1), (value2, ci2)) if ci is None]
        missing = "no CIs reported" if len(without) == 2 else f"no CI reported for {without[0]}"
        note = f"{text}; {missing}, so no CI"
        method = "difference of reported rates"
    else:
        note = f"{text} with their reported CIs"
        if first.ci_level is None or second.ci_level is None:
            note += f"; a CI without a level was taken as {ASSUMED_REPORTED_LEVEL:.0%}"
        method = f"difference of reported rates, {interval.method}"
    return [
        pair.row(
            ComparisonMeasure.RATE_DIFFERENCE,
            interval,
            measure_label=f"difference of rates ({quantity}, arm minus comparator)",
            method=method,
            note=note,
        )
    ]


def _reported_ci(result: ResultRecord) -> tuple[float, float, float] | None:
    if result.ci_lower is None or result.ci_upper is None:
        return None
    return result.ci_lower, result.ci_upper, result.ci_level or ASSUMED_REPORTED_LEVEL


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else repr(value)


def _joined(first: str | None, second: str | None) -> str | None:
    # Each part is cut to half of what a quote may hold; a cut quote still is the source's
    # verbatim words, so it still passes the quote check.
    half = (_QUOTE_LIMIT - len(QUOTE_SEPARATOR)) // 2
    parts = [text[:half].strip() for text in (first, second) if text]
    return QUOTE_SEPARATOR.join(parts) or None


def _natural_key(row: ComparisonRecord) -> tuple[object, ...]:
    return (row.endpoint, row.arm, row.comparator, row.measure, row.origin, row.label, row.source)
