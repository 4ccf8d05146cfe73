"""Registry values: dispersion types, as codes and as words."""

from __future__ import annotations

import pytest

from evidencedb.enums import SpreadType
from evidencedb.registries.ctgov.values import dispersion


def test_dispersion_codes_and_words() -> None:
    assert dispersion("STANDARD_ERROR").spread_type == SpreadType.STANDARD_ERROR
    assert dispersion("Standard Deviation").spread_type == SpreadType.STANDARD_DEVIATION
    assert dispersion("INTER_QUARTILE_RANGE").limits == SpreadType.INTERQUARTILE_RANGE
    assert dispersion("Full Range").limits == SpreadType.FULL_RANGE
    assert dispersion("CONFIDENCE_95").ci_level == pytest.approx(0.95)
    assert dispersion("CONFIDENCE_975").ci_level == pytest.approx(0.975)
    assert dispersion("95% Confidence Interval").ci_level == pytest.approx(0.95)
    assert dispersion("CONFIDENCE_OTHER").is_ci
    assert dispersion("CONFIDENCE_OTHER").ci_level is None
    geometric_cv = SpreadType.GEOMETRIC_COEFFICIENT_OF_VARIATION
    assert dispersion("GEOMETRIC_COEFFICIENT").spread_type == geometric_cv
    assert dispersion("Geometric Coefficient of Variation").spread_type == geometric_cv
    assert dispersion("90% Confidence Interval").ci_level == pytest.approx(0.90)
    assert dispersion("Something else").spread_type == SpreadType.OTHER
    assert dispersion("NA") == dispersion(None)
