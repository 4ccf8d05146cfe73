"""The database itself refuses impossible rows: CHECK, FOREIGN KEY, UNIQUE, NOT NULL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from evidencedb.store.database import open_engine
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import Arm, Endpoint, Trial
from evidencedb.store.source_models import Source
from tests.support.databases import TestDatabase


def _ids(connection: Connection) -> dict[str, int]:
    def one(statement: Any) -> int:
        return int(connection.execute(statement).scalar_one())

    ids = {
        "trial": one(select(Trial.id).where(Trial.key == "blinatumomab-infant-kmt2a-all")),
        "other_trial": one(select(Trial.id).where(Trial.key == "interfant-06")),
        "arm": one(select(Arm.id).where(Arm.key == "blinatumomab")),
        "endpoint": one(select(Endpoint.id).where(Endpoint.key == "dfs-2y")),
        "source": one(select(Source.id).where(Source.key == "news-blinatumomab-infant-all")),
    }
    connection.rollback()  # end the read so each test can open its own transactions
    return ids


def _result(ids: dict[str, int], **values: Any) -> dict[str, Any]:
    row = {
        "trial_id": ids["trial"],
        "endpoint_id": ids["endpoint"],
        "arm_id": ids["arm"],
        "subgroup": "constraint test",
        "category": "",
        "source_id": ids["source"],
    }
    return row | values


RESULT_VIOLATIONS = {
    "numerator above denominator": {"numerator": 5, "denominator": 4},
    "negative numerator": {"numerator": -1},
    "negative denominator": {"denominator": -3},
    "percentage above 100": {"value": 120.0, "unit": "%"},
    "ci bound outside percentage": {"value": 50.0, "unit": "%", "ci_lower": -1.0},
    "ci reversed": {"ci_lower": 2.0, "ci_upper": 1.0},
    "ci level of 95": {"ci_level": 95.0},
    "ci level of 0": {"ci_level": 0.0},
    "negative n analysed": {"n_analyzed": -2},
    "unknown qualifier": {"value_qualifier": "about"},
    "arm of another trial": {"trial_id": "other"},
    "missing source": {"source_id": None},
}


@pytest.mark.parametrize("violation", sorted(RESULT_VIOLATIONS))
def test_results_refused(loaded: TestDatabase, violation: str) -> None:
    with open_engine(loaded.url, write=True) as engine, engine.connect() as connection:
        ids = _ids(connection)
        values = dict(RESULT_VIOLATIONS[violation])
        if values.get("trial_id") == "other":
            values["trial_id"] = ids["other_trial"]
        row = _result(ids, **values)
        if "value_qualifier" in values:
            # Bypass SQLAlchemy's own enum check to prove the database refuses it too.
            table = Result.__table__
            columns = ", ".join(row)
            marks = ", ".join(f":{c}" for c in row)
            statement: Any = text(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})")
            parameters = row
        else:
            statement, parameters = insert(Result), row
        with pytest.raises((IntegrityError, StatementError)), connection.begin():
            connection.execute(statement, parameters)
        with connection.begin():
            connection.execute(insert(Result), _result(ids, value=81.6, unit="%"))


def test_a_valid_row_is_accepted(loaded: TestDatabase) -> None:
    with open_engine(loaded.url, write=True) as engine, engine.connect() as connection:
        ids = _ids(connection)
        with connection.begin():
            connection.execute(
                insert(Result),
                _result(ids, value=50.0, unit="%", numerator=3, denominator=6, ci_level=0.95),
            )
        assert connection.execute(select(Result.id).where(Result.numerator == 3)).all()


OTHER_VIOLATIONS: dict[str, tuple[Any, dict[str, Any]]] = {
    "p above 1": (Comparison, {"measure": "risk_difference", "p_value": 1.5}),
    "hazard ratio of 0": (Comparison, {"measure": "hazard_ratio", "value": 0.0}),
    "affected above at risk": (
        AdverseEvent,
        {"participants_affected": 4, "participants_at_risk": 3},
    ),
    "grade 6": (AdverseEvent, {"grade": "6"}),
    "grade range reversed": (AdverseEvent, {"grade": "4-3"}),
    "percentage of participants above 100": (
        AdverseEvent,
        {"participants_affected_percent": 100.5},
    ),
    "negative percentage of participants": (
        AdverseEvent,
        {"participants_affected_percent": -1.0},
    ),
    "negative event count": (AdverseEvent, {"event_count": -1}),
    "duplicate natural key": (AdverseEvent, {"term": "Serious adverse events (all terms)"}),
}


@pytest.mark.parametrize("violation", sorted(OTHER_VIOLATIONS))
def test_comparisons_and_adverse_events_refused(loaded: TestDatabase, violation: str) -> None:
    model, values = OTHER_VIOLATIONS[violation]
    with open_engine(loaded.url, write=True) as engine, engine.connect() as connection:
        ids = _ids(connection)
        row: dict[str, Any] = {
            "trial_id": ids["trial"],
            "arm_id": ids["arm"],
            "source_id": ids["source"],
        }
        if model is Comparison:
            row |= {"endpoint_id": ids["endpoint"], "origin": "reported"}
        else:
            row |= {"term": "Fever", "category": "serious"}
        with pytest.raises(IntegrityError), connection.begin():
            connection.execute(insert(model), row | values)


BASELINE_AND_FLOW_VIOLATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "negative baseline n": ("baseline_measurements", {"n": -1}),
    "baseline arm of another trial": ("baseline_measurements", {"trial_id": "other"}),
    "baseline without characteristic": ("baseline_measurements", {"characteristic": None}),
    "negative flow count": ("participant_flow", {"count": -5}),
    "unknown flow kind": ("participant_flow", {"kind": "dropout"}),
    "flow without label": ("participant_flow", {"label": None}),
}


@pytest.mark.parametrize("violation", sorted(BASELINE_AND_FLOW_VIOLATIONS))
def test_baseline_and_flow_refused(loaded: TestDatabase, violation: str) -> None:
    table, values = BASELINE_AND_FLOW_VIOLATIONS[violation]
    with open_engine(loaded.url, write=True) as engine, engine.connect() as connection:
        ids = _ids(connection)
        row: dict[str, Any] = {"trial_id": ids["trial"], "arm_id": ids["arm"]}
        row["source_id"] = ids["source"]
        if table == "baseline_measurements":
            row |= {"characteristic": "Age", "class": "", "category": ""}
        else:
            row |= {"period": "Overall Study", "kind": "milestone", "label": "STARTED"}
        valid = dict(row)
        row |= values
        if row["trial_id"] == "other":
            row["trial_id"] = ids["other_trial"]
        # Plain SQL: the database, not SQLAlchemy's enum check, must refuse the row.
        columns = ", ".join(f'"{name}"' for name in row)
        marks = ", ".join(f":{name}" for name in row)
        statement = text(f"INSERT INTO {table} ({columns}) VALUES ({marks})")
        with pytest.raises(IntegrityError), connection.begin():
            connection.execute(statement, row)
        columns = ", ".join(f'"{name}"' for name in valid)
        marks = ", ".join(f":{name}" for name in valid)
        accepted = text(f"INSERT INTO {table} ({columns}) VALUES ({marks})")
        with connection.begin():  # the same row without the violation is accepted
            connection.execute(accepted, valid)
