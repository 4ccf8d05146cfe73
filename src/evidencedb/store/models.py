"""The tables that describe a trial, `table_of`, and the metadata that holds every table.

Conventions:
- every table has an integer `id` and a natural key that is UNIQUE, so a re-load finds the
  same row and exports can be joined without the integer ids;
- fact tables and arm_interventions carry `trial_id` and reach their arm and endpoint through
  composite foreign keys `(trial_id, x_id)`: the database refuses a result whose arm belongs
  to another trial, and every fact table can be distributed by trial;
- every fact names its source (`source_id`, NOT NULL) and carries `quote` and `locator`;
- integrity rules are CHECK constraints, named through the metadata's naming convention;
- `subgroup`, `category`, `organ_system`, `grade` and `label` are '' rather than NULL when
  absent, so the natural keys stay unique on every database (NULLs never collide in UNIQUE).
Every column has a `comment`: the description in `data_dictionary.csv`, PostgreSQL's COMMENT.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

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
    TrialDesign,
    TrialPhase,
)

# Imported for its tables: they register on `Base.metadata`, which makes `metadata` complete.
from evidencedb.store import (  # noqa: F401
    baseline_models,
    fact_models,
    history_models,
    meta_models,
    source_models,
)
from evidencedb.store.types import (
    Base,
    Count,
    IntPK,
    Key,
    Number,
    OptionalText,
    ProvenanceMixin,
    enum_type,
    non_negative_checks,
)


class Trial(ProvenanceMixin, Base):
    __tablename__ = "trials"
    __table_args__ = (*non_negative_checks("enrollment"),)

    id: Mapped[IntPK]
    key: Mapped[Key] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(comment="Title of the trial.")
    acronym: Mapped[OptionalText] = mapped_column(comment="Short name.")
    design: Mapped[TrialDesign | None] = mapped_column(
        enum_type(TrialDesign, "trial_design"), comment="Design of the trial."
    )
    phase: Mapped[TrialPhase | None] = mapped_column(
        enum_type(TrialPhase, "trial_phase"), comment="Phase."
    )
    status: Mapped[OptionalText] = mapped_column(comment="Recruitment or overall status.")
    condition: Mapped[OptionalText] = mapped_column(comment="Condition(s) studied, '; '-separated.")
    population: Mapped[OptionalText] = mapped_column(comment="Who was enrolled.")
    min_age: Mapped[OptionalText] = mapped_column(comment="Minimum age, with unit.")
    max_age: Mapped[OptionalText] = mapped_column(comment="Maximum age, with unit.")
    countries: Mapped[OptionalText] = mapped_column(comment="Countries, '; '-separated.")
    sponsor: Mapped[OptionalText] = mapped_column(comment="Lead sponsor.")
    start_date: Mapped[OptionalText] = mapped_column(
        comment="Start date, ISO 8601 (YYYY[-MM[-DD]])."
    )
    end_date: Mapped[OptionalText] = mapped_column(
        comment="Completion date, ISO 8601 (YYYY[-MM[-DD]])."
    )
    enrollment: Mapped[Count] = mapped_column(comment="Number of participants enrolled.")
    conclusions: Mapped[OptionalText] = mapped_column(
        comment="Conclusions as the source states them."
    )
    notes: Mapped[OptionalText] = mapped_column(comment="Curator's notes on the trial.")
    official_title: Mapped[OptionalText] = mapped_column(comment="Official (scientific) title.")
    masking: Mapped[Masking | None] = mapped_column(
        enum_type(Masking, "masking"), comment="Masking: none, single, double, triple, quadruple."
    )
    masked_roles: Mapped[OptionalText] = mapped_column(
        comment="Who is masked, '; '-separated (participant, care_provider, investigator, ...)."
    )
    primary_purpose: Mapped[PrimaryPurpose | None] = mapped_column(
        enum_type(PrimaryPurpose, "primary_purpose"), comment="Primary purpose of the trial."
    )
    enrollment_type: Mapped[DateType | None] = mapped_column(
        enum_type(DateType, "enrollment_type"),
        comment="Whether the enrollment is the actual number or an estimate.",
    )
    start_date_type: Mapped[DateType | None] = mapped_column(
        enum_type(DateType, "start_date_type"), comment="Whether the start date is actual."
    )
    end_date_type: Mapped[DateType | None] = mapped_column(
        enum_type(DateType, "end_date_type"), comment="Whether the completion date is actual."
    )
    sex: Mapped[Sex | None] = mapped_column(
        enum_type(Sex, "sex"), comment="Sex of the participants who may enrol: all, female, male."
    )
    healthy_volunteers: Mapped[bool | None] = mapped_column(
        comment="Whether healthy volunteers may enrol."
    )
    eligibility_criteria: Mapped[OptionalText] = mapped_column(
        comment="Inclusion and exclusion criteria, as the source words them."
    )
    keywords: Mapped[OptionalText] = mapped_column(comment="Keywords, '; '-separated.")
    mesh_terms: Mapped[OptionalText] = mapped_column(
        comment="MeSH terms of the conditions, '; '-separated."
    )
    intervention_mesh_terms: Mapped[OptionalText] = mapped_column(
        comment="MeSH terms of the interventions, '; '-separated."
    )
    collaborators: Mapped[OptionalText] = mapped_column(
        comment="Collaborators besides the lead sponsor, '; '-separated."
    )
    field_quotes: Mapped[dict[str, Any] | None] = mapped_column(
        comment="Verbatim quote for each described field, as a JSON object field -> quote."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="Source of the trial's description.",
    )


class TrialIdentifier(ProvenanceMixin, Base):
    __tablename__ = "trial_identifiers"
    __table_args__ = (
        UniqueConstraint("trial_id", "registry", "value"),
        # An NCT id names one trial. Other identifiers need not: sponsors reuse protocol
        # numbers ("PROTOCOL-1"), and one EudraCT number covers several NCT registrations.
        Index(
            "uq_trial_identifiers_nct_value",
            "value",
            unique=True,
            sqlite_where=text("registry = 'nct'"),
            postgresql_where=text("registry = 'nct'"),
        ),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), index=True, comment="Trial identified."
    )
    # Attribute renamed because Declarative reserves `registry`; the column keeps the name.
    registry_name: Mapped[Registry] = mapped_column(
        "registry", enum_type(Registry, "registry"), comment="Registry that issued the identifier."
    )
    value: Mapped[str] = mapped_column(comment="The identifier, e.g. NCT02210780.")
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="Source that states the identifier.",
    )


class Intervention(ProvenanceMixin, Base):
    __tablename__ = "interventions"

    id: Mapped[IntPK]
    key: Mapped[Key] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(comment="Name of the drug or intervention.")
    kind: Mapped[InterventionKind] = mapped_column(
        enum_type(InterventionKind, "intervention_kind"), comment="Kind of intervention."
    )
    target: Mapped[OptionalText] = mapped_column(comment="Molecular target, e.g. CD19.")
    intervention_class: Mapped[OptionalText] = mapped_column(
        comment="Class, e.g. bispecific T-cell engager."
    )
    description: Mapped[OptionalText] = mapped_column(comment="Description.")
    field_quotes: Mapped[dict[str, Any] | None] = mapped_column(
        comment="Verbatim quote for each described field, as a JSON object field -> quote."
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="Source of the description, when one states it.",
    )


class Arm(ProvenanceMixin, Base):
    __tablename__ = "arms"
    __table_args__ = (
        UniqueConstraint("trial_id", "key"),
        # Target of the composite foreign keys that keep facts inside their trial.
        UniqueConstraint("trial_id", "id"),
        *non_negative_checks("n_enrolled", "n_analyzed"),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial the arm belongs to."
    )
    key: Mapped[Key]
    label: Mapped[str] = mapped_column(comment="Label of the arm or group.")
    role: Mapped[ArmRole | None] = mapped_column(
        enum_type(ArmRole, "arm_role"), comment="Role of the arm in the trial's contrasts."
    )
    description: Mapped[OptionalText] = mapped_column(comment="Description.")
    n_enrolled: Mapped[Count] = mapped_column(comment="Participants enrolled (or started).")
    n_analyzed: Mapped[Count] = mapped_column(comment="Participants analysed.")
    registry_match: Mapped[OptionalText] = mapped_column(
        comment="For a curated arm: the registry record's group it is (its title or key)."
    )
    source_trial_id: Mapped[int | None] = mapped_column(
        ForeignKey("trials.id", ondelete="SET NULL"),
        index=True,
        comment="For a historical or external control: the trial its patients came from.",
    )
    match_basis: Mapped[MatchBasis | None] = mapped_column(
        enum_type(MatchBasis, "match_basis"),
        comment="How a registry results group was bound to this arm: title, description,"
        " interventions, group_id, or none (a results-only arm).",
    )
    field_quotes: Mapped[dict[str, Any] | None] = mapped_column(
        comment="Verbatim quote for each described field, as a JSON object field -> quote."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="Source of the arm's description.",
    )


class ArmIntervention(ProvenanceMixin, Base):
    __tablename__ = "arm_interventions"
    __table_args__ = (
        UniqueConstraint("trial_id", "arm_id", "intervention_id"),
        ForeignKeyConstraint(
            ["trial_id", "arm_id"], ["arms.trial_id", "arms.id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial of the arm."
    )
    arm_id: Mapped[int] = mapped_column(index=True, comment="Arm that receives the intervention.")
    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="RESTRICT"),
        index=True,
        comment="Intervention given.",
    )
    dose: Mapped[OptionalText] = mapped_column(comment="Dose.")
    route: Mapped[OptionalText] = mapped_column(comment="Route of administration.")
    schedule: Mapped[OptionalText] = mapped_column(comment="Schedule, e.g. one course.")
    timing: Mapped[OptionalText] = mapped_column(comment="Timing, e.g. after induction.")
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="Source that states how the arm receives the intervention.",
    )


class Endpoint(ProvenanceMixin, Base):
    __tablename__ = "endpoints"
    __table_args__ = (
        UniqueConstraint("trial_id", "key"),
        UniqueConstraint("trial_id", "id"),
        *non_negative_checks("timepoint_value"),
        Index(None, "kind"),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial that measures the endpoint."
    )
    key: Mapped[Key]
    name: Mapped[str] = mapped_column(comment="Name of the outcome measure.")
    kind: Mapped[EndpointKind] = mapped_column(
        enum_type(EndpointKind, "endpoint_kind"), comment="Kind of outcome."
    )
    role: Mapped[EndpointRole] = mapped_column(
        enum_type(EndpointRole, "endpoint_role"),
        server_default=EndpointRole.UNSPECIFIED.value,
        comment="Primary, secondary, ... endpoint.",
    )
    domain: Mapped[EndpointDomain | None] = mapped_column(
        enum_type(EndpointDomain, "endpoint_domain"), comment="Efficacy or safety."
    )
    measure: Mapped[EndpointMeasure | None] = mapped_column(
        enum_type(EndpointMeasure, "endpoint_measure"), comment="What a result's value is."
    )
    timepoint_value: Mapped[Number] = mapped_column(comment="Timepoint of the measure.")
    timepoint_unit: Mapped[OptionalText] = mapped_column(comment="Unit of the timepoint.")
    time_frame: Mapped[OptionalText] = mapped_column(comment="Time frame as the source words it.")
    results_time_frame: Mapped[OptionalText] = mapped_column(
        comment="The time frame the results give, when it differs from the planned one."
    )
    population: Mapped[OptionalText] = mapped_column(comment="The analysis population, in words.")
    definition: Mapped[OptionalText] = mapped_column(comment="Definition of the outcome.")
    assessment_method: Mapped[OptionalText] = mapped_column(comment="How it was assessed.")
    registry_match: Mapped[OptionalText] = mapped_column(
        comment="For a curated endpoint: the registry record's outcome it is (title or key)."
    )
    field_quotes: Mapped[dict[str, Any] | None] = mapped_column(
        comment="Verbatim quote for each described field, as a JSON object field -> quote."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="Source of the endpoint's description.",
    )


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, typed as such (Declarative types `__table__` loosely)."""
    return cast(Table, model.__table__)


# Every table of the schema, complete once this module is imported: migrations, exports and the
# drift test take it from here rather than from `Base`, whose metadata is empty until then.
metadata: MetaData = Base.metadata


def tables_in_order() -> list[Table]:
    """Every table, each after those it refers to, and the saved meta-analyses after the facts
    they are computed from: the order of the summary and of the CSV export."""
    return sorted(metadata.sorted_tables, key=lambda table: table.name.startswith("meta_"))
