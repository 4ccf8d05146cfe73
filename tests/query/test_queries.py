"""Query commands on the seed data: filters combine, formats are machine-readable."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, select, update

from evidencedb.enums import AE_GRADES
from evidencedb.operations.import_ctgov import import_ctgov
from evidencedb.query import facts
from evidencedb.query.filters import FactFilters
from evidencedb.store.database import reading, writing
from evidencedb.store.fact_models import AdverseEvent
from evidencedb.store.models import Endpoint
from tests.support.benchmarks import benchmark_module
from tests.support.cli import run_cli
from tests.support.databases import TestDatabase

BLINATUMOMAB = "blinatumomab-infant-kmt2a-all"


def _json(*args: str, db: TestDatabase) -> list[dict[str, object]]:
    outcome = run_cli(*args, "--format", "json", db=db)
    assert outcome.exit_code == 0, outcome.stderr
    rows = json.loads(outcome.stdout)
    assert isinstance(rows, list)
    return rows


def test_reviewers_question_two_year_os_of_cd19_therapy(loaded: TestDatabase) -> None:
    """Every 2-year overall-survival result of CD19-directed therapy, with its quote."""
    rows = _json(
        "results",
        "--intervention",
        "CD19",
        "--endpoint-kind",
        "overall_survival",
        "--timepoint",
        "2",
        "--timepoint-unit",
        "years",
        db=loaded,
    )
    assert [(row["arm_key"], row["value"]) for row in rows] == [("blinatumomab", 93.3)]
    assert rows[0]["quote"] == "Corresponding values for overall survival were 93.3%"
    assert rows[0]["ci_lower"] is None  # NULL is null, numbers are numbers


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((), 10),
        (("--trial", BLINATUMOMAB), 10),
        (("--trial", "interfant-06"), 0),
        (("--arm-role", "historical_control"), 2),
        (("--endpoint-kind", "disease_free_survival", "--arm-role", "experimental"), 1),
        (("--endpoint-role", "primary"), 1),
        (("--timepoint", "2"), 5),
        (("--intervention", "interfant-06-chemotherapy"), 7),
        (("--intervention", "bispecific"), 5),
        (("--condition", "KMT2A"), 10),
        (("--text", "no such words"), 0),
        (("--source", "news-blinatumomab-infant-all"), 10),
    ],
)
def test_result_filters_combine(
    loaded: TestDatabase, filters: tuple[str, ...], expected: int
) -> None:
    assert len(_json("results", *filters, db=loaded)) == expected


def test_trials_filters(loaded: TestDatabase) -> None:
    assert [row["key"] for row in _json("trials", db=loaded)] == [BLINATUMOMAB, "interfant-06"]
    assert [row["key"] for row in _json("trials", "--design", "single_arm", db=loaded)] == [
        BLINATUMOMAB
    ]
    assert (
        _json("trials", "--intervention", "CD19", "--text", "infants", db=loaded)[0]["enrollment"]
        == 30
    )
    assert _json("trials", "--registry-id", "NCT00000000", db=loaded) == []
    assert _json("trials", "--phase", "phase_3", db=loaded) == []


def test_adverse_event_filters(loaded: TestDatabase) -> None:
    serious = _json("adverse-events", "--serious", db=loaded)
    assert [(row["term"], row["event_count"]) for row in serious] == [
        ("Serious adverse events (all terms)", 10)
    ]
    assert _json("adverse-events", "--non-serious", db=loaded) == []
    assert _json("adverse-events", "--min-grade", "3", db=loaded) == []  # not graded
    assert (
        len(_json("adverse-events", "--term", "serious", "--arm", "blinatumomab", db=loaded)) == 1
    )


def test_unknown_enum_in_a_filter_is_a_usage_error(loaded: TestDatabase) -> None:
    outcome = run_cli("results", "--endpoint-kind", "survival", db=loaded)
    assert outcome.exit_code == 2


def test_comparisons_json(loaded: TestDatabase) -> None:
    rows = _json("comparisons", "--trial", BLINATUMOMAB, "--origin", "reported", db=loaded)
    assert {row["endpoint_key"] for row in rows} == {"dfs-2y", "os-2y"}
    assert all(row["randomized"] is False for row in rows)
    assert all(row["comparator_role"] == "historical_control" for row in rows)


def test_trial_in_full(loaded: TestDatabase) -> None:
    [detail] = _json("trial", BLINATUMOMAB, db=loaded)
    assert detail["enrollment"] == 30
    assert {source["relation"] for source in detail["sources"]} == {
        "primary_report",
        "news_report",
    }
    arms = {arm["key"]: arm for arm in detail["arms"]}
    assert arms["interfant-06-historical-control"]["source_trial"] == "interfant-06"
    assert [i["intervention"] for i in arms["blinatumomab"]["interventions"]] == [
        "blinatumomab",
        "interfant-06-chemotherapy",
    ]
    assert len(detail["endpoints"]) == 8
    assert len(detail["results"]) == 10
    assert detail["adverse_events"][0]["event_count"] == 10
    table = run_cli("trial", BLINATUMOMAB, db=loaded)
    assert table.exit_code == 0
    assert "endpoints" in table.stdout
    assert "results" in table.stdout
    assert "single_arm" in table.stdout
    missing = run_cli("trial", "no-such-trial", db=loaded)
    assert missing.exit_code == 1
    assert (
        missing.stderr
        == "error: no trial with key 'no-such-trial'; `evidencedb trials` lists them\n"
    )


def test_csv_format_and_columns(loaded: TestDatabase) -> None:
    outcome = run_cli(
        "results",
        "--endpoint-kind",
        "disease_free_survival",
        "--columns",
        "arm_key,value,unit",
        "--format",
        "csv",
        db=loaded,
    )
    assert outcome.exit_code == 0
    assert list(csv.reader(io.StringIO(outcome.stdout))) == [
        ["arm_key", "value", "unit"],
        ["blinatumomab", "81.6", "%"],
        ["interfant-06-historical-control", "49.4", "%"],
    ]
    wrong = run_cli("results", "--columns", "value,nope", db=loaded)
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith("error: unknown column(s) nope")


def test_injection_strings_are_data(loaded: TestDatabase) -> None:
    hostile = ["' OR 1=1 --", "x'; DROP TABLE results; --", "%", "_", "\\", '"; SELECT 1; --']
    for value in hostile:
        for option in ("--trial", "--intervention", "--source"):
            assert _json("results", option, value, db=loaded) == []
        assert _json("adverse-events", "--term", value, db=loaded) == []
        assert _json("trials", "--registry-id", value, db=loaded) == []
    # Word filters: each word is data too, wildcards included ("%" is a percent sign).
    for value in ["'OR'1'='1'--", "x';DROP", "%%", "_x_", "\\", '";SELECT']:
        for option in ("--condition", "--text"):
            assert _json("results", option, value, db=loaded) == []
    percent = _json("results", "--text", "%", db=loaded)
    assert percent
    assert all("%" in str(row["quote"]) for row in percent)
    assert len(_json("results", db=loaded)) == 10


@pytest.fixture
def corpus(database: TestDatabase, tmp_path: Path) -> TestDatabase:
    """A small synthetic registry corpus (benchmarks/corpus.py) with grades given to some of
    its adverse events and timepoints to some endpoints, so that every filter keeps some rows
    and drops others."""
    written = benchmark_module("corpus").write_corpus(tmp_path / "corpus", 16)
    with writing(database.url) as connection:
        import_ctgov(connection, [written.folder])
    with writing(database.url) as connection:
        ids = connection.scalars(select(AdverseEvent.id)).all()
        grades = ["", *AE_GRADES]
        connection.execute(
            update(AdverseEvent)
            .where(AdverseEvent.id == bindparam("event"))
            .values(grade=bindparam("grade")),
            [{"event": id_, "grade": grades[id_ % len(grades)]} for id_ in ids],
        )
        ids = connection.scalars(select(Endpoint.id)).all()
        units = [None, "weeks", "Months", "years"]
        connection.execute(
            update(Endpoint)
            .where(Endpoint.id == bindparam("endpoint"))
            .values(timepoint_value=bindparam("value"), timepoint_unit=bindparam("unit")),
            [
                {"endpoint": id_, "value": id_ % 3 or None, "unit": units[id_ % len(units)]}
                for id_ in ids
            ],
        )
    return database


def _grade_floor(grade: str) -> int:
    """'3', '>=3' and the range '3-4' all start at grade 3; '' is ungraded."""
    return int(grade.removeprefix(">=")[0]) if grade else 0


VIEWS: tuple[facts.FactView, ...] = tuple(facts.FACT_VIEWS)
# Each fact filter: the views it applies to, and whether a row of the unfiltered view passes.
Check = Callable[[Mapping[str, Any], Any], bool]
FILTERS: dict[str, tuple[tuple[facts.FactView, ...], Check]] = {
    "trial": (VIEWS, lambda row, value: row["trial_key"] == value),
    "arm": (VIEWS, lambda row, value: row["arm_key"] == value),
    "source": (VIEWS, lambda row, value: row["source_key"] == value),
    "arm_role": (
        ("results_flat", "adverse_events_flat"),
        lambda row, value: row["arm_role"] == value,
    ),
    "endpoint": (
        ("results_flat", "comparisons_flat"),
        lambda row, value: row["endpoint_key"] == value,
    ),
    "endpoint_kind": (
        ("results_flat", "comparisons_flat"),
        lambda row, value: row["endpoint_kind"] == value,
    ),
    "endpoint_role": (("results_flat",), lambda row, value: row["endpoint_role"] == value),
    "timepoint": (("results_flat",), lambda row, value: row["timepoint_value"] == value),
    "timepoint_unit": (
        ("results_flat",),
        lambda row, value: (row["timepoint_unit"] or "").lower() == value.lower(),
    ),
    "measure": (("comparisons_flat",), lambda row, value: row["measure"] == value),
    "origin": (("comparisons_flat",), lambda row, value: row["origin"] == value),
    "serious": (
        ("adverse_events_flat",),
        lambda row, value: row["category"] == ("serious" if value else "non_serious"),
    ),
    "event_category": (("adverse_events_flat",), lambda row, value: row["category"] == value),
    "min_grade": (
        ("adverse_events_flat",),
        lambda row, value: _grade_floor(row["grade"]) >= value,
    ),
    "term": (
        ("adverse_events_flat",),
        lambda row, value: value.lower() in row["term"].lower(),
    ),
}
# The row's column a filter's values are picked from (the filter's own name otherwise).
PICKED_FROM = {
    "trial": "trial_key",
    "arm": "arm_key",
    "source": "source_key",
    "endpoint": "endpoint_key",
    "timepoint": "timepoint_value",
    "min_grade": "grade",
    "event_category": "category",
}


def _picked(view: facts.FactView, name: str, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Values of filter `name` to try: the first, middle and last of the view's, in other case
    where case should not matter, and values of every other kind (serious or not, each grade)."""
    if name == "serious":
        return [True, False]
    if name == "min_grade":
        return [1, 3, 5]
    column = PICKED_FROM.get(name, name)
    distinct = sorted({row[column] for row in rows if row[column] is not None}, key=str)
    found = sorted({distinct[0], distinct[len(distinct) // 2], distinct[-1]}, key=str)
    if name == "timepoint_unit":
        found = [value.upper() for value in found]
    if name == "term":
        found = [value[2:9].upper() for value in found]
    return found


def test_each_fact_filter_keeps_exactly_the_rows_it_describes(corpus: TestDatabase) -> None:
    """One statement is kept per combination of filters and sent with each call's values:
    every value gives the rows of its own definition, in the view's order, through
    fetch_facts and through the statement the export and EXPLAIN use."""
    with reading(corpus.url) as connection:
        for view in VIEWS:
            everything = [dict(row) for row in facts.fetch_facts(connection, view)]
            assert len({row["trial_key"] for row in everything}) > 1
            unset = FactFilters(trial="", term="", endpoint="")  # empty is no filter
            assert [dict(row) for row in facts.fetch_facts(connection, view, unset)] == everything
            for name, (views, keeps) in FILTERS.items():
                if view not in views:
                    continue
                for value in _picked(view, name, everything):
                    filters = FactFilters(**{name: value})
                    expected = [row for row in everything if keeps(row, value)]
                    assert 0 < len(expected) < len(everything) or name == "min_grade", (
                        view,
                        name,
                        value,
                    )
                    fetched = facts.fetch_facts(connection, view, filters)
                    assert [dict(row) for row in fetched] == expected, (view, name, value)
                    statement = facts.fact_statement(view, filters)
                    assert [dict(row) for row in connection.execute(statement).mappings()] == (
                        expected
                    )
                    if name == "trial":
                        continue
                    # With the trial of the middle row too: two filters in one statement.
                    trial = everything[len(everything) // 2]["trial_key"]
                    both = FactFilters(**{name: value, "trial": trial})
                    assert [dict(row) for row in facts.fetch_facts(connection, view, both)] == [
                        row for row in expected if row["trial_key"] == trial
                    ], (view, name, value)


def test_a_filter_given_several_values_keeps_the_rows_of_any(corpus: TestDatabase) -> None:
    """A tuple of values (the forest plot's repeatable options) keeps the rows that match any
    of them, in the view's order, through fetch_facts and fact_statement; an empty tuple is
    no filter."""
    view: facts.FactView = "comparisons_flat"
    with reading(corpus.url) as connection:
        everything = [dict(row) for row in facts.fetch_facts(connection, view)]
        trials = sorted({row["trial_key"] for row in everything})[:2]
        measures = sorted({str(row["measure"]) for row in everything})[:2]
        for name, column, values in (
            ("trial", "trial_key", trials),
            ("measure", "measure", measures),
        ):
            filters = FactFilters(**{name: tuple(values)})
            expected = [row for row in everything if row[column] in values]
            assert 0 < len(expected) < len(everything), name
            fetched = facts.fetch_facts(connection, view, filters)
            assert [dict(row) for row in fetched] == expected, name
            statement = facts.fact_statement(view, filters)
            assert [dict(row) for row in connection.execute(statement).mappings()] == expected
        both = FactFilters(trial=tuple(trials), measure=(measures[0],))
        assert [dict(row) for row in facts.fetch_facts(connection, view, both)] == [
            row
            for row in everything
            if row["trial_key"] in trials and row["measure"] == measures[0]
        ]
        unset = FactFilters(trial=(), measure=())
        assert [dict(row) for row in facts.fetch_facts(connection, view, unset)] == everything
