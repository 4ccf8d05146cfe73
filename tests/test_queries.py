"""Query commands on the seed data: filters combine, formats are machine-readable."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import TestDatabase, run_cli

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
        for option in ("--trial", "--intervention", "--condition", "--text", "--source"):
            assert _json("results", option, value, db=loaded) == []
        assert _json("adverse-events", "--term", value, db=loaded) == []
        assert _json("trials", "--registry-id", value, db=loaded) == []
    assert len(_json("results", db=loaded)) == 10
