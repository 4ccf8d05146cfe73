"""The records that describe a trial: sources, interventions, identifiers, arms, endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict, StringConstraints

from evidencedb.enums import (
    ArmRole,
    DateType,
    EndpointDomain,
    EndpointKind,
    EndpointMeasure,
    EndpointRole,
    InterventionKind,
    Masking,
    MatchBasis,
    PrimaryPurpose,
    Registry,
    Sex,
    SourceKind,
    TrialDesign,
    TrialPhase,
    TrialSourceRelation,
)
from evidencedb.records.base import (
    Count,
    Described,
    FieldQuotes,
    Key,
    Number,
    PartialDate,
    Record,
    Text,
)


class SourceRecord(Record):
    key: Key
    kind: SourceKind
    title: Text
    authors: Text | None = None
    citation: Text | None = None
    journal: Text | None = None
    year: Annotated[int, Strict(), Field(ge=1800, le=2200)] | None = None
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmid: Annotated[str, StringConstraints(pattern=r"^\d{1,9}$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    reports_on: Key | None = Field(None, description="Key of a source this one summarises.")
    document: Text | None = Field(
        None, description="Path of the document's text, relative to the seed file (quote checks)."
    )
    record_version: Text | None = None
    record_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    record_text_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    mapping_version: Count | None = None


class InterventionRecord(FieldQuotes):
    key: Key
    name: Text
    kind: InterventionKind
    target: Text | None = None
    intervention_class: Text | None = Field(None, alias="class")
    description: Text | None = None
    source: Key | None = Field(None, description="Key of the source that describes it, if any.")
    quote: Text | None = None
    locator: Text | None = None


class IdentifierRecord(Record):
    registry: Registry
    value: Annotated[str, Strict(), StringConstraints(min_length=1, max_length=200)]
    source: Key | None = Field(None, description="Defaults to the trial's source.")
    quote: Text | None = None
    locator: Text | None = None


class TrialSourceRecord(Record):
    source: Key
    relation: TrialSourceRelation


class TrialRecord(Described):
    key: Key
    title: Text
    acronym: Text | None = None
    design: TrialDesign | None = None
    phase: TrialPhase | None = None
    status: Text | None = None
    condition: Text | None = None
    population: Text | None = None
    min_age: Text | None = None
    max_age: Text | None = None
    countries: list[Text] = Field(default_factory=list)
    sponsor: Text | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    enrollment: Count | None = None
    conclusions: Text | None = Field(None, description="Conclusions as the source states them.")
    notes: Text | None = None
    official_title: Text | None = None
    masking: Masking | None = None
    masked_roles: Text | None = Field(None, description="Who is masked, '; '-separated.")
    primary_purpose: PrimaryPurpose | None = None
    enrollment_type: DateType | None = None
    start_date_type: DateType | None = None
    end_date_type: DateType | None = None
    sex: Sex | None = None
    healthy_volunteers: Annotated[bool, Strict()] | None = None
    eligibility_criteria: Text | None = None
    keywords: Text | None = Field(None, description="Keywords, '; '-separated.")
    mesh_terms: Text | None = Field(None, description="MeSH terms of the conditions.")
    intervention_mesh_terms: Text | None = Field(
        None, description="MeSH terms of the interventions, '; '-separated."
    )
    collaborators: Text | None = Field(None, description="Collaborators, '; '-separated.")
    identifiers: list[IdentifierRecord] = Field(default_factory=list)
    sources: list[TrialSourceRecord] = Field(
        default_factory=list, description="Which sources report on this trial, and how."
    )


class ArmInterventionRecord(Record):
    intervention: Key
    dose: Text | None = None
    route: Text | None = None
    schedule: Text | None = None
    timing: Text | None = None
    source: Key | None = None
    quote: Text | None = None
    locator: Text | None = None


class ArmRecord(Described):
    key: Key
    label: Text
    role: ArmRole | None = None
    description: Text | None = None
    n_enrolled: Count | None = None
    n_analyzed: Count | None = None
    source_trial: Key | None = Field(
        None, description="For a historical or external control: key of the trial it came from."
    )
    match_basis: MatchBasis | None = Field(
        None, description="How a registry results group was bound to this protocol arm."
    )
    interventions: list[ArmInterventionRecord] = Field(default_factory=list)
    registry_match: Text | None = Field(
        None,
        description="The registry record's arm or results group this arm is: its title or "
        "its key in the import. Without it, an arm is linked when the titles are equal.",
    )


class EndpointRecord(Described):
    key: Key
    name: Text
    kind: EndpointKind
    role: EndpointRole = EndpointRole.UNSPECIFIED
    domain: EndpointDomain | None = None
    measure: EndpointMeasure | None = None
    timepoint_value: Annotated[Number, Field(ge=0)] | None = None
    timepoint_unit: Text | None = None
    time_frame: Text | None = None
    results_time_frame: Text | None = Field(
        None, description="The time frame the results give, when it differs from the plan's."
    )
    population: Text | None = Field(None, description="The analysis population, in words.")
    definition: Text | None = None
    assessment_method: Text | None = None
    registry_match: Text | None = Field(
        None,
        description="The registry record's outcome this endpoint is: its title or its key in "
        "the import (primary-1, secondary-2, ...). Without it, linked when titles are equal.",
    )
