"""The benchmark runs (at a tiny size: no timing is asserted), and the common filters are
answered through indexes: no full scan of a fact table in SQLite's query plan."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from evidencedb.operations.import_ctgov import import_ctgov
from evidencedb.query import facts
from evidencedb.query.filters import FactFilters
from evidencedb.query.statement import AnySelect
from evidencedb.store.database import reading, writing
from tests.support.benchmarks import benchmark_module
from tests.support.environment import REPO

BENCHMARKS = REPO / "benchmarks"
FULL_SCAN = re.compile(r"^SCAN (results|comparisons|adverse_events)\b")


def test_corpus_is_deterministic_and_maps_without_problems(tmp_path: Path) -> None:
    corpus = benchmark_module("corpus")
    assert corpus.study(3) == corpus.study(3)
    assert corpus.study(3) != corpus.study(4)
    written = corpus.write_corpus(tmp_path / "corpus", 12)
    assert (written.records, written.files) == (12, 1)
    with writing(f"sqlite:///{tmp_path / 'x.db'}") as connection:
        report = import_ctgov(connection, [written.folder])
    assert report.imported == 12
    assert report.load.facts > 12 * 20  # results, comparisons and adverse events


def test_benchmark_runs_and_writes_its_figures(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    command = [sys.executable, str(BENCHMARKS / "run.py"), "--records", "20"]
    command += ["--backends", "sqlite", "--out", str(out), "--workdir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "import, fact rows/s" in done.stdout
    figures = json.loads(out.read_text())
    sqlite = figures["backends"]["sqlite"]
    assert sqlite["import"]["facts"] == sqlite["import_baseline"]["facts"] > 0
    assert sqlite["import_ratio"] > 0
    for name in ("results_flat", "results"):
        export = sqlite["export"][name]
        assert export["library"]["rows"] == sqlite["rows"]["results"]
        assert export["library"]["bytes"] > 0
        assert export["native"]["bytes"] > 0
    assert sqlite["import"]["peak_rss_mb"] > 0
    assert sqlite["reimport"]["unchanged"] == sqlite["import"]["studies"] == 20
    assert sqlite["reimport"]["facts"] == 0
    assert sqlite["reimport_speedup"] > 0
    assert sqlite["export_empty"]["rows"] == 0
    assert {query["query"] for query in sqlite["queries"]} >= {
        "results --trial",
        "results --intervention KEY",
        "results --trial --endpoint-kind",
    }
    assert all(query["plan"] for query in sqlite["queries"])
    pages = {page["page"]: page for page in sqlite["web"]}
    assert {"trial page", "results?trial", "trials (page of 200)"} <= set(pages)
    assert all(page["p95_ms"] >= page["p50_ms"] > 0 for page in pages.values())
    assert pages["results?trial"]["rows"] > 0
    assert "web page (server-side)" in done.stdout
    assert list(tmp_path.glob("evidencedb-bench-*")) == []  # the scratch folder is gone


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("bench")
    # Large enough that an index beats reading a whole fact table: the loader gives SQLite's
    # planner statistics, and with them it rightly scans a table of a few hundred rows. With
    # records as heavy as the registry's, 75 is enough and 50 is not; 150 leaves a margin.
    corpus = benchmark_module("corpus").write_corpus(folder / "corpus", 150)
    url = f"sqlite:///{folder / 'evidence.db'}"
    with writing(url) as connection:
        import_ctgov(connection, [corpus.folder])
    return url


def _filters(url: str) -> list[tuple[str, AnySelect]]:
    """Each documented filter that picks out a few rows, on each fact view."""
    with reading(url) as connection:
        trial_key, trial_id = connection.execute(
            text("SELECT key, id FROM trials ORDER BY id LIMIT 1")
        ).one()
        intervention = connection.execute(
            text(
                "SELECT i.key FROM arm_interventions ai JOIN interventions i "
                "ON i.id = ai.intervention_id WHERE ai.trial_id = :t ORDER BY ai.id LIMIT 1"
            ),
            {"t": trial_id},
        ).scalar()
        source = connection.execute(
            text("SELECT key FROM sources WHERE id = (SELECT source_id FROM trials WHERE id = :t)"),
            {"t": trial_id},
        ).scalar()
    assert intervention is not None
    f = FactFilters
    chosen = {
        "trial": f(trial=trial_key),
        "intervention": f(intervention=intervention),
        "source": f(source=source),
        "trial and endpoint kind": f(trial=trial_key, endpoint_kind="overall_survival"),
        "intervention and endpoint kind": f(
            intervention=intervention, endpoint_kind="overall_survival"
        ),
        "trial and arm role": f(trial=trial_key, arm_role="experimental"),
        "trial and endpoint": f(trial=trial_key, endpoint="primary-1"),
        "trial and timepoint": f(trial=trial_key, timepoint=2),
        "trial and serious": f(trial=trial_key, serious=True),
        "trial and minimum grade": f(trial=trial_key, min_grade=3),
    }
    views = {
        "results": facts.results_flat,
        "comparisons": facts.comparisons_flat,
        "adverse_events": facts.adverse_events_flat,
    }
    return [
        (f"{view} by {name}", build(filters))
        for name, filters in chosen.items()
        for view, build in views.items()
    ]


def test_common_filters_use_indexes_not_full_scans_of_fact_tables(corpus_db: str) -> None:
    scans = {}
    with reading(corpus_db) as connection:
        for name, statement in _filters(corpus_db):
            compiled = statement.compile(
                dialect=connection.dialect, compile_kwargs={"literal_binds": True}
            )
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            found = [row[-1] for row in plan if FULL_SCAN.search(row[-1])]
            if found:
                scans[name] = found
    assert scans == {}


def test_sqlite_export_floor_times_each_step(
    corpus_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    floor = benchmark_module("sqlite_export_floor")
    figures = floor.main([corpus_db.removeprefix("sqlite:///"), "results_flat"])
    assert list(figures) == [
        "sqlite3 -csv",
        "sqlite3 module, fetch only",
        "sqlite3 module, fetch and str-join",
        "evidencedb export",
    ]
    assert all(seconds > 0 for seconds in figures.values())
    assert "results_flat: seconds" in capsys.readouterr().out


def test_cli_startup_compares_help_with_its_floor(capsys: pytest.CaptureFixture[str]) -> None:
    startup = benchmark_module("cli_startup")
    figures = startup.main(["--runs", "1"])
    assert set(figures) == {"import sqlalchemy, typer", "evidencedb --help", "ratio"}
    assert figures["ratio"] == figures["evidencedb --help"] / figures["import sqlalchemy, typer"]
    assert "--help / floor" in capsys.readouterr().out
