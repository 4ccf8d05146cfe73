"""A study record as one version of its registration: the key fields that reconciliation
compares between versions (status, enrollment, dates, registered outcomes, arms)."""

from __future__ import annotations

from evidencedb.records.history import RegisteredArm, RegisteredOutcome, TrialVersionRecord
from evidencedb.registries.ctgov.arms import Arms
from evidencedb.registries.ctgov.codes import trial_status
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.endpoints import Endpoints
from evidencedb.registries.ctgov.reader import Node
from evidencedb.registries.ctgov.versions import peek_version

# The registry's planned-outcome lists and the field of the version record each fills.
_OUTCOME_LISTS = {
    "primaryOutcomes": "primary_outcomes",
    "secondaryOutcomes": "secondary_outcomes",
    "otherOutcomes": "other_outcomes",
}


def version_record(
    context: StudyContext,
    status: Node | None,
    design: Node | None,
    arms: Arms,
    endpoints: Endpoints,
) -> TrialVersionRecord | None:
    """The study as the version it is, or None for a record without a last-update date (it
    cannot be placed in the history)."""
    version = peek_version(context.study.data).version
    if version is None:
        return None
    enrollment = design.node("enrollmentInfo") if design else None
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
    return context.record(
        TrialVersionRecord,
        {
            "version_date": version[:10],
            "status": trial_status(status),
            "enrollment": enrollment.whole("count") if enrollment else None,
            "enrollment_type": enrollment.text("type") if enrollment else None,
            "start_date": _date(status, "startDateStruct"),
            "primary_completion_date": _date(status, "primaryCompletionDateStruct"),
            "completion_date": _date(status, "completionDateStruct"),
            **outcomes,
            "arm_groups": [
                RegisteredArm(key=arm.key, title=arm.label, n_enrolled=arm.n_enrolled)
                for arm in arms.arms
            ],
            "record_sha256": context.study.sha256,
        },
        ("protocolSection", "statusModule"),
    )


def _date(status: Node | None, key: str) -> str | None:
    struct = status.node(key) if status else None
    return struct.text("date") if struct else None
