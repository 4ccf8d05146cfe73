"""A study record as one version of its registration: the key fields that reconciliation
compares between versions (status, enrollment, dates, registered outcomes, arms).

The history is a by-product of an import: a field it cannot read is left empty, and a
version it cannot place (no last-update date, or one that is not a date) is not kept. It
never adds a problem, so it never blocks the import of a record."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from evidencedb.records.history import RegisteredOutcome, TrialVersionRecord
from evidencedb.registries.ctgov.arms import Arms
from evidencedb.registries.ctgov.endpoints import Endpoints
from evidencedb.registries.ctgov.files import StudyInput
from evidencedb.registries.ctgov.versions import peek_version

# The registry's planned-outcome lists and the field of the version record each fills.
_OUTCOME_LISTS = {
    "primaryOutcomes": "primary_outcomes",
    "secondaryOutcomes": "secondary_outcomes",
    "otherOutcomes": "other_outcomes",
}


def version_record(
    study: StudyInput, arms: Arms, endpoints: Endpoints
) -> TrialVersionRecord | None:
    """The study as the version it is, or None when it cannot be placed in the history."""
    version = peek_version(study.data).version
    if version is None:
        return None
    protocol = _object(study.data, "protocolSection")
    status = _object(protocol, "statusModule")
    enrollment = _object(_object(protocol, "designModule"), "enrollmentInfo")
    outcomes: dict[str, list[RegisteredOutcome]] = {field: [] for field in _OUTCOME_LISTS.values()}
    for planned in endpoints.planned:
        record = planned.record
        outcomes[_OUTCOME_LISTS[planned.list_key]].append(
            RegisteredOutcome(
                key=record.key,
                title=record.name,
                time_frame=record.time_frame,
                description=record.definition,
            )
        )
    fields = {
        "version_date": version[:10],
        "status": _text(status, "overallStatus", lower=True),
        "enrollment": enrollment.get("count"),
        "enrollment_type": _text(enrollment, "type"),
        "start_date": _text(_object(status, "startDateStruct"), "date"),
        "primary_completion_date": _text(_object(status, "primaryCompletionDateStruct"), "date"),
        "completion_date": _text(_object(status, "completionDateStruct"), "date"),
        **outcomes,
        # Plain values, validated below with the rest: an arm the history cannot hold (a
        # title over the length limit, found by fuzzing) leaves the list out, not the import.
        "arm_groups": [
            {"key": arm.key, "title": arm.label, "n_enrolled": arm.n_enrolled} for arm in arms.arms
        ],
        "record_sha256": study.sha256,
    }
    try:
        return TrialVersionRecord.model_validate(fields)
    except ValidationError as error:
        # Keep the version without the fields the registry wrote in another shape.
        wrong = {str(detail["loc"][0]) for detail in error.errors()}
        if "version_date" in wrong:
            return None
        try:
            emptied: dict[str, Any] = {
                name: [] if isinstance(fields[name], list) else None for name in wrong
            }
            return TrialVersionRecord.model_validate({**fields, **emptied})
        except ValidationError:
            return None


def _object(parent: Any, key: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def _text(parent: dict[str, Any], key: str, *, lower: bool = False) -> str | None:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.lower() if lower else value
