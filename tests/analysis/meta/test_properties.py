"""Properties of the meta-analysis that hold for any data (hypothesis), and orientation rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencedb.analysis.meta.models import pool
from evidencedb.analysis.meta.studies import Orientation, orient
from evidencedb.enums import MetaMethod

effects = st.floats(min_value=-5, max_value=5, allow_nan=False)
variances = st.floats(min_value=1e-3, max_value=10, allow_nan=False)
studies = st.lists(st.tuples(effects, variances), min_size=2, max_size=15)
methods = st.sampled_from([m for m in MetaMethod if m not in (MetaMethod.MH, MetaMethod.PETO)])


@settings(max_examples=60, deadline=None)
@given(studies, methods, st.booleans())
def test_pooling_is_a_weighted_mean_whatever_the_order_and_sign(
    data: list[tuple[float, float]], method: MetaMethod, knha: bool
) -> None:
    yi = np.array([y for y, _ in data])
    vi = np.array([v for _, v in data])
    pooled = pool(yi, vi, method, knha=knha)
    assert min(yi) - 1e-9 <= pooled.estimate <= max(yi) + 1e-9
    assert pooled.tau2 >= 0
    assert 0 <= pooled.heterogeneity.i2 <= 100
    assert sum(pooled.weights) == pytest.approx(100)
    assert pooled.ci_lower <= pooled.estimate <= pooled.ci_upper
    assert pooled.pi_lower <= pooled.ci_lower + 1e-12
    if pooled.tau2_ci_lower is not None and pooled.tau2_ci_upper is not None:
        assert 0 <= pooled.tau2_ci_lower <= pooled.tau2_ci_upper
    # The order of the studies changes nothing; turning every contrast round negates it.
    order = np.arange(len(yi))[::-1]
    assert pool(yi[order], vi[order], method, knha=knha).estimate == pytest.approx(
        pooled.estimate, abs=1e-9
    )
    flipped = pool(-yi, vi, method, knha=knha)
    assert flipped.estimate == pytest.approx(-pooled.estimate, abs=1e-9)
    assert flipped.tau2 == pytest.approx(pooled.tau2, abs=1e-9)
    assert (math.isfinite(pooled.se) and pooled.se > 0) or (knha and pooled.se == 0)


def test_hartung_knapp_of_identical_studies_has_no_spread() -> None:
    # metafor: the scale factor is 0 when the residuals are, so the SE is 0 and p is 0.
    pooled = pool(np.array([0.3, 0.3, 0.3]), np.array([0.1, 0.2, 0.3]), MetaMethod.DL, knha=True)
    assert (pooled.se, pooled.p_value) == (0.0, 0.0)
    assert pooled.ci_lower == pooled.ci_upper == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("arm", "comparator", "basis", "expected"),
    [
        ("experimental", "placebo_comparator", None, Orientation.AS_REPORTED),
        ("experimental", "historical_control", None, Orientation.AS_REPORTED),
        ("active_comparator", "experimental", None, Orientation.REVERSED),
        ("experimental", "experimental", None, Orientation.UNKNOWN),
        ("other", "other", None, Orientation.UNKNOWN),
        (None, None, None, Orientation.UNKNOWN),
        # A registry comparison's direction_basis (comparisons.direction_basis).
        (None, None, "stated", Orientation.AS_REPORTED),
        (None, None, "unknown", Orientation.UNKNOWN),
        ("experimental", "placebo_comparator", "unknown", Orientation.UNKNOWN),
        ("placebo_comparator", "experimental", "arm_roles", Orientation.REVERSED),
    ],
)
def test_orient(
    arm: str | None, comparator: str | None, basis: str | None, expected: Orientation
) -> None:
    assert orient(arm, comparator, basis) is expected
