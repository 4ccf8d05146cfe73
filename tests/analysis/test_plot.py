"""Forest plots: rows labelled with the names a reader knows, log axes in plain numbers, and a
selection too large to read refused before anything is drawn."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from evidencedb.analysis import plot
from evidencedb.errors import EvidenceError
from evidencedb.query.comparisons import COMPARISON_ROW_COLUMNS, comparison_rows
from evidencedb.query.filters import FactFilters
from evidencedb.store.database import reading
from tests.analysis.test_compare_and_plot import TRIAL, require_matplotlib
from tests.support.databases import TestDatabase


def _comparison(number: int, value: float, lower: float, upper: float) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COMPARISON_ROW_COLUMNS)
    row.update(
        trial_key=f"trial-{number}",
        endpoint_key="os",
        endpoint_name="Overall survival",
        label="",
        arm_key="drug",
        arm_label="Drug X 10 mg",
        comparator_arm_key="placebo",
        comparator_arm_label="Placebo",
        measure="hazard_ratio",
        value=value,
        ci_lower=lower,
        ci_upper=upper,
        origin="reported",
        randomized=True,
    )
    return row


def _tick_texts(figure: Any, axis: str) -> list[list[str]]:
    figure.canvas.draw()
    return [
        [label.get_text() for label in getattr(ax, f"get_{axis}ticklabels")()]
        for ax in figure.axes
        if ax.get_label() != "<colorbar>"
    ]


def test_rows_are_labelled_with_endpoint_and_arm_names(loaded: TestDatabase) -> None:
    require_matplotlib()
    with reading(loaded.url) as connection:
        rows = comparison_rows(connection, FactFilters(trial=TRIAL))
    figure = plot.forest_figure(rows)
    labels = "\n".join(text for texts in _tick_texts(figure, "y") for text in texts)
    assert "Two-year disease-free survival" in labels
    assert "Blinatumomab + Interfant-06 chemotherapy vs Interfant-06 historical controls" in labels
    assert "dfs-2y" not in labels


def test_log_axes_read_as_plain_numbers() -> None:
    require_matplotlib()
    rows = [_comparison(1, 0.3, 0.22, 0.45), _comparison(2, 3.0, 2.0, 4.5)]
    figure = plot.forest_figure(rows)
    texts = _tick_texts(figure, "x")[0]
    assert [text for text in texts if text] == ["0.25", "0.5", "1", "2", "4"]


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0.3, 3.5, [0.5, 1, 2]),
        (0.2, 5.0, [0.25, 0.5, 1, 2, 4]),
        (0.001, 1000.0, [0.001, 0.01, 0.1, 1, 10, 100, 1000]),
        (1e-8, 1e8, [1e-8, 1e-6, 1e-4, 0.01, 1, 100, 1e4, 1e6, 1e8]),
        (0.7, 1.4, [0.8, 1.0, 1.2]),
        (0.9, 1.05, [0.9, 0.95, 1.0, 1.05]),
    ],
)
def test_log_ticks(low: float, high: float, ticks: list[float]) -> None:
    require_matplotlib()
    found = plot.log_ticks(low, high)
    assert found == pytest.approx(ticks)
    assert all(re.fullmatch(r"[0-9.e+-]+", f"{tick:g}") for tick in found)


def test_more_rows_than_a_reader_can_read_are_refused(tmp_path: Path) -> None:
    rows = [_comparison(number, 0.8, 0.6, 1.1) for number in range(plot.MAX_ROWS + 1)]
    out = tmp_path / "huge.png"
    with pytest.raises(
        EvidenceError, match=r"^301 comparisons match; a forest plot draws at most 300"
    ):
        plot.forest_plot(rows, out)
    assert not out.exists()
    require_matplotlib()
    assert plot.forest_plot(rows[: plot.MAX_ROWS], out) == plot.MAX_ROWS
    assert out.exists()
