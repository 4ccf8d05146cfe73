"""The forest plot of a meta-analysis as geometry for an inline SVG (`forest.html`).

Drawn on the server from the analysis's JSON document (`analysis.meta.analysis.as_json`), so
a page needs neither JavaScript nor matplotlib, and every label reaches the page through the
template, HTML-escaped. Ratios are drawn on a log axis; an interval that runs past the axis
ends in an arrow. The template draws; this module only places.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evidencedb.enums import MetaMeasure, MetaMethod

# The drawing's coordinates (the SVG's viewBox; it scales to the page's width).
WIDTH = 800
LABEL_RIGHT = 250  # the study labels end here
AXIS_LEFT, AXIS_RIGHT = 270, 560
ESTIMATE_LEFT = 575  # "0.86 [0.75, 0.99]"
WEIGHT_RIGHT = 792
ROW = 26  # height of a study's row
TOP = 34  # below the column headings
RATIO_LIMITS = (1e-3, 1e3)  # an axis past these says nothing a reader can use
_SQUARE_MAX = 16.0


@dataclass(frozen=True)
class StudyMark:
    label: str
    detail: str  # the arms compared
    y: float
    x: float | None  # the estimate; None when off the axis or not a number
    size: float  # the square's side, by weight
    line: tuple[float, float] | None
    arrows: tuple[bool, bool]  # the interval runs past the axis on the left, on the right
    estimate_text: str
    weight_text: str


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Forest:
    height: float
    studies: Sequence[StudyMark]
    pooled_y: float
    diamond: str | None  # the pooled diamond's points
    pooled_text: str
    prediction: tuple[float, float] | None  # the prediction interval, random effects only
    prediction_text: str
    null_x: float
    axis_y: float
    ticks: Sequence[Tick]
    axis_label: str


def forest_of(document: Mapping[str, Any]) -> Forest | None:
    """The forest plot of an analysis's JSON document; None when nothing was pooled."""
    if not document["studies"] or document["estimate"] is None:
        return None
    ratio = _is_ratio(document)
    low, high = _extent(document, ratio)
    place = _scale(low, high, ratio)
    studies = [
        _study_mark(study, TOP + ROW * (index + 0.5), place, low, high, ratio)
        for index, study in enumerate(document["studies"])
    ]
    pooled_y = TOP + ROW * (len(studies) + 0.9)
    lower, estimate, upper = (document[name] for name in ("ci_lower", "estimate", "ci_upper"))
    diamond = None
    if None not in (lower, upper) and low <= estimate <= high:
        left, right = place(max(lower, low)), place(min(upper, high))
        centre = place(estimate)
        diamond = f"{left:.1f},{pooled_y:.1f} {centre:.1f},{pooled_y - 7:.1f} "
        diamond += f"{right:.1f},{pooled_y:.1f} {centre:.1f},{pooled_y + 7:.1f}"
    prediction = None
    if _shows_prediction(document):
        prediction = (
            place(max(document["pi_lower"], low)),
            place(min(document["pi_upper"], high)),
        )
    axis_y = pooled_y + ROW * (1.4 if prediction else 0.8)
    return Forest(
        height=axis_y + 48,
        studies=studies,
        pooled_y=pooled_y,
        diamond=diamond,
        pooled_text=interval_text(estimate, lower, upper),
        prediction=prediction,
        prediction_text=interval_text(None, document["pi_lower"], document["pi_upper"]),
        null_x=place(1.0 if ratio else 0.0),
        axis_y=axis_y,
        ticks=[Tick(place(value), f"{value:g}") for value in _ticks(low, high, ratio)],
        axis_label=str(document["measure"]).replace("_", " "),
    )


def interval_text(estimate: float | None, lower: float | None, upper: float | None) -> str:
    """'0.86 [0.75, 0.99]' (three significant digits), '[0.75, 0.99]' without an estimate."""
    bounds = f"[{_short(lower)}, {_short(upper)}]"
    return bounds if estimate is None else f"{_short(estimate)} {bounds}"


def _short(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _is_ratio(document: Mapping[str, Any]) -> bool:
    return MetaMeasure(document["measure"]).is_ratio


def _shows_prediction(document: Mapping[str, Any]) -> bool:
    method = MetaMethod(document["method"])
    return (
        method.is_random
        and document["k"] > 1
        and document["pi_lower"] is not None
        and document["pi_upper"] is not None
    )


def _extent(document: Mapping[str, Any], ratio: bool) -> tuple[float, float]:
    """The axis: every study's and the pooled CI, the prediction interval where it is drawn,
    and the line of no effect."""
    values = [1.0 if ratio else 0.0]
    for row in (*document["studies"], document):
        values += [row[name] for name in ("ci_lower", "estimate", "ci_upper")]
    if _shows_prediction(document):
        values += [document["pi_lower"], document["pi_upper"]]
    finite = [v for v in values if v is not None and math.isfinite(v) and (v > 0 or not ratio)]
    low, high = min(finite), max(finite)
    if ratio:
        low, high = max(low, RATIO_LIMITS[0]), min(high, RATIO_LIMITS[1])
        margin = (math.log(high) - math.log(low)) * 0.05 or 0.1
        return math.exp(math.log(low) - margin), math.exp(math.log(high) + margin)
    margin = (high - low) * 0.05 or 1.0
    return low - margin, high + margin


def _scale(low: float, high: float, ratio: bool) -> Callable[[float], float]:
    transform = math.log if ratio else float
    start, span = transform(low), transform(high) - transform(low)

    def place(value: float) -> float:
        return AXIS_LEFT + (transform(value) - start) / span * (AXIS_RIGHT - AXIS_LEFT)

    return place


def _study_mark(
    study: Mapping[str, Any],
    y: float,
    place: Callable[[float], float],
    low: float,
    high: float,
    ratio: bool,
) -> StudyMark:
    estimate, lower, upper = (study[name] for name in ("estimate", "ci_lower", "ci_upper"))
    shown = estimate is not None and low <= estimate <= high
    line = None
    arrows = (False, False)
    if lower is not None and upper is not None and upper >= low and lower <= high:
        line = (place(max(lower, low)), place(min(upper, high)))
        arrows = (lower < low, upper > high)
    weight = study["weight"] or 0.0
    return StudyMark(
        label=study["trial_name"] or study["trial_key"],
        detail=f"{study['arm_key']} vs {study['comparator_arm_key']}",
        y=y,
        x=place(estimate) if shown else None,
        size=4 + (_SQUARE_MAX - 4) * math.sqrt(weight / 100.0),
        line=line,
        arrows=arrows,
        estimate_text=interval_text(estimate, lower, upper),
        weight_text=f"{weight:.1f}%",
    )


def _ticks(low: float, high: float, ratio: bool) -> list[float]:
    """Ticks a reader names without thinking: 0.5, 1, 2 on a wide ratio axis, else round
    steps of 1, 2 or 5 times a power of ten."""
    if ratio and high / low >= 8:
        return [
            mantissa * 10.0**power
            for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
            for mantissa in (1, 2, 5)
            if low <= mantissa * 10.0**power <= high
        ]
    raw = (high - low) / 4
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    count = int((high - first) / step + 1e-9) + 1
    return [round(first + i * step, 12) for i in range(count) if not ratio or first + i * step > 0]
