"""Code tables: registry titles and types to our vocabularies, without a database."""

from __future__ import annotations

import pytest

from evidencedb.enums import ComparisonMeasure, EndpointKind
from evidencedb.registries.ctgov.codes import comparison_measure, endpoint_kind


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Overall Survival (OS)", EndpointKind.OVERALL_SURVIVAL),
        ("Event-free Survival", EndpointKind.EVENT_FREE_SURVIVAL),
        ("Progression Free Survival Assessed by BICR", EndpointKind.PROGRESSION_FREE_SURVIVAL),
        ("Relapse-free Survival", EndpointKind.OTHER),
        ("Cumulative Incidence of Relapse", EndpointKind.RELAPSE),
        ("Pharmacokinetics in Relapsed Patients", EndpointKind.OTHER),
        ("Percentage of Participants With MRD Negativity", EndpointKind.MRD_NEGATIVITY),
        ("Complete Remission Rate", EndpointKind.COMPLETE_REMISSION),
        ("Objective Response Rate (ORR)", EndpointKind.RESPONSE),
        ("Positive Response (≥4-Fold Increase) to Tetanus Toxoid", EndpointKind.OTHER),
        ("Number of Participants With Dose-Limiting Toxicities", EndpointKind.TOXICITY),
        (
            "Number of Participants With Treatment-Emergent Adverse Events",
            EndpointKind.ADVERSE_EVENTS,
        ),
        ("BMI", EndpointKind.OTHER),
    ],
)
def test_endpoint_kind_is_conservative(title: str, kind: EndpointKind) -> None:
    assert endpoint_kind(title) == kind


@pytest.mark.parametrize(
    ("param_type", "measure"),
    [
        ("Hazard Ratio (HR)", ComparisonMeasure.HAZARD_RATIO),
        ("Cox Proportional Hazard", ComparisonMeasure.HAZARD_RATIO),
        ("Odds Ratio (OR)", ComparisonMeasure.ODDS_RATIO),
        ("Risk Ratio (RR)", ComparisonMeasure.RISK_RATIO),
        ("Risk Difference (RD)", ComparisonMeasure.RISK_DIFFERENCE),
        ("Percentage Difference", ComparisonMeasure.RISK_DIFFERENCE),
        ("LS Mean Difference", ComparisonMeasure.LEAST_SQUARES_MEAN_DIFFERENCE),
        ("Difference in LS Means", ComparisonMeasure.LEAST_SQUARES_MEAN_DIFFERENCE),
        (
            "Comparison of adjusted least square mean",
            ComparisonMeasure.LEAST_SQUARES_MEAN_DIFFERENCE,
        ),
        ("Geometric LS Mean Ratio", ComparisonMeasure.GEOMETRIC_MEAN_RATIO),
        ("ratio between geometric means", ComparisonMeasure.GEOMETRIC_MEAN_RATIO),
        ("Ratio of Adjusted Means", ComparisonMeasure.MEAN_RATIO),
        ("Least square mean ratio", ComparisonMeasure.MEAN_RATIO),
        ("Ratio of Response Rate", ComparisonMeasure.RISK_RATIO),
        ("Rate ratio", ComparisonMeasure.RATE_RATIO),
        ("Difference in percentages", ComparisonMeasure.RISK_DIFFERENCE),
        ("Mean Difference (Final Values)", ComparisonMeasure.MEAN_DIFFERENCE),
        ("Median Difference (Net)", ComparisonMeasure.MEDIAN_DIFFERENCE),
        ("Slope", ComparisonMeasure.OTHER),
    ],
)
def test_comparison_measure(param_type: str, measure: ComparisonMeasure) -> None:
    assert comparison_measure(param_type) == measure
