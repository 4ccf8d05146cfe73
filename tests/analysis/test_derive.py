"""Derived comparisons from one validated TrialFile: pure, no database."""

from __future__ import annotations

import math
from typing import Any

import pytest

from evidencedb.analysis import stats
from evidencedb.analysis.derive import contrasts, derived_comparisons, not_derived
from evidencedb.enums import ComparisonMeasure, ComparisonOrigin
from evidencedb.records.facts import ComparisonRecord
from evidencedb.records.trial_file import TrialFile

SOURCE = "paper"


def trial_file(
    *,
    design: str | None = "randomized",
    arms: list[dict[str, Any]] | None = None,
    endpoints: list[dict[str, Any]] | None = None,
    results: list[dict[str, Any]] | None = None,
    comparisons: list[dict[str, Any]] | None = None,
) -> TrialFile:
    """A small trial: by default an experimental and an active-comparator arm, one response
    endpoint, and whatever results the test gives."""
    cited = {"source": SOURCE, "quote": "q"}
    trial: dict[str, Any] = {"key": "t", "title": "A trial", **cited}
    if design is not None:
        trial["design"] = design
    return TrialFile.model_validate(
        {
            "sources": [{"key": SOURCE, "kind": "journal_article", "title": "Paper"}],
            "trial": trial,
            "arms": arms
            or [
                {"key": "new", "label": "New", "role": "experimental", **cited},
                {"key": "old", "label": "Old", "role": "active_comparator", **cited},
            ],
            "endpoints": endpoints
            or [
                {"key": "resp", "name": "Response", "kind": "response", **cited},
                {"key": "os", "name": "OS", "kind": "overall_survival", **cited},
                {
                    "key": "dfs",
                    "name": "2-year DFS",
                    "kind": "disease_free_survival",
                    "measure": "km_estimate",
                    **cited,
                },
                {"key": "rel", "name": "Relapse", "kind": "relapse", **cited},
            ],
            "results": [{**cited, **result} for result in results or []],
            "comparisons": [{**cited, **comparison} for comparison in comparisons or []],
        }
    )


def counts(endpoint: str, arm: str, x: int, n: int, **extra: Any) -> dict[str, Any]:
    return {"endpoint": endpoint, "arm": arm, "numerator": x, "denominator": n, **extra}


def rate(endpoint: str, arm: str, value: float, **extra: Any) -> dict[str, Any]:
    return {"endpoint": endpoint, "arm": arm, "value": value, "unit": "%", **extra}


def by_measure(rows: list[ComparisonRecord]) -> dict[ComparisonMeasure, ComparisonRecord]:
    measures = [row.measure for row in rows]
    assert len(set(measures)) == len(measures), measures
    return {row.measure: row for row in rows}


def assert_interval(row: ComparisonRecord, expected: stats.Interval) -> None:
    assert row.value == pytest.approx(expected.estimate, rel=1e-12)
    assert row.ci_lower == pytest.approx(expected.lower, rel=1e-12)
    assert row.ci_upper == pytest.approx(expected.upper, rel=1e-12)
    assert row.ci_level == expected.level == 0.95
    assert row.method == expected.method


def test_counts_give_risk_difference_risk_ratio_and_odds_ratio_as_stats_computes() -> None:
    data = trial_file(
        results=[
            counts("resp", "new", 30, 40, value=75, unit="%"),
            counts("resp", "old", 18, 40, value=45, unit="%"),
        ]
    )
    rows = by_measure(derived_comparisons(data))
    assert_interval(rows[ComparisonMeasure.RISK_DIFFERENCE], stats.risk_difference(30, 40, 18, 40))
    assert_interval(rows[ComparisonMeasure.RISK_RATIO], stats.risk_ratio(30, 40, 18, 40))
    assert_interval(rows[ComparisonMeasure.ODDS_RATIO], stats.odds_ratio(30, 40, 18, 40))
    assert ComparisonMeasure.RATE_DIFFERENCE not in rows  # counts win over the percentages
    for row in rows.values():
        assert row.origin == ComparisonOrigin.DERIVED
        assert (row.arm, row.comparator, row.endpoint) == ("new", "old", "resp")
        assert row.randomized is True
        assert row.source == SOURCE
        assert row.note is not None
        assert row.note.startswith("from 30/40 vs 18/40")


def test_zero_cell_is_corrected_and_says_so() -> None:
    data = trial_file(results=[counts("resp", "new", 0, 20), counts("resp", "old", 5, 20)])
    rows = by_measure(derived_comparisons(data))
    ratio = rows[ComparisonMeasure.RISK_RATIO]
    assert_interval(ratio, stats.risk_ratio(0, 20, 5, 20))
    assert ratio.method is not None
    assert ratio.method.endswith("(0.5 correction)")
    assert ratio.note is not None
    assert "0.5 was added" in ratio.note


def test_nnt_with_a_range_when_the_difference_is_clear() -> None:
    data = trial_file(results=[counts("resp", "new", 30, 40), counts("resp", "old", 10, 40)])
    nnt = by_measure(derived_comparisons(data))[ComparisonMeasure.NUMBER_NEEDED_TO_TREAT]
    expected = stats.number_needed_to_treat(stats.risk_difference(30, 40, 10, 40))
    assert nnt.value == pytest.approx(2.0)
    assert (nnt.ci_lower, nnt.ci_upper) == (expected.lower, expected.upper)
    assert nnt.ci_lower is not None
    assert nnt.ci_upper is not None
    assert nnt.ci_lower <= nnt.value <= nnt.ci_upper
    assert nnt.measure_label == "NNTB (benefit)"


def test_nnt_whose_interval_crosses_zero_keeps_only_the_estimate() -> None:
    data = trial_file(results=[counts("resp", "new", 12, 20), counts("resp", "old", 10, 20)])
    nnt = by_measure(derived_comparisons(data))[ComparisonMeasure.NUMBER_NEEDED_TO_TREAT]
    assert nnt.value == pytest.approx(10.0)
    assert nnt.ci_lower is None
    assert nnt.ci_upper is None
    assert nnt.ci_level is None
    assert nnt.note is not None
    assert "crosses 0" in nnt.note
    assert "to ∞ to" in nnt.note


def test_nnt_of_an_unfavourable_outcome_counts_fewer_events_as_benefit() -> None:
    data = trial_file(results=[counts("rel", "new", 5, 40), counts("rel", "old", 25, 40)])
    nnt = by_measure(derived_comparisons(data))[ComparisonMeasure.NUMBER_NEEDED_TO_TREAT]
    assert nnt.measure_label == "NNTB (benefit)"
    assert nnt.value == pytest.approx(2.0)


def test_no_nnt_where_the_direction_of_the_count_is_unknown() -> None:
    # A count on a survival endpoint may be of survivors or of deaths.
    data = trial_file(results=[counts("os", "new", 30, 40), counts("os", "old", 10, 40)])
    measures = {row.measure for row in derived_comparisons(data)}
    assert measures == {
        ComparisonMeasure.RISK_DIFFERENCE,
        ComparisonMeasure.RISK_RATIO,
        ComparisonMeasure.ODDS_RATIO,
    }


def test_no_nnt_when_there_is_no_difference() -> None:
    data = trial_file(results=[counts("resp", "new", 10, 20), counts("resp", "old", 10, 20)])
    measures = {row.measure for row in derived_comparisons(data)}
    assert ComparisonMeasure.NUMBER_NEEDED_TO_TREAT not in measures


def test_reported_rates_give_their_difference_without_ci_when_none_is_reported() -> None:
    data = trial_file(
        design="single_arm",
        arms=[
            {"key": "new", "label": "New", "role": "experimental", "source": SOURCE, "quote": "q"},
            {
                "key": "hist",
                "label": "Historical",
                "role": "historical_control",
                "source": SOURCE,
                "quote": "q",
            },
        ],
        results=[
            rate("dfs", "new", 81.6, quote="was 81.6%", locator="p. 2"),
            rate("dfs", "hist", 49.4, quote="compared to 49.4%"),
        ],
    )
    [row] = derived_comparisons(data)
    assert row.measure == ComparisonMeasure.RATE_DIFFERENCE
    assert row.value == 32.2  # exactly: the decimals as reported, not 32.199999999999996
    assert row.ci_lower is None
    assert row.ci_upper is None
    assert row.ci_level is None
    assert row.randomized is False
    assert row.note == "from 81.6% vs 49.4%; no CIs reported, so no CI"
    assert row.quote == "was 81.6% | compared to 49.4%"
    assert row.locator == "p. 2"
    assert row.measure_label is not None
    assert "percentage points" in row.measure_label


def test_reported_rates_with_cis_give_a_normal_approximation_ci() -> None:
    data = trial_file(
        results=[
            rate("dfs", "new", 70.0, ci_lower=60.0, ci_upper=80.0, ci_level=0.95),
            rate("dfs", "old", 50.0, ci_lower=38.0, ci_upper=62.0),
        ]
    )
    [row] = derived_comparisons(data)
    expected = stats.difference_of_rates(
        70.0, 50.0, 0.95, ci1=(60.0, 80.0, 0.95), ci2=(38.0, 62.0, 0.95)
    )
    assert_interval(
        row,
        stats.Interval(20.0, expected.lower, expected.upper, 0.95, row.method or ""),
    )
    assert row.method is not None
    assert "normal approximation" in row.method
    assert row.note is not None
    assert "taken as 95%" in row.note


def test_one_missing_ci_means_no_ci() -> None:
    data = trial_file(
        results=[rate("dfs", "new", 70.0, ci_lower=60.0, ci_upper=80.0), rate("dfs", "old", 50)]
    )
    [row] = derived_comparisons(data)
    assert row.ci_lower is None
    assert row.ci_upper is None
    assert row.note == "from 70% vs 50%; no CI reported for 50%, so no CI"


def test_kaplan_meier_counts_are_not_used_as_proportions() -> None:
    data = trial_file(
        results=[
            counts("dfs", "new", 8, 40, value=78.0, unit="%"),
            counts("dfs", "old", 15, 40, value=60.0, unit="%"),
        ]
    )
    [row] = derived_comparisons(data)
    assert row.measure == ComparisonMeasure.RATE_DIFFERENCE
    assert row.value == 18.0


@pytest.mark.parametrize("qualifier", ["<", ">=", "not_reached"])
def test_a_qualified_value_derives_nothing(qualifier: str) -> None:
    data = trial_file(
        results=[rate("dfs", "new", 40, value_qualifier=qualifier), rate("dfs", "old", 20)]
    )
    assert derived_comparisons(data) == []
    counted = trial_file(
        results=[
            counts("resp", "new", 3, 10, value_qualifier=qualifier),
            counts("resp", "old", 2, 10),
        ]
    )
    assert derived_comparisons(counted) == []


def test_rates_on_different_units_derive_nothing() -> None:
    data = trial_file(
        results=[
            {"endpoint": "dfs", "arm": "new", "value": 0.7},
            rate("dfs", "old", 50.0),
        ]
    )
    assert derived_comparisons(data) == []
    assert not_derived(data) == [
        "no derived comparison for dfs, new vs old: the units differ (None vs '%')"
    ]


def test_a_qualified_value_says_why_nothing_was_derived() -> None:
    data = trial_file(results=[rate("dfs", "new", 40, value_qualifier="<"), rate("dfs", "old", 20)])
    assert not_derived(data) == [
        "no derived comparison for dfs, new vs old: the value of new is qualified (<), not a number"
    ]


def test_what_was_derived_or_is_not_expected_is_not_listed() -> None:
    derived = trial_file(results=[rate("dfs", "new", 40), rate("dfs", "old", 20)])
    assert derived_comparisons(derived)
    assert not_derived(derived) == []
    medians = trial_file(
        endpoints=[
            {
                "key": "pfs",
                "name": "PFS",
                "kind": "progression_free_survival",
                "measure": "median",
                "source": SOURCE,
                "quote": "q",
            }
        ],
        results=[
            {"endpoint": "pfs", "arm": arm, "value": value, "unit": "months"}
            for arm, value in (("new", 5.6), ("old", 2.8))
        ],
    )
    assert derived_comparisons(medians) == []
    assert not_derived(medians) == []


def test_results_from_different_sources_are_not_paired() -> None:
    data = trial_file(
        results=[counts("resp", "new", 3, 10), counts("resp", "old", 2, 10, source="registry")]
    )
    assert derived_comparisons(data) == []


def test_subgroups_and_categories_pair_with_their_own_and_label_the_row() -> None:
    data = trial_file(
        results=[
            counts("resp", "new", 3, 10, subgroup="age < 1"),
            counts("resp", "old", 2, 10, subgroup="age < 1"),
            counts("resp", "new", 6, 10, category="CR"),
            counts("resp", "old", 4, 10, category="CR"),
            counts("resp", "new", 5, 10),
        ]
    )
    rows = derived_comparisons(data)
    labels = {row.label for row in rows}
    assert labels == {"subgroup: age < 1", "category: CR"}
    keys = [(r.endpoint, r.arm, r.comparator, r.measure, r.origin, r.label, r.source) for r in rows]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("design", "roles", "source_trial", "expected"),
    [
        ("randomized", ("experimental", "placebo_comparator"), None, True),
        ("randomized", ("experimental", "external_control"), None, False),
        ("randomized", ("experimental", "active_comparator"), "other-trial", False),
        ("single_arm", ("experimental", "historical_control"), None, False),
        ("non_randomized", ("experimental", "active_comparator"), None, False),
        (None, ("experimental", "active_comparator"), None, None),
        ("other", ("experimental", "no_intervention"), None, None),
    ],
)
def test_randomized_flag(
    design: str | None, roles: tuple[str, str], source_trial: str | None, expected: bool | None
) -> None:
    comparator: dict[str, Any] = {"key": "old", "label": "Old", "role": roles[1]}
    if source_trial:
        comparator["source_trial"] = source_trial
    data = trial_file(
        design=design,
        arms=[
            {"key": "new", "label": "New", "role": roles[0], "source": SOURCE, "quote": "q"},
            {**comparator, "source": SOURCE, "quote": "q"},
        ],
        results=[rate("dfs", "new", 60), rate("dfs", "old", 50)],
    )
    [row] = derived_comparisons(data)
    assert row.randomized is expected


def test_arms_without_roles_are_contrasted_when_a_reported_comparison_pairs_them() -> None:
    cited = {"source": SOURCE, "quote": "q"}
    arms = [
        {"key": "a", "label": "A", **cited},
        {"key": "b", "label": "B", **cited},
        {"key": "c", "label": "C", **cited},
    ]
    results = [counts("resp", arm, x, 20) for arm, x in (("a", 5), ("b", 10), ("c", 15))]
    reported = {"endpoint": "os", "arm": "b", "comparator": "a", "measure": "hazard_ratio"}
    without = trial_file(arms=arms, results=results)
    assert contrasts(without) == []
    assert derived_comparisons(without) == []
    data = trial_file(arms=arms, results=results, comparisons=[reported])
    assert contrasts(data) == [("b", "a")]
    rows = derived_comparisons(data)
    assert {(row.arm, row.comparator) for row in rows} == {("b", "a")}  # its orientation
    assert {row.endpoint for row in rows} == {"resp"}
    assert all(row.randomized is True for row in rows)  # both arms of a randomised trial


def test_each_pair_of_arms_is_contrasted_once() -> None:
    reported = {"endpoint": "resp", "arm": "old", "comparator": "new", "measure": "odds_ratio"}
    data = trial_file(
        results=[counts("resp", "new", 3, 10), counts("resp", "old", 2, 10)],
        comparisons=[reported],
    )
    assert contrasts(data) == [("old", "new")]
    assert {(row.arm, row.comparator) for row in derived_comparisons(data)} == {("old", "new")}


def test_a_curated_derived_row_with_the_same_key_wins() -> None:
    curated = {
        "endpoint": "resp",
        "arm": "new",
        "comparator": "old",
        "measure": "risk_ratio",
        "origin": "derived",
        "value": 1.5,
    }
    data = trial_file(
        results=[counts("resp", "new", 3, 10), counts("resp", "old", 2, 10)],
        comparisons=[curated],
    )
    measures = [row.measure for row in derived_comparisons(data)]
    assert ComparisonMeasure.RISK_RATIO not in measures
    assert ComparisonMeasure.RISK_DIFFERENCE in measures


def test_derived_values_are_finite_and_ordered() -> None:
    data = trial_file(results=[counts("resp", "new", 20, 20), counts("resp", "old", 0, 20)])
    for row in derived_comparisons(data):
        for value in (row.value, row.ci_lower, row.ci_upper):
            assert value is None or math.isfinite(value)
        if row.ci_lower is not None and row.ci_upper is not None:
            assert row.value is not None
            assert row.ci_lower <= row.value <= row.ci_upper
