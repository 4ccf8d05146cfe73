"""Forest plots of comparisons, drawn with matplotlib (an optional extra: evidencedb[plot]).

One panel per effect measure, since a risk ratio and a difference of percentages share no
axis: ratios on a log scale around 1, differences on a linear scale around 0. Each row is an
estimate with its CI, labelled with its trial, endpoint and arms; randomised contrasts are
filled squares, non-randomised ones open circles, unknown ones open diamonds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencedb.enums import RATIO_MEASURES, ComparisonMeasure
from evidencedb.errors import EvidenceError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FORMATS = (".png", ".svg")
INSTALL_HINT = "plotting needs matplotlib: pip install 'evidencedb[plot]'"

# Marker style by `randomized`: how the eye tells a randomised contrast from the others.
_STYLES: dict[bool | None, dict[str, Any]] = {
    True: {"marker": "s", "color": "#1f4e79", "markerfacecolor": "#1f4e79"},
    False: {"marker": "o", "color": "#b03a2e", "markerfacecolor": "white"},
    None: {"marker": "D", "color": "#6e6e6e", "markerfacecolor": "white"},
}
_LEGEND = {True: "randomised", False: "non-randomised", None: "randomisation not known"}


# More rows than this make an image no one reads (and a large enough selection, an image of
# 100,000 pixels): refused with a message saying how to narrow it.
MAX_ROWS = 300
# Labels longer than this are cut with an ellipsis, so that the plot keeps its width.
LABEL_WIDTH = 90


def forest_plot(rows: Sequence[Mapping[str, Any]], out: Path, title: str | None = None) -> int:
    """Draw the comparisons in `rows` (as `query.comparisons.comparison_rows` returns them) to
    `out`, a .png or .svg file, creating its folder if missing. Rows without an estimate are
    left out; returns how many were drawn."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise EvidenceError(f"cannot tell the image format of {out}: name it .png or .svg")
    figure = forest_figure(rows, title)
    metadata: dict[str, Any] = {"Date": None} if suffix == ".svg" else {}
    try:  # a missing folder is created, as `export csv --out` creates its own
        out.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise EvidenceError(f"cannot write {out}: {out.parent} is not a folder") from None
    except OSError as error:
        raise EvidenceError(f"cannot write {out}: {error.strerror}") from None
    figure.savefig(out, format=suffix[1:], dpi=150, metadata=metadata)
    return sum(1 for row in rows if row["value"] is not None)


def forest_figure(rows: Sequence[Mapping[str, Any]], title: str | None = None) -> Figure:
    """The figure of `forest_plot`, not yet written: one panel (an Axes) per measure."""
    drawable = [row for row in rows if row["value"] is not None]
    if not drawable:
        raise EvidenceError("no comparison with an estimate matches; nothing to plot")
    if len(drawable) > MAX_ROWS:
        raise EvidenceError(
            f"{len(drawable)} comparisons match; a forest plot draws at most {MAX_ROWS}: "
            "narrow them with --trial, --endpoint-kind, --measure or --origin"
        )
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
    except ImportError:
        raise EvidenceError(INSTALL_HINT) from None

    panels: dict[str, list[Mapping[str, Any]]] = {}
    for row in drawable:
        panels.setdefault(str(row["measure"]), []).append(row)
    heights = [len(panel) + 1.2 for panel in panels.values()]
    # Figure and its Agg canvas directly, not pyplot: no global state, no GUI backend.
    figure = Figure(figsize=(11, 1.0 + 0.45 * sum(heights)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(
        nrows=len(panels), ncols=1, squeeze=False, gridspec_kw={"height_ratios": heights}
    )
    for ax, (measure, panel) in zip(axes[:, 0], panels.items(), strict=True):
        _draw_panel(ax, measure, panel)
    handles = [
        Line2D([], [], linestyle="none", markersize=7, label=_LEGEND[key], **style)
        for key, style in _STYLES.items()
        if any(row["randomized"] is key for row in drawable)
    ]
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    if title:
        figure.suptitle(title)
    return figure


def _draw_panel(ax: Axes, measure: str, rows: Sequence[Mapping[str, Any]]) -> None:
    ratio = measure in RATIO_MEASURES
    reference = 1.0 if ratio else 0.0
    positions = list(range(len(rows), 0, -1))  # first row on top
    for y, row in zip(positions, rows, strict=True):
        style = _STYLES[row["randomized"]]
        lower, upper = row["ci_lower"], row["ci_upper"]
        if lower is not None and upper is not None:
            ax.hlines(y, lower, upper, color=style["color"], linewidth=1.6)
        ax.plot([row["value"]], [y], linestyle="none", markersize=7, **style)
    ax.set_yticks(positions, [_label(row) for row in rows], fontsize=8)
    ax.set_ylim(0.3, len(rows) + 0.7)
    if measure != ComparisonMeasure.NUMBER_NEEDED_TO_TREAT:
        ax.axvline(reference, color="#999999", linewidth=0.8, linestyle="--", zorder=0)
    ax.set_xlim(*_limits(rows, reference if measure != "number_needed_to_treat" else None, ratio))
    if ratio:
        _log_axis(ax)
    ax.set_title(_panel_title(measure, rows), fontsize=9, loc="left")
    ax.tick_params(axis="x", labelsize=8)
    # The numbers, right of the axis, as a reader of a forest plot expects to find them.
    text_axis = ax.secondary_yaxis("right")
    text_axis.set_yticks(positions, [_estimate_text(row) for row in rows], fontsize=8)
    text_axis.tick_params(length=0)
    text_axis.spines["right"].set_visible(False)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


def _log_axis(ax: Axes) -> None:
    """A log scale labelled 0.25, 0.5, 1, 2, 4 (`log_ticks`) rather than matplotlib's 10^-1,
    10^0 and unlabelled minor ticks."""
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ticks = log_ticks(low, high)
    ax.set_xticks(ticks, [f"{tick:g}" for tick in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())


def log_ticks(low: float, high: float) -> list[float]:
    """Ticks for a log axis from `low` to `high` that read as plain numbers: doublings around 1
    (0.25, 0.5, 1, 2, 4), every decade (0.01, 0.1, 1, 10) for a wider range, every other
    decade for a much wider one; for a narrow one (less than a doubling either side), evenly
    spaced round numbers (0.8, 0.9, 1, 1.1)."""
    doublings = [2.0**power for power in range(-30, 31) if low <= 2.0**power <= high]
    if 3 <= len(doublings) <= 9:
        return doublings
    decades = [10.0**power for power in range(-12, 13) if low <= 10.0**power <= high]
    if len(decades) > 9:
        return decades[::2]
    if len(decades) >= 3:
        return decades
    from matplotlib.ticker import MaxNLocator

    even = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    return [float(f"{tick:.6g}") for tick in even if low <= tick <= high and tick > 0]


def _label(row: Mapping[str, Any]) -> str:
    """The endpoint's and the arms' names, which a reader knows, rather than their keys."""
    label = f" [{row['label']}]" if row["label"] else ""
    endpoint = _cut(f"{row['endpoint_name'] or row['endpoint_key']}{label}")
    arm = row["arm_label"] or row["arm_key"]
    comparator = row["comparator_arm_label"] or row["comparator_arm_key"]
    versus = _cut(f"{arm} vs {comparator}" if comparator else arm)
    return f"{row['trial_key']} · {endpoint}\n{versus} ({row['origin']})"


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1].rstrip() + "…"


def _estimate_text(row: Mapping[str, Any]) -> str:
    value = _fmt(row["value"])
    if row["ci_lower"] is None or row["ci_upper"] is None:
        return f"{value} (no CI)"
    return f"{value} ({_fmt(row['ci_lower'])} to {_fmt(row['ci_upper'])})"


def _panel_title(measure: str, rows: Sequence[Mapping[str, Any]]) -> str:
    labels = {str(row["measure_label"]) for row in rows if row["measure_label"]}
    name = measure.replace("_", " ")
    if len(labels) != 1 or measure == ComparisonMeasure.OTHER:
        return name
    label = labels.pop()
    return label if label.startswith(name) else f"{name}: {label}"


def _limits(
    rows: Sequence[Mapping[str, Any]], reference: float | None, ratio: bool
) -> tuple[float, float]:
    points = [row[name] for row in rows for name in ("value", "ci_lower", "ci_upper")]
    values = [float(v) for v in points if v is not None and (not ratio or v > 0)]
    if reference is not None:
        values.append(reference)
    if ratio:
        low, high = math.log10(min(values)), math.log10(max(values))
        pad = max(0.1, (high - low) * 0.08)
        return 10 ** (low - pad), 10 ** (high + pad)
    low, high = min(values), max(values)
    pad = max(abs(high - low) * 0.08, 0.05 * max(abs(low), abs(high), 1e-9))
    return low - pad, high + pad


def _fmt(value: float) -> str:
    if value == 0 or 0.01 <= abs(value) < 10_000:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"
