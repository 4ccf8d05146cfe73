"""CSV export: every file of the contract, values as stored, formulas neutralised, and the
flat views agreeing with the tables."""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencedb.query.cells import PLAIN_NUMBER, csv_cell
from evidencedb.query.export import export_names, write_select
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase
from tests.support.seeds import copy_seeds, edit

CONTRACT = {
    "results_flat": (
        "trial_key, trial_title, registry_ids, arm_key, arm_label, arm_role, endpoint_key, "
        "endpoint_name, endpoint_kind, endpoint_role, timepoint_value, timepoint_unit, subgroup, "
        "category, value, unit, numerator, denominator, ci_lower, ci_upper, ci_level, source_key, "
        "source_doi, quote"
    ),
    "comparisons_flat": (
        "trial_key, endpoint_key, endpoint_kind, arm_key, comparator_arm_key, comparator_role, "
        "measure, value, ci_lower, ci_upper, ci_level, p_value, origin, randomized, source_key, "
        "quote"
    ),
    "adverse_events_flat": (
        "trial_key, arm_key, arm_label, arm_role, term, category, grade, organ_system, "
        "participants_affected, participants_at_risk, event_count, source_key, quote"
    ),
}
TABLES = [
    "baseline_measurements",
    "participant_flow",
    "sources",
    "trials",
    "trial_identifiers",
    "trial_sources",
    "interventions",
    "arms",
    "arm_interventions",
    "endpoints",
    "results",
    "comparisons",
    "adverse_events",
    "trial_versions",
    "meta_analyses",
    "meta_analysis_studies",
]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def exported(loaded: TestDatabase, tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    outcome = run_cli("export", "csv", "--out", str(folder), db=loaded)
    assert outcome.exit_code == 0, outcome.stderr
    written = f"wrote {len(export_names())} CSV files and datapackage.json to {folder}/"
    assert outcome.stderr.startswith(written)
    return folder


def test_every_file_of_the_contract(exported: Path) -> None:
    names = {path.stem for path in exported.glob("*.csv")}
    assert names == {*TABLES, *CONTRACT, "data_dictionary"}
    for name, columns in CONTRACT.items():
        with (exported / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        expected = columns.split(", ")
        assert header[: len(expected)] == expected  # columns may be added, never renamed


def test_values_as_stored_and_null_as_empty(exported: Path) -> None:
    rows = _read(exported / "results_flat.csv")
    dfs = {row["arm_key"]: row for row in rows if row["endpoint_key"] == "dfs-2y"}
    assert dfs["blinatumomab"]["value"] == "81.6"
    assert dfs["interfant-06-historical-control"]["value"] == "49.4"
    assert dfs["blinatumomab"]["ci_lower"] == ""
    assert dfs["blinatumomab"]["quote"] == "Two-year disease-free survival was 81.6%"
    efs = next(row for row in rows if row["endpoint_key"] == "efs-3y-background")
    assert (efs["value_qualifier"], efs["value"]) == ("<", "40.0")
    raw = (exported / "results_flat.csv").read_bytes()
    assert raw.count(b"\r\n") == len(rows) + 1  # RFC 4180 line endings, one per record


def test_flat_views_agree_with_tables(exported: Path) -> None:
    results = _read(exported / "results.csv")
    flat = _read(exported / "results_flat.csv")
    assert len(flat) == len(results)
    arms = {row["id"]: row for row in _read(exported / "arms.csv")}
    endpoints = {row["id"]: row for row in _read(exported / "endpoints.csv")}
    sources = {row["id"]: row for row in _read(exported / "sources.csv")}
    for table_row, flat_row in zip(results, flat, strict=True):
        assert flat_row["arm_key"] == arms[table_row["arm_id"]]["key"]
        assert flat_row["endpoint_key"] == endpoints[table_row["endpoint_id"]]["key"]
        assert flat_row["source_key"] == sources[table_row["source_id"]]["key"]
        for column in ("value", "unit", "numerator", "denominator", "quote", "subgroup"):
            assert flat_row[column] == table_row[column]
    assert len(_read(exported / "comparisons_flat.csv")) == len(_read(exported / "comparisons.csv"))
    events = _read(exported / "adverse_events_flat.csv")
    assert [row["event_count"] for row in events] == ["10"]


def test_data_dictionary_describes_every_column(exported: Path) -> None:
    dictionary = _read(exported / "data_dictionary.csv")
    described = {(row["name"], row["column"]) for row in dictionary}
    for name in [*TABLES, *CONTRACT]:
        with (exported / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert {(name, column) for column in header} <= described
    assert all(row["description"] for row in dictionary), "every column needs a description"
    value = next(r for r in dictionary if (r["name"], r["column"]) == ("results", "value"))
    assert (value["type"], value["nullable"]) == ("number", "yes")
    role = next(r for r in dictionary if (r["name"], r["column"]) == ("arms", "role"))
    assert role["type"].startswith("enum: experimental | active_comparator")


def test_formula_cells_are_neutralised(database: TestDatabase, tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path)
    main = seeds / "blinatumomab-infant-kmt2a-all.yaml"
    edit(
        main,
        '    note: The report says "all patients"; their number is not given.\n',
        '    note: =HYPERLINK("http://evil.example","x")\n',
    )
    edit(
        main, "    subgroup: Patients who continued chemotherapy\n", '    subgroup: "@SUM(A1:A2)"\n'
    )
    edit(main, "    unit: toxic effects\n", '    unit: "-5+3"\n')
    assert run_cli("load", str(seeds), db=database).exit_code == 0
    out = tmp_path / "results.csv"
    assert run_cli("export", "csv", "results_flat", "--out", str(out), db=database).exit_code == 0
    rows = _read(out)
    mrd = next(row for row in rows if row["endpoint_key"] == "mrd-negative-further-treatment")
    assert mrd["note"] == '\'=HYPERLINK("http://evil.example","x")'
    assert mrd["subgroup"] == "'@SUM(A1:A2)"
    safety = next(row for row in rows if row["endpoint_key"] == "primary-safety")
    assert safety["unit"] == "'-5+3"


def test_one_export_to_stdout(loaded: TestDatabase) -> None:
    outcome = run_cli("export", "csv", "adverse_events", db=loaded)
    assert outcome.exit_code == 0
    assert outcome.stdout.splitlines()[0].startswith("id,trial_id,arm_id,term")
    unknown = run_cli("export", "csv", "nope", db=loaded)
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: nothing to export named 'nope'; choose from: sources")


def test_export_replaces_a_symlink_rather_than_following_it(
    loaded: TestDatabase, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "results.csv").symlink_to(victim)
    assert run_cli("export", "csv", "--out", str(folder), db=loaded).exit_code == 0
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (folder / "results.csv").is_symlink()


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_exported_files_have_the_permissions_the_umask_gives(
    sqlite_database: TestDatabase, tmp_path: Path, umask: int, mode: int
) -> None:
    folder = tmp_path / "out"
    previous = os.umask(umask)
    try:
        outcome = run_cli("export", "csv", "--out", str(folder), db=sqlite_database)
        single = run_cli(
            "export", "csv", "trials", "--out", str(tmp_path / "t.csv"), db=sqlite_database
        )
    finally:
        os.umask(previous)
    assert outcome.exit_code == 0, outcome.stderr
    assert single.exit_code == 0, single.stderr
    written = [*folder.iterdir(), tmp_path / "t.csv"]
    assert {path.name: path.stat().st_mode & 0o777 for path in written} == {
        path.name: mode for path in written
    }


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (81.6, "81.6"),
        (-3.5, "-3.5"),
        ("-3.5", "-3.5"),
        ("-", "'-"),
        ("=1+1", "'=1+1"),
        ("+1 SUM()", "'+1 SUM()"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (True, "true"),
        (7, "7"),
        ("plain", "plain"),
    ],
)
def test_csv_cell(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


@given(st.text())
def test_no_text_cell_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(cell)  # only a plain number may keep such a first character


# The database computes the export's cells (cells.csv_ready); they must be what csv_cell
# writes for the same values, whatever the values, and the file what csv.writer writes.

_CELL_TYPES = sa.Table(
    "csv_cells",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text),
    sa.Column("number", sa.Double),
    sa.Column("whole", sa.Integer),
    sa.Column("flag", sa.Boolean),
    # An enumeration whose values need no preparing, and one whose values do.
    sa.Column("plain", sa.Enum("alpha", "beta_gamma", name="plain", native_enum=False)),
    sa.Column("awkward", sa.Enum("-minus", "a,b", 'say "x"', name="awkward", native_enum=False)),
)
_STORABLE_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
_FORMULA_LIKE = st.sampled_from(["=", "+", "-", "@", "\t", "\r", ""]).flatmap(
    lambda start: st.one_of(
        _STORABLE_TEXT,
        st.from_regex(PLAIN_NUMBER),
    ).map(lambda rest: start + rest)
)
_ROW = st.tuples(
    st.one_of(st.none(), _STORABLE_TEXT, _FORMULA_LIKE),
    st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=True, width=64)),
    st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.sampled_from(["alpha", "beta_gamma"])),
    st.one_of(st.none(), st.sampled_from(["-minus", "a,b", 'say "x"'])),
)
_CELL_COLUMNS = ("text", "number", "whole", "flag", "plain", "awkward")


@pytest.fixture
def cell_table(database: TestDatabase) -> Iterator[sa.Engine]:
    engine = sa.create_engine(database.url)
    _CELL_TYPES.create(engine)
    try:
        yield engine
    finally:
        _CELL_TYPES.drop(engine)
        engine.dispose()


def _as_stored(number: float | None, backend: str) -> float | None:
    # SQLite keeps no negative zero: it stores -0.0 as 0.
    return 0.0 if backend == "sqlite" and number == 0 else number


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_ROW, min_size=1, max_size=20))
def test_database_cells_are_csv_cells(
    database: TestDatabase, cell_table: sa.Engine, rows: list[tuple[Any, ...]]
) -> None:
    with cell_table.begin() as connection:
        connection.execute(_CELL_TYPES.delete())
        connection.execute(
            _CELL_TYPES.insert(), [dict(zip(_CELL_COLUMNS, row, strict=True)) for row in rows]
        )
        stream = io.StringIO(newline="")
        statement = sa.select(_CELL_TYPES).order_by(_CELL_TYPES.c.id)
        assert write_select(connection, statement, stream) == len(rows)
    text = stream.getvalue()
    written = list(csv.reader(io.StringIO(text, newline="")))
    assert written[0] == ["id", *_CELL_COLUMNS]
    for line, row in zip(written[1:], rows, strict=True):
        cells = line[1:]
        number = _as_stored(row[1], database.backend)
        if database.backend == "postgresql" and number is not None and abs(number) >= 1e15:
            # PostgreSQL's own shortest exact text, whose form may differ from repr()'s here
            assert cells[1] == "" if math.isinf(number) else float(cells[1]) == number
            cells[1] = csv_cell(number)
        assert cells == [csv_cell(number if i == 1 else value) for i, value in enumerate(row)]
    # Quoted exactly where csv.writer quotes, every line ended by CRLF.
    rewritten = io.StringIO(newline="")
    csv.writer(rewritten, lineterminator="\r\n").writerows(written)
    assert text == rewritten.getvalue()
