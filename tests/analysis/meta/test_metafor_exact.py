"""evidencedb's meta-analysis equals metafor's on metafor's own datasets, to 1e-8 (1e-6 for the
iterative estimators), for every effect size, model and option (issue #17, items 1-3)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from evidencedb.analysis.meta.counts import mantel_haenszel, peto
from evidencedb.analysis.meta.egger import egger_test
from evidencedb.analysis.meta.models import Pooled, pool
from evidencedb.analysis.meta.subsets import leave_one_out, subgroup_analysis
from evidencedb.enums import MetaMethod
from tests.analysis.meta.expected import (
    ABSOLUTE,
    MEASURES,
    case_id,
    counts,
    effect_sizes,
    expected,
    tolerance,
    vectors,
)


def _actual(pooled: Pooled) -> dict[str, float | None]:
    het = pooled.heterogeneity
    return {
        "estimate": pooled.estimate,
        "se": pooled.se,
        "ci_lower": pooled.ci_lower,
        "ci_upper": pooled.ci_upper,
        "p_value": pooled.p_value,
        "q": het.q,
        "q_p_value": het.q_p_value,
        "i2": het.i2,
        "h2": het.h2,
        "tau2": pooled.tau2,
        "k": pooled.k,
        "pi_lower": pooled.pi_lower,
        "pi_upper": pooled.pi_upper,
        "tau2_ci_lower": pooled.tau2_ci_lower,
        "tau2_ci_upper": pooled.tau2_ci_upper,
    }


def _assert_matches(pooled: Pooled, result: dict[str, Any], tol: float) -> None:
    actual = _actual(pooled)
    mismatches = {
        name: (actual[name], want)
        for name, want in result.items()
        if name != "weights" and not _close(actual[name], want, tol)
    }
    assert not mismatches, mismatches
    np.testing.assert_allclose(pooled.weights, result["weights"], rtol=0, atol=tol * 100)


def _close(got: float | None, want: float, tol: float) -> bool:
    if got is None:
        return False
    return abs(got - want) <= tol


@pytest.mark.parametrize("case", expected()["effect_sizes"], ids=case_id)
def test_effect_sizes_equal_escalc(case: dict[str, Any]) -> None:
    actual = effect_sizes(case["dataset"], case["measure"], case["add"], case["drop00"])
    for effect, yi, vi in zip(actual, case["yi"], case["vi"], strict=True):
        if yi is None:
            assert effect is None
            continue
        assert effect is not None
        assert effect.yi == pytest.approx(yi, abs=ABSOLUTE)
        assert effect.vi == pytest.approx(vi, abs=ABSOLUTE)


@pytest.mark.parametrize("case", expected()["models"], ids=case_id)
def test_models_equal_rma(case: dict[str, Any]) -> None:
    yi, vi = vectors(case)
    pooled = pool(yi, vi, MetaMethod(case["method"]), knha=case["knha"])
    _assert_matches(pooled, case["result"], tolerance(case["method"]))


@pytest.mark.parametrize("case", expected()["pooled_by_counts"], ids=case_id)
def test_mantel_haenszel_and_peto_equal_metafor(case: dict[str, Any]) -> None:
    studies = counts(case["dataset"])
    if case["method"] == "MH":
        pooled = mantel_haenszel(studies, MEASURES[case["measure"]])
    else:
        pooled = peto(studies)
    _assert_matches(pooled, case["result"], ABSOLUTE)


@pytest.mark.parametrize("case", expected()["subgroups"], ids=case_id)
def test_subgroups_equal_metafor(case: dict[str, Any]) -> None:
    yi, vi = vectors({**case, "add": 0.5, "drop00": False})
    labels = [row[case["field"]] for row in expected()["datasets"][case["dataset"]]]
    method = MetaMethod(case["method"])
    analysis = subgroup_analysis(
        labels, lambda idx: pool(yi[list(idx)], vi[list(idx)], method, knha=case["knha"])
    )
    tol = tolerance(case["method"])
    assert list(analysis.groups) == list(case["groups"])
    for label, result in case["groups"].items():
        _assert_matches(analysis.groups[label], result, tol)
    assert analysis.between.q == pytest.approx(case["q_between"], abs=tol)
    assert analysis.between.q_df == case["q_between_df"]
    assert analysis.between.q_p_value == pytest.approx(case["q_between_p_value"], abs=tol)


@pytest.mark.parametrize("case", expected()["leave_one_out"], ids=case_id)
def test_leave_one_out_equals_leave1out(case: dict[str, Any]) -> None:
    yi, vi = vectors({**case, "add": 0.5, "drop00": False})
    method = MetaMethod(case["method"])
    fits = leave_one_out(
        len(yi), lambda idx: pool(yi[list(idx)], vi[list(idx)], method, knha=case["knha"])
    )
    tol = tolerance(case["method"])
    for name in ("estimate", "se", "ci_lower", "ci_upper", "p_value", "q", "q_p_value", "tau2"):
        got = [_actual(fit)[name] for fit in fits]
        np.testing.assert_allclose(got, case[name], rtol=0, atol=tol, err_msg=name)
    np.testing.assert_allclose([f.heterogeneity.i2 for f in fits], case["i2"], rtol=0, atol=tol)
    np.testing.assert_allclose([f.heterogeneity.h2 for f in fits], case["h2"], rtol=0, atol=tol)


@pytest.mark.parametrize("case", expected()["egger"], ids=case_id)
def test_egger_equals_regtest(case: dict[str, Any]) -> None:
    yi, vi = vectors(case)
    test = egger_test(list(yi), list(vi))
    assert test.statistic == pytest.approx(case["t"], abs=ABSOLUTE)
    assert test.df == case["df"]
    assert test.p_value == pytest.approx(case["p_value"], abs=ABSOLUTE)
    assert test.limit_estimate == pytest.approx(case["limit_estimate"], abs=ABSOLUTE)
