"""The forest plot's geometry (web/forest.py): where the studies, the diamond, the prediction
interval and the ticks go, on a ratio's log axis and a difference's linear one."""

from __future__ import annotations

from typing import Any

from evidencedb.web.forest import AXIS_LEFT, AXIS_RIGHT, RATIO_LIMITS, forest_of


def _study(name: str, estimate: float, lower: float, upper: float, weight: float) -> dict[str, Any]:
    return {
        "trial_key": name.lower(),
        "trial_name": name,
        "arm_key": "drug",
        "comparator_arm_key": "placebo",
        "estimate": estimate,
        "ci_lower": lower,
        "ci_upper": upper,
        "weight": weight,
    }


def _document(measure: str, method: str, studies: list[dict[str, Any]], **pooled: Any) -> dict:
    return {"measure": measure, "method": method, "k": len(studies), "studies": studies, **pooled}


def test_a_ratio_is_drawn_on_a_log_axis_with_its_prediction_interval() -> None:
    document = _document(
        "risk_ratio",
        "REML",
        [_study("A", 0.5, 0.25, 1.0, 40.0), _study("B", 2.0, 1.0, 4.0, 60.0)],
        estimate=1.0,
        ci_lower=0.5,
        ci_upper=2.0,
        pi_lower=0.2,
        pi_upper=5.0,
    )
    forest = forest_of(document)
    assert forest is not None
    first, second = forest.studies
    # Log scale: 1 lies half-way between 0.5 and 2, as between 0.25 and 4.
    assert abs(forest.null_x - (first.x + second.x) / 2) < 1e-9  # type: ignore[operator]
    assert forest.prediction is not None
    assert forest.prediction[0] < first.line[0] < forest.null_x  # type: ignore[index]
    assert second.size > first.size  # the heavier study's square is larger
    assert [tick.text for tick in forest.ticks] == ["0.2", "0.5", "1", "2", "5"]
    assert forest.pooled_text == "1 [0.5, 2]"
    assert forest.diamond is not None


def test_an_interval_past_the_axis_ends_in_an_arrow() -> None:
    document = _document(
        "odds_ratio",
        "FE",
        [_study("Wide", 2.0, 1e-5, 1e5, 10.0), _study("Narrow", 1.5, 1.2, 1.9, 90.0)],
        estimate=1.55,
        ci_lower=1.25,
        ci_upper=1.9,
        pi_lower=1.25,
        pi_upper=1.9,
    )
    forest = forest_of(document)
    assert forest is not None
    wide = forest.studies[0]
    assert wide.arrows == (True, True)
    assert wide.line == (AXIS_LEFT, AXIS_RIGHT)
    assert forest.prediction is None  # a common-effect model has none
    assert min(tick.text for tick in forest.ticks) == "0.001" == f"{RATIO_LIMITS[0]:g}"


def test_a_difference_is_drawn_on_a_linear_axis_around_zero() -> None:
    document = _document(
        "mean_difference",
        "DL",
        [_study("A", -3.0, -5.0, -1.0, 50.0), _study("B", 1.0, -1.0, 3.0, 50.0)],
        estimate=-1.0,
        ci_lower=-3.0,
        ci_upper=1.0,
        pi_lower=-9.0,
        pi_upper=7.0,
    )
    forest = forest_of(document)
    assert forest is not None
    zero = next(tick for tick in forest.ticks if tick.text == "0")
    assert zero.x == forest.null_x
    assert forest.studies[0].x < forest.null_x < forest.studies[1].x  # type: ignore[operator]


def test_nothing_pooled_draws_nothing() -> None:
    assert forest_of(_document("risk_ratio", "REML", [], estimate=None)) is None
