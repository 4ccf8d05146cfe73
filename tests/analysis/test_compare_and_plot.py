"""`evidencedb compare` and `evidencedb plot forest` on the seed data and on a crafted trial."""

from __future__ import annotations

import csv
import io
import json
import struct
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from evidencedb.analysis.contrast import contrast_of
from evidencedb.query.comparisons import comparison_rows
from evidencedb.query.filters import FactFilters
from evidencedb.store.database import reading
from evidencedb.store.fact_models import Comparison
from evidencedb.store.models import table_of
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.environment import IN_CI, SEEDS
from tests.support.seeds import copy_seeds, edit

TRIAL = "blinatumomab-infant-kmt2a-all"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def stored_comparisons(database: TestDatabase) -> list[dict[str, Any]]:
    table = table_of(Comparison)
    with reading(database.url) as connection:
        rows = connection.execute(select(table).order_by(table.c.id))
        return [dict(row._mapping) for row in rows]


def compare_json(database: TestDatabase, *args: str) -> list[dict[str, Any]]:
    outcome = run_cli("compare", TRIAL, "--format", "json", *args, db=database)
    assert outcome.exit_code == 0, outcome.stderr
    rows: list[dict[str, Any]] = json.loads(outcome.stdout)
    return rows


def test_compare_derives_the_dfs_rate_difference(loaded: TestDatabase) -> None:
    rows = compare_json(loaded)
    assert [(row["endpoint_key"], row["measure"]) for row in rows] == [
        ("dfs-2y", "rate_difference"),
        ("os-2y", "rate_difference"),
    ]
    dfs = rows[0]
    assert dfs["value"] == 32.2
    assert (dfs["ci_lower"], dfs["ci_upper"]) == (None, None)
    assert dfs["randomized"] is False
    assert dfs["contrast"] == "non-randomised (historical control)"
    assert (dfs["arm_key"], dfs["comparator_arm_key"]) == (
        "blinatumomab",
        "interfant-06-historical-control",
    )
    assert dfs["note"] == "from 81.6% vs 49.4%; no CIs reported, so no CI"
    assert rows[1]["value"] == 27.5
    assert compare_json(loaded, "--endpoint", "os-2y") == [rows[1]]


def test_comparison_rows_of_several_filter_values(loaded: TestDatabase) -> None:
    """The forest plot's repeatable options select the rows of any of their values, with each
    arm's role and whether it was taken from another trial (what the contrast is told by)."""
    with reading(loaded.url) as connection:
        everything = comparison_rows(connection)
        measures = ("rate_difference", "hazard_ratio")
        chosen = comparison_rows(connection, FactFilters(trial=(TRIAL, "nope"), measure=measures))
    assert chosen == [row for row in everything if row["measure"] in measures]
    assert {row["measure"] for row in chosen} == {"rate_difference"}
    dfs = next(row for row in chosen if row["endpoint_key"] == "dfs-2y")
    assert (dfs["arm_role"], dfs["arm_from_other_trial"]) == ("experimental", False)
    assert (dfs["comparator_role"], dfs["comparator_from_other_trial"]) == (
        "historical_control",
        True,
    )
    assert contrast_of(dfs) == "non-randomised (historical control)"


def test_derived_rows_are_stored_beside_the_reported_ones(loaded: TestDatabase) -> None:
    rows = stored_comparisons(loaded)
    origins = sorted((str(row["origin"]), str(row["measure"])) for row in rows)
    assert origins == [
        ("derived", "rate_difference"),
        ("derived", "rate_difference"),
        ("reported", "other"),
        ("reported", "other"),
    ]
    derived = [row for row in rows if row["origin"] == "derived"]
    assert {row["value"] for row in derived} == {32.2, 27.5}
    assert all(row["randomized"] is False for row in derived)
    assert all(" | " in row["quote"] for row in derived)  # both results' words, for lineage


def test_reported_and_derived_side_by_side_in_comparisons_and_csv(loaded: TestDatabase) -> None:
    listed = run_cli("comparisons", "--trial", TRIAL, "--format", "csv", db=loaded)
    exported = run_cli("export", "csv", "comparisons_flat", db=loaded)
    for outcome in (listed, exported):
        assert outcome.exit_code == 0, outcome.stderr
        rows = list(csv.DictReader(io.StringIO(outcome.stdout)))
        pairs = sorted((row["endpoint_key"], row["origin"], row["measure"]) for row in rows)
        assert pairs == [
            ("dfs-2y", "derived", "rate_difference"),
            ("dfs-2y", "reported", "other"),
            ("os-2y", "derived", "rate_difference"),
            ("os-2y", "reported", "other"),
        ]
        derived = [row for row in rows if row["origin"] == "derived"]
        assert {(row["value"], row["randomized"]) for row in derived} == {
            ("32.2", "false"),
            ("27.5", "false"),
        }


def test_reload_does_not_duplicate_derived_rows(loaded: TestDatabase, tmp_path: Path) -> None:
    before = stored_comparisons(loaded)
    again = run_cli("load", "seeds", db=loaded)
    assert again.exit_code == 0, again.stderr
    assert "nothing changed" in again.stderr
    assert stored_comparisons(loaded) == before


def test_edited_result_updates_its_derived_row(database: TestDatabase, tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path)
    assert run_cli("load", str(seeds), db=database).exit_code == 0
    before = {row["id"]: row for row in stored_comparisons(database)}
    main = seeds / f"{TRIAL}.yaml"
    edit(main, "    value: 81.6\n", "    value: 85\n")
    edit(main, "Two-year disease-free survival was 81.6%", "Two-year disease-free survival")
    outcome = run_cli("load", str(seeds), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert "comparisons +0 ~1 -0" in outcome.stderr
    after = {row["id"]: row for row in stored_comparisons(database)}
    assert after.keys() == before.keys()  # updated in place, no duplicate
    [changed] = [row for key, row in after.items() if row != before[key]]
    assert changed["value"] == 35.6
    assert changed["note"] == "from 85% vs 49.4%; no CIs reported, so no CI"


def test_compare_table_and_csv(loaded: TestDatabase) -> None:
    table = run_cli("compare", TRIAL, db=loaded)
    assert table.exit_code == 0, table.stderr
    assert "32.2" in table.stdout
    assert "27.5" in table.stdout
    text = run_cli("compare", TRIAL, "--format", "csv", db=loaded)
    rows = list(csv.DictReader(io.StringIO(text.stdout)))
    assert [(row["endpoint_key"], row["value"], row["randomized"]) for row in rows] == [
        ("dfs-2y", "32.2", "false"),
        ("os-2y", "27.5", "false"),
    ]


def test_compare_unknown_keys(loaded: TestDatabase) -> None:
    outcome = run_cli("compare", "no-such-trial", db=loaded)
    assert outcome.exit_code == 1
    assert outcome.stderr == "error: no trial 'no-such-trial'; `evidencedb trials` lists them\n"
    outcome = run_cli("compare", TRIAL, "--endpoint", "nope", db=loaded)
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith(f"error: trial '{TRIAL}' has no endpoint 'nope'; it has: ")


def test_compare_a_trial_without_contrasts(loaded: TestDatabase) -> None:
    outcome = run_cli("compare", "interfant-06", "--format", "json", db=loaded)
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout) == []
    assert "no derived comparisons for interfant-06" in outcome.stderr


def require_matplotlib() -> None:
    """matplotlib is the optional `plot` extra: skip without it, except under CI=true."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        message = "matplotlib is not installed (pip install -e '.[plot]')"
        if IN_CI:
            pytest.fail(f"{message}; required under CI=true")
        pytest.skip(message)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"  # the first chunk of every PNG
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_forest_plot_of_the_seed_data(loaded: TestDatabase, tmp_path: Path) -> None:
    require_matplotlib()
    out = tmp_path / "forest.png"
    outcome = run_cli("plot", "forest", "--trial", TRIAL, "--out", str(out), db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr == (f"wrote {out}: 2 comparison(s); 2 without an estimate left out\n")
    data = out.read_bytes()
    width, height = png_size(data)
    assert width > 300
    assert height > 100
    assert len(data) > 5_000

    svg = tmp_path / "forest.svg"
    outcome = run_cli("plot", "forest", "--origin", "derived", "--out", str(svg), db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml")
    assert "<svg" in text
    assert text.rstrip().endswith("</svg>")


def test_forest_plot_errors(loaded: TestDatabase, tmp_path: Path) -> None:
    outcome = run_cli("plot", "forest", "--out", str(tmp_path / "f.pdf"), db=loaded)
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        f"error: cannot tell the image format of {tmp_path / 'f.pdf'}: name it .png or .svg\n"
    )
    outcome = run_cli(
        "plot", "forest", "--measure", "hazard_ratio", "--out", str(tmp_path / "f.png"), db=loaded
    )
    assert outcome.exit_code == 1
    assert outcome.stderr == "error: no comparison with an estimate matches; nothing to plot\n"
    assert not (tmp_path / "f.png").exists()


def test_forest_plot_without_matplotlib(
    loaded: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes an import fail as if the package were not installed; every
    # submodule too, since an earlier test may have imported them.
    for name in [name for name in sys.modules if name.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    outcome = run_cli("plot", "forest", "--out", str(tmp_path / "f.png"), db=loaded)
    assert outcome.exit_code == 1
    assert outcome.stderr == "error: plotting needs matplotlib: pip install 'evidencedb[plot]'\n"


def randomised_trial(tmp_path: Path) -> Path:
    """A randomised two-arm trial with counts, and a reported hazard ratio."""
    cited = {"source": "paper", "quote": "q"}
    data = {
        "sources": [{"key": "paper", "kind": "journal_article", "title": "A paper"}],
        "trial": {"key": "rct", "title": "An RCT", "design": "randomized", **cited},
        "arms": [
            {"key": "drug", "label": "Drug", "role": "experimental", **cited},
            {"key": "placebo", "label": "Placebo", "role": "placebo_comparator", **cited},
        ],
        "endpoints": [
            {"key": "cr", "name": "Complete remission", "kind": "complete_remission", **cited},
            {"key": "efs", "name": "Event-free survival", "kind": "event_free_survival", **cited},
        ],
        "results": [
            {"endpoint": "cr", "arm": "drug", "numerator": 45, "denominator": 60, **cited},
            {"endpoint": "cr", "arm": "placebo", "numerator": 30, "denominator": 60, **cited},
        ],
        "comparisons": [
            {
                "endpoint": "efs",
                "arm": "drug",
                "comparator": "placebo",
                "measure": "hazard_ratio",
                "value": 0.62,
                "ci_lower": 0.41,
                "ci_upper": 0.93,
                "randomized": True,
                **cited,
            },
        ],
    }
    path = tmp_path / "rct.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_compare_and_plot_a_randomised_trial(database: TestDatabase, tmp_path: Path) -> None:
    require_matplotlib()
    outcome = run_cli("load", str(randomised_trial(tmp_path)), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    rows = json.loads(run_cli("compare", "rct", "--format", "json", db=database).stdout)
    measures = [row["measure"] for row in rows]
    assert measures == ["risk_difference", "risk_ratio", "odds_ratio", "number_needed_to_treat"]
    assert {row["contrast"] for row in rows} == {"randomised"}
    assert rows[0]["value"] == pytest.approx(0.25)
    assert rows[1]["value"] == pytest.approx(1.5)
    assert rows[3]["measure_label"] == "NNTB (benefit)"
    out = tmp_path / "rct.png"
    outcome = run_cli("plot", "forest", "--trial", "rct", "--out", str(out), db=database)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr == f"wrote {out}: 5 comparison(s)\n"
    png_size(out.read_bytes())


@pytest.mark.parametrize(
    "command", [("compare",), ("check",), ("plot",), ("plot", "forest")], ids=" ".join
)
def test_help_says_what_and_gives_an_example(command: tuple[str, ...]) -> None:
    outcome = run_cli(*command, "--help")
    assert outcome.exit_code == 0
    assert "Example: evidencedb " in outcome.stdout


def test_plot_and_export_create_a_missing_folder_alike(
    sqlite_database: TestDatabase, tmp_path: Path
) -> None:
    assert run_cli("load", str(SEEDS), db=sqlite_database).exit_code == 0
    image = tmp_path / "figures" / "new" / "forest.svg"
    table = tmp_path / "tables" / "new" / "results.csv"
    plotted = run_cli("plot", "forest", "--out", str(image), db=sqlite_database)
    exported = run_cli("export", "csv", "results_flat", "--out", str(table), db=sqlite_database)
    assert (plotted.exit_code, exported.exit_code) == (0, 0), plotted.stderr + exported.stderr
    assert image.read_text(encoding="utf-8").rstrip().endswith("</svg>")
    assert table.read_text(encoding="utf-8").startswith("trial_key,")
    # A parent that is a file: one line each, exit 1.
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    for args, out in (
        (("plot", "forest"), blocker / "forest.svg"),
        (("export", "csv", "results_flat"), blocker / "results.csv"),
    ):
        outcome = run_cli(*args, "--out", str(out), db=sqlite_database)
        assert outcome.exit_code == 1
        assert outcome.stderr == f"error: cannot write {out}: {blocker} is not a folder\n"
