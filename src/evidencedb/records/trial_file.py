"""The validated record of one trial file, and the problems visible within that file alone.

Every input becomes a `TrialFile` first. Seed files are parsed into it directly (it is their
schema, and `seeds/schema.json` is generated from it); the ClinicalTrials.gov importer builds
the same objects. The loader writes nothing that did not pass through here.

Checks that need only one file live in the records (types, enums, ranges) and in
`local_problems` (unique keys, references to arms and endpoints of the same file). Checks
that need other files or the database (a source or intervention declared elsewhere, the trial
a historical control came from) are the loader's, which reports them with the same file, line
and path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, Field, Strict

from evidencedb.records.base import Record
from evidencedb.records.baseline import BaselineMeasurementRecord, FlowRecord
from evidencedb.records.batches import pack, unpack
from evidencedb.records.facts import AdverseEventRecord, ComparisonRecord, ResultRecord
from evidencedb.records.location import Location, format_location
from evidencedb.records.trial import (
    ArmRecord,
    EndpointRecord,
    InterventionRecord,
    SourceRecord,
    TrialRecord,
)

SCHEMA_VERSION = 1
# The lists a registry record may hold thousands of: pickled as tables (`records.batches`).
_PACKED_SECTIONS = (
    "results",
    "comparisons",
    "adverse_events",
    "baseline_measurements",
    "participant_flow",
)


class TrialFile(Record):
    """One seed file: a trial, what reports on it, its arms, endpoints and facts."""

    model_config = ConfigDict(
        title="evidencedb seed file",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    schema_version: Annotated[int, Strict(), Field(ge=1, le=SCHEMA_VERSION)] = SCHEMA_VERSION
    sources: list[SourceRecord] = Field(
        default_factory=list, description="Sources declared by this file (others may be cited)."
    )
    interventions: list[InterventionRecord] = Field(default_factory=list)
    trial: TrialRecord
    arms: list[ArmRecord] = Field(default_factory=list)
    endpoints: list[EndpointRecord] = Field(default_factory=list)
    results: list[ResultRecord] = Field(default_factory=list)
    comparisons: list[ComparisonRecord] = Field(default_factory=list)
    adverse_events: list[AdverseEventRecord] = Field(default_factory=list)
    baseline_measurements: list[BaselineMeasurementRecord] = Field(default_factory=list)
    participant_flow: list[FlowRecord] = Field(default_factory=list)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its fact lists packed as tables: a large import hands its mapped
        records from one process to another (`registries.ctgov.background`)."""
        state = dict(self.__dict__)
        for section in _PACKED_SECTIONS:
            state[section] = pack(state[section])
        return (unpickled_trial_file, (type(self), state, set(self.__pydantic_fields_set__)))


def unpickled_trial_file(
    model: type[TrialFile], state: dict[str, Any], fields_set: set[str]
) -> TrialFile:
    """A TrialFile as `TrialFile.__reduce__` pickled it: its fact lists unpacked."""
    for section in _PACKED_SECTIONS:
        state[section] = unpack(state[section])
    data = model.__new__(model)
    object.__setattr__(data, "__dict__", state)
    object.__setattr__(data, "__pydantic_fields_set__", fields_set)
    object.__setattr__(data, "__pydantic_extra__", None)
    object.__setattr__(data, "__pydantic_private__", None)
    return data


def local_problems(
    data: TrialFile, also_declared: Mapping[str, set[str]] | None = None
) -> Iterator[tuple[Location, str]]:
    """Problems visible within one file: duplicate keys and references to undeclared arms or
    endpoints. Each comes with the location of the offending value. `also_declared` holds the
    arm and endpoint keys of items set aside because they failed validation: references to
    them are not reported again."""
    also_declared = also_declared or {}
    yield from _duplicates("sources", [source.key for source in data.sources])
    yield from _duplicates("interventions", [item.key for item in data.interventions])
    yield from _duplicates("arms", [arm.key for arm in data.arms])
    yield from _duplicates("endpoints", [endpoint.key for endpoint in data.endpoints])
    arms = {arm.key for arm in data.arms} | also_declared.get("arms", set())
    endpoints = {endpoint.key for endpoint in data.endpoints} | also_declared.get(
        "endpoints", set()
    )

    def unknown_arm(location: Location, key: str | None) -> Iterator[tuple[Location, str]]:
        if key is not None and key not in arms:
            yield location, f"unknown arm {key!r}; this file declares: {_listing(arms)}"

    for index, result in enumerate(data.results):
        yield from unknown_arm(("results", index, "arm"), result.arm)
        if result.endpoint not in endpoints:
            yield (
                ("results", index, "endpoint"),
                f"unknown endpoint {result.endpoint!r}; this file declares: {_listing(endpoints)}",
            )
    for index, comparison in enumerate(data.comparisons):
        yield from unknown_arm(("comparisons", index, "arm"), comparison.arm)
        yield from unknown_arm(("comparisons", index, "comparator"), comparison.comparator)
        for position, group in enumerate(comparison.groups):
            yield from unknown_arm(("comparisons", index, "groups", position), group)
        if comparison.endpoint not in endpoints:
            yield (
                ("comparisons", index, "endpoint"),
                f"unknown endpoint {comparison.endpoint!r}; "
                f"this file declares: {_listing(endpoints)}",
            )
        if comparison.comparator == comparison.arm:
            yield ("comparisons", index, "comparator"), "an arm cannot be its own comparator"
    for location, arm_key in _arms_of_arm_facts(data):
        yield from unknown_arm(location, arm_key)
    for index, arm in enumerate(data.arms):
        if arm.source_trial == data.trial.key:
            yield ("arms", index, "source_trial"), "a control arm cannot come from its own trial"


def _arms_of_arm_facts(data: TrialFile) -> Iterator[tuple[Location, str]]:
    """The arm of every fact about an arm alone (no endpoint), with its location."""
    for section in ("adverse_events", "baseline_measurements", "participant_flow"):
        for index, row in enumerate(getattr(data, section)):
            yield (section, index, "arm"), row.arm


# The natural key of each fact within one file (the trial is the file's own): two facts with
# the same key would be one row in the database, and the later would silently win.
_FACT_KEYS: dict[str, tuple[str, ...]] = {
    "results": ("endpoint", "arm", "subgroup", "category", "source"),
    "comparisons": ("endpoint", "arm", "comparator", "measure", "origin", "label", "source"),
    "adverse_events": ("arm", "term", "organ_system", "category", "grade", "source"),
}


def duplicate_facts(
    data: TrialFile, where: Callable[[Location], str] = format_location
) -> Iterator[tuple[Location, str]]:
    """Facts of one file that share a natural key: each later one, with `where` the first is
    (a seed file passes a function that gives its file and line)."""
    for section, columns in _FACT_KEYS.items():
        first: dict[tuple[Any, ...], int] = {}
        for index, fact in enumerate(getattr(data, section)):
            key = tuple(getattr(fact, column) for column in columns)
            if key not in first:
                first[key] = index
                continue
            named = ", ".join(
                f"{column} {str(value)!r}"
                for column, value in zip(columns, key, strict=True)
                if value not in ("", None)
            )
            yield (
                (section, index),
                f"duplicate of {where((section, first[key]))}: both state {named}; "
                "keep one, or tell them apart (subgroup, category, label)",
            )


def _duplicates(section: str, keys: list[str]) -> Iterator[tuple[Location, str]]:
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            yield (section, index, "key"), f"duplicate key {key!r}"
        seen.add(key)


def _listing(keys: set[str]) -> str:
    return ", ".join(sorted(keys)) if keys else "(none)"
