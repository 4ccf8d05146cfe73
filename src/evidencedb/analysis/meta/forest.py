"""Forest and funnel plots of a meta-analysis, drawn with matplotlib (the `plot` extra).

The forest plot reads as reviewers read one: a row per study labelled by trial name and arms,
events/N or mean (SD) N per arm, the estimate with its CI and weight, the pooled diamond, the
prediction interval, the heterogeneity line (τ², I², Q, p), the overall test, and "favours
experimental / favours comparator" under the axis; ratios on a log scale with readable ticks.
The funnel plot (10 studies or more) draws each estimate against its SE with Egger's test.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencedb.analysis.meta.analysis import MetaResult, as_json
from evidencedb.analysis.meta.effects import critical_value
from evidencedb.analysis.meta.egger import egger_test
from evidencedb.errors import EvidenceError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["FUNNEL_MINIMUM", "draw_forest", "draw_funnel"]

FUNNEL_MINIMUM = 10  # fewer studies say nothing about asymmetry (Sterne et al. 2011)
_INSTALL_HINT = "plotting needs matplotlib: pip install 'evidencedb[plot]'"


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise EvidenceError(_INSTALL_HINT) from None
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # no pyplot: no global state, no GUI backend
    return figure


def _check_out(out: Path) -> None:
    if out.suffix.lower() not in (".png", ".svg"):
        raise EvidenceError(f"cannot tell the image format of {out}: name it .png or .svg")
    if not out.parent.is_dir():
        raise EvidenceError(f"no folder {out.parent} to write {out.name} into")


def draw_forest(result: MetaResult, out: Path) -> None:
    """The forest plot of ``result`` into ``out`` (.png or .svg)."""
    _check_out(out)
    if result.pooled is None:
        raise EvidenceError("no study could be pooled: no forest plot to draw")
    document = as_json(result)
    studies = document["studies"]
    rows = len(studies) + 3
    figure = _figure(12, 1.6 + 0.38 * rows)
    table, axis = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]}, sharey=True)
    ratio = result.options.measure.is_ratio
    for index, study in enumerate(studies):
        y = rows - index
        _study_row(table, axis, y, study)
    _pooled_rows(table, axis, document, y=2)
    _axis(axis, document, ratio, rows)
    table.set_xlim(0, 1)
    table.set_ylim(0.2, rows + 1)
    table.axis("off")
    _header(table, rows + 0.7)
    figure.suptitle(_headline(document), fontsize=10)
    figure.savefig(out)


def _study_row(table: Axes, axis: Axes, y: float, study: dict[str, Any]) -> None:
    table.text(0.0, y, study["trial_name"], va="center", fontsize=9)
    table.text(
        0.32, y, f"{study['arm_key']} vs {study['comparator_arm_key']}", va="center", fontsize=8
    )
    for x, data in ((0.62, study["arm_data"]), (0.78, study["comparator_data"])):
        table.text(x, y, data or "", va="center", fontsize=8)
    table.text(0.94, y, f"{study['weight']:.1f}%", va="center", fontsize=8)
    size = 4 + 10 * math.sqrt(study["weight"] / 100.0)
    axis.plot([study["ci_lower"], study["ci_upper"]], [y, y], color="#1f4e79", lw=1)
    axis.plot([study["estimate"]], [y], marker="s", markersize=size, color="#1f4e79")
    axis.text(
        1.02, y, _ci_text(study), transform=axis.get_yaxis_transform(), va="center", fontsize=8
    )


def _pooled_rows(table: Axes, axis: Axes, document: dict[str, Any], y: float) -> None:
    estimate, lower, upper = document["estimate"], document["ci_lower"], document["ci_upper"]
    axis.fill([lower, estimate, upper, estimate], [y, y + 0.3, y, y - 0.3], color="#b03a2e")
    axis.plot(
        [document["pi_lower"], document["pi_upper"]],
        [y - 0.6, y - 0.6],
        color="#b03a2e",
        lw=2.5,
        solid_capstyle="butt",
    )
    table.text(
        0.0,
        y,
        f"Pooled ({document['method']}{', HKSJ' if document['hksj'] else ''})",
        va="center",
        fontsize=9,
        weight="bold",
    )
    table.text(0.0, y - 0.6, "Prediction interval", va="center", fontsize=8)
    table.text(0.94, y, "100%", va="center", fontsize=8)
    axis.text(
        1.02,
        y,
        _ci_text(document),
        transform=axis.get_yaxis_transform(),
        va="center",
        fontsize=8,
        weight="bold",
    )
    table.text(0.0, y - 1.3, _heterogeneity(document), va="center", fontsize=8)


def _axis(axis: Axes, document: dict[str, Any], ratio: bool, rows: int) -> None:
    null = 1.0 if ratio else 0.0
    axis.axvline(null, color="#6e6e6e", lw=0.8)
    if ratio:
        axis.set_xscale("log")
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

        # Ticks a reader names without thinking: 0.1, 0.2, 0.5, 1, 2, 5, 10, ...
        low, high = axis.get_xlim()
        ticks = [
            mantissa * 10.0**power
            for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
            for mantissa in (1, 2, 5)
            if low <= mantissa * 10.0**power <= high
        ]
        axis.xaxis.set_major_locator(FixedLocator(ticks))
        axis.xaxis.set_minor_locator(NullLocator())
        axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_xlabel(document["measure"].replace("_", " "), fontsize=9)
    axis.tick_params(axis="y", left=False, labelleft=False)
    for side in ("left", "right", "top"):
        axis.spines[side].set_visible(False)
    axis.text(
        0.25, -0.16, "← favours experimental", transform=axis.transAxes, ha="center", fontsize=8
    )
    axis.text(
        0.75, -0.16, "favours comparator →", transform=axis.transAxes, ha="center", fontsize=8
    )


def _header(table: Axes, y: float) -> None:
    for x, text in (
        (0.0, "Trial"),
        (0.32, "Arms"),
        (0.62, "Experimental"),
        (0.78, "Comparator"),
        (0.94, "Weight"),
    ):
        table.text(x, y, text, fontsize=9, weight="bold", va="center")


def _ci_text(row: dict[str, Any]) -> str:
    return f"{row['estimate']:.2f} [{row['ci_lower']:.2f}, {row['ci_upper']:.2f}]"


def _p_text(value: float | None) -> str:
    """``p = 0.0123`` or ``p < 0.0001``."""
    if value is None:
        return "p = —"
    return "p < 0.0001" if value < 0.0001 else f"p = {value:.4f}"


def _heterogeneity(document: dict[str, Any]) -> str:
    return (
        f"Heterogeneity: τ² = {document['tau2']:.4f}; I² = {document['i2']:.0f}%; "
        f"Q = {document['q']:.2f}, df = {document['q_df']} ({_p_text(document['q_p_value'])})"
    )


def _headline(document: dict[str, Any]) -> str:
    return (
        f"{document['measure'].replace('_', ' ')}: {document['k']} studies; test for overall "
        f"effect {_p_text(document['p_value'])}"
    )


def draw_funnel(result: MetaResult, out: Path) -> None:
    """The funnel plot of ``result`` with Egger's test, for 10 studies or more."""
    _check_out(out)
    if result.pooled is None or len(result.studies) < FUNNEL_MINIMUM:
        raise EvidenceError(f"a funnel plot needs {FUNNEL_MINIMUM} studies or more")
    yi = [study.effect.yi for study in result.studies]
    se = [study.effect.se for study in result.studies]
    test = egger_test(yi, [s * s for s in se])
    figure = _figure(6, 5)
    axis = figure.subplots()
    centre = result.pooled.estimate
    top = max(se) * 1.05
    # The funnel: where 95% of studies of each SE would fall without heterogeneity or bias.
    reach = critical_value(0.95) * top
    axis.plot(
        [centre - reach, centre, centre + reach], [top, 0, top], color="#6e6e6e", lw=0.8, ls="--"
    )
    axis.scatter(yi, se, color="#1f4e79")
    axis.axvline(centre, color="#b03a2e", lw=1)
    axis.invert_yaxis()
    axis.set_ylabel("standard error")
    scale = "log " if result.options.measure.is_ratio else ""
    axis.set_xlabel(scale + result.options.measure.replace("_", " "))
    axis.set_title(
        f"Egger's test: t = {test.statistic:.2f}, df = {test.df}, {_p_text(test.p_value)}",
        fontsize=10,
    )
    figure.savefig(out)
