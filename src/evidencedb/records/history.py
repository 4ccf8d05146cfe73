"""A registry record's version: its key fields, registered outcomes and arms.

`TrialVersionRecord` is what an import keeps of every version of a record (the
`trial_versions` table), carried by the record's bundle to the loader.
"""

from __future__ import annotations

from pydantic import Field

from evidencedb.records.base import Count, Key, PartialDate, Record, Text


class RegisteredOutcome(Record):
    key: Key = Field(description="The key the import gives it: primary-1, secondary-2, ...")
    title: Text
    time_frame: Text | None = None
    description: Text | None = None


class RegisteredArm(Record):
    key: Key
    title: Text
    n_enrolled: Count | None = None


class TrialVersionRecord(Record):
    version_date: PartialDate
    status: Text | None = None
    enrollment: Count | None = None
    enrollment_type: Text | None = None
    start_date: PartialDate | None = None
    primary_completion_date: PartialDate | None = None
    completion_date: PartialDate | None = None
    primary_outcomes: list[RegisteredOutcome] = Field(default_factory=list)
    secondary_outcomes: list[RegisteredOutcome] = Field(default_factory=list)
    other_outcomes: list[RegisteredOutcome] = Field(default_factory=list)
    arm_groups: list[RegisteredArm] = Field(default_factory=list)
    record_sha256: Text | None = None
