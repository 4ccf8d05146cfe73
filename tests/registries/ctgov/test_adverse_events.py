"""Adverse-event rows of one term in several groups: the first validated in full, the others
copied from it with their own counts checked. They must be exactly what validating each row
would give, and a value only validation can locate is still reported where it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evidencedb.errors import ValidationFailed
from evidencedb.records.facts import AdverseEventRecord
from evidencedb.registries.ctgov.files import StudyInput
from evidencedb.registries.ctgov.mapper import map_study
from tests.registries.ctgov.studies import EDGE

EVENTS = "resultsSection.adverseEventsModule"
STATS = f"{EVENTS}.seriousEvents[0].stats"


def _mapped(study: dict[str, Any]) -> list[AdverseEventRecord]:
    given = StudyInput(str(EDGE), (), study)
    return map_study(given).data.adverse_events


def _edge() -> dict[str, Any]:
    study: dict[str, Any] = json.loads(Path(EDGE).read_text(encoding="utf-8"))
    return study


def test_every_row_is_what_validating_its_fields_gives() -> None:
    study = _edge()
    other = study["resultsSection"]["adverseEventsModule"]["otherEvents"][0]["stats"]
    other[1]["numAffected"] = 100_000  # above the group at risk: kept as text on a copied row
    events = _mapped(study)
    febrile = [e for e in events if e.term == "Febrile neutropenia"]  # one validated, 2 copied
    assert [
        (e.participants_affected, e.participants_at_risk, e.event_count, e.locator) for e in febrile
    ] == [(2, 20, 2, f"{STATS}[0]"), (3, 21, 4, f"{STATS}[1]"), (0, 19, 0, f"{STATS}[2]")]
    assert len({e.arm for e in febrile}) == 3
    assert {(e.vocabulary, e.organ_system, e.note) for e in febrile} == {
        ("MedDRA 25.0", "Blood and lymphatic system disorders", None)
    }
    for event in events:
        given = {name: getattr(event, name) for name in event.model_fields_set}
        validated = AdverseEventRecord.model_validate(given)
        assert list(event.__dict__.items()) == list(validated.__dict__.items())
        assert event.model_fields_set == validated.model_fields_set
    [kept] = [e for e in events if e.participants_affected_raw is not None]
    assert (kept.participants_affected, kept.participants_affected_raw) == (None, "100000")
    assert (kept.participants_at_risk, kept.note) == (19, "non-systematic assessment")
    assert kept.locator == f"{EVENTS}.otherEvents[0].stats[1]"


def test_a_count_only_validation_refuses_is_located_on_a_copied_row() -> None:
    study = _edge()
    serious = study["resultsSection"]["adverseEventsModule"]["seriousEvents"][0]["stats"]
    serious[2]["numEvents"] = 3_000_000_000
    with pytest.raises(ValidationFailed) as failure:
        _mapped(study)
    [problem] = failure.value.problems
    assert problem.path == f"{STATS}[2].numEvents"
    assert "less than or equal to 2000000000" in problem.message
