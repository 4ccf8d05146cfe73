"""Records by the batch: packed across a process boundary as they were, the collector paused."""

from __future__ import annotations

import gc
import pickle
from typing import Any

from pydantic import BaseModel

from evidencedb.records.base import Record
from evidencedb.records.batches import PackedRecords, pack, unpack
from evidencedb.records.collector import collector_paused
from evidencedb.records.facts import AdverseEventRecord, ComparisonRecord
from evidencedb.records.trial import ArmRecord, TrialRecord
from evidencedb.records.trial_file import TrialFile

EVENT = {"arm": "a", "term": "Nausea", "category": "any", "source": "s", "locator": "x[0]"}


def _state(record: BaseModel) -> tuple[Any, ...]:
    """Everything pydantic keeps of a record, field order included."""
    return (
        type(record),
        list(record.__dict__.items()),
        record.__pydantic_fields_set__,
        record.__pydantic_extra__,
        record.__pydantic_private__,
    )


def test_packed_records_unpack_as_they_were() -> None:
    events = [
        AdverseEventRecord.model_validate({**EVENT, "participants_affected": 3}),
        AdverseEventRecord.model_validate({**EVENT, "arm": "b", "event_count": 4, "note": "n"}),
        AdverseEventRecord.model_validate(EVENT),
    ]
    packed = pack(events)
    assert isinstance(packed, PackedRecords)
    assert len(packed.fields_sets) == 3  # each record was built from other fields
    back = unpack(pickle.loads(pickle.dumps(packed)))
    assert [_state(record) for record in back] == [_state(record) for record in events]
    back[0].__pydantic_fields_set__.add("grade")  # each record has a set of its own
    assert "grade" not in back[2].__pydantic_fields_set__


def test_records_of_several_classes_are_not_packed() -> None:
    comparison = ComparisonRecord(endpoint="e", arm="a", measure="other", source="s")
    mixed: list[Record] = [AdverseEventRecord.model_validate(EVENT), comparison]
    assert pack(mixed) is mixed
    assert unpack(pack(mixed)) == mixed
    assert pack([]) == []


def test_a_trial_file_pickles_with_its_facts_packed() -> None:
    data = TrialFile(
        trial=TrialRecord(key="t", title="T", source="s"),
        arms=[ArmRecord(key="a", label="A", source="s")],
        adverse_events=[
            AdverseEventRecord.model_validate({**EVENT, "participants_affected": n})
            for n in range(50)
        ],
        comparisons=[ComparisonRecord(endpoint="e", arm="a", measure="other", source="s")],
    )
    pickled = pickle.dumps(data)
    assert b"PackedRecords" in pickled
    back = pickle.loads(pickled)
    assert back == data
    assert _state(back) == _state(data)
    assert [_state(event) for event in back.adverse_events] == [
        _state(event) for event in data.adverse_events
    ]


def test_the_collector_is_paused_in_the_block_and_restored_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer block resumes it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # an application that runs without it keeps it off
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
