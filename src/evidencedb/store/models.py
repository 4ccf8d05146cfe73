"""The evidence schema: SQLAlchemy 2 typed models, one class per table.

Conventions:
- every table has an integer `id` and a natural key that is UNIQUE, so a re-load finds the
  same row and exports can be joined without the integer ids;
- fact tables (results, comparisons, adverse_events) and arm_interventions carry `trial_id`
  and reach their arm and endpoint through composite foreign keys `(trial_id, x_id)`, so the
  database itself refuses a result whose arm belongs to another trial, and every fact table can
  be distributed by trial (see the README's section on distributed PostgreSQL);
- every fact names its source (`source_id`, NOT NULL) and carries `quote` and `locator`;
- integrity rules are CHECK constraints, named through the metadata's naming convention;
- `subgroup`, `category`, `organ_system`, `grade` and `label` are '' rather than NULL when
  absent, so the natural keys stay unique on every database (NULLs never collide in UNIQUE).

Every column has a `comment`: it is the description in `data_dictionary.csv` and, on
PostgreSQL, the column's COMMENT.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Double,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from evidencedb.enums import (
    AE_GRADES,
    AdverseEventCategory,
    ArmRole,
    ComparisonMeasure,
    ComparisonOrigin,
    EndpointDomain,
    EndpointKind,
    EndpointMeasure,
    EndpointRole,
    InterventionKind,
    Registry,
    SourceKind,
    SourceOrigin,
    SpreadType,
    TrialDesign,
    TrialPhase,
    TrialSourceRelation,
    ValueQualifier,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_type(enum: type[StrEnum], name: str) -> Enum:
    """A portable enum: VARCHAR plus a named CHECK listing the values, stored as the values."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        str: Text(),
        float: Double(),
        dict[str, Any]: JSON(),
    }


# Column shapes that repeat across tables.
IntPK = Annotated[int, mapped_column(Integer, primary_key=True, comment="Surrogate primary key.")]
Key = Annotated[str, mapped_column(comment="Natural key, stable across loads.")]
OptionalText = Annotated[str | None, mapped_column()]
EmptyText = Annotated[str, mapped_column(server_default="", default="")]
Count = Annotated[int | None, mapped_column(Integer)]
Number = Annotated[float | None, mapped_column(Double)]


def _non_negative(*columns: str) -> list[CheckConstraint]:
    return [CheckConstraint(f"{column} >= 0", name=f"{column}_non_negative") for column in columns]


def _ci_rules() -> list[CheckConstraint]:
    return [
        CheckConstraint("ci_lower <= ci_upper", name="ci_ordered"),
        CheckConstraint("ci_level > 0 AND ci_level < 1", name="ci_level_fraction"),
    ]


class ProvenanceMixin:
    """Where a row's words came from. The source is part of every fact's natural key."""

    quote: Mapped[str | None] = mapped_column(
        comment="Short verbatim words of the source that state this row (required for documents)."
    )
    locator: Mapped[str | None] = mapped_column(
        comment="Page or section of a document, or the JSON path of a registry record's field."
    )


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (CheckConstraint("year BETWEEN 1800 AND 2200", name="year_plausible"),)

    id: Mapped[IntPK]
    key: Mapped[Key] = mapped_column(unique=True)
    kind: Mapped[SourceKind] = mapped_column(
        enum_type(SourceKind, "source_kind"), comment="Kind of document."
    )
    origin: Mapped[SourceOrigin] = mapped_column(
        enum_type(SourceOrigin, "source_origin"),
        server_default=SourceOrigin.CURATED.value,
        comment="How the source entered the database: curated seed file or an importer.",
    )
    title: Mapped[str] = mapped_column(comment="Title of the document or registry record.")
    authors: Mapped[OptionalText] = mapped_column(comment="Authors as the document gives them.")
    citation: Mapped[OptionalText] = mapped_column(comment="Bibliographic citation.")
    journal: Mapped[OptionalText] = mapped_column(comment="Journal or outlet.")
    year: Mapped[Count] = mapped_column(comment="Year of publication.")
    doi: Mapped[OptionalText] = mapped_column(comment="Digital Object Identifier.")
    pmid: Mapped[OptionalText] = mapped_column(comment="PubMed identifier.")
    url: Mapped[OptionalText] = mapped_column(comment="Where the document can be read.")
    reports_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"),
        index=True,
        comment="Another source this one summarises (a news report of a journal article).",
    )
    document: Mapped[OptionalText] = mapped_column(
        comment="Path of the document's text as given in the seed file, for quote checks."
    )
    record_version: Mapped[OptionalText] = mapped_column(
        comment="Registry record version: its last-update date."
    )
    record_sha256: Mapped[OptionalText] = mapped_column(
        comment="SHA-256 of the imported registry record, to tell which version a fact came from."
    )


class Trial(ProvenanceMixin, Base):
    __tablename__ = "trials"
    __table_args__ = (*_non_negative("enrollment"),)

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


class TrialSource(Base):
    __tablename__ = "trial_sources"
    __table_args__ = (UniqueConstraint("trial_id", "source_id"),)

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial reported on."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True, comment="Reporting source."
    )
    relation: Mapped[TrialSourceRelation] = mapped_column(
        enum_type(TrialSourceRelation, "trial_source_relation"),
        comment="How the source reports on the trial.",
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
        *_non_negative("n_enrolled", "n_analyzed"),
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
    source_trial_id: Mapped[int | None] = mapped_column(
        ForeignKey("trials.id", ondelete="SET NULL"),
        index=True,
        comment="For a historical or external control: the trial its patients came from.",
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
        *_non_negative("timepoint_value"),
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
    definition: Mapped[OptionalText] = mapped_column(comment="Definition of the outcome.")
    assessment_method: Mapped[OptionalText] = mapped_column(comment="How it was assessed.")
    field_quotes: Mapped[dict[str, Any] | None] = mapped_column(
        comment="Verbatim quote for each described field, as a JSON object field -> quote."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="Source of the endpoint's description.",
    )


class Result(ProvenanceMixin, Base):
    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("trial_id", "endpoint_id", "arm_id", "subgroup", "category", "source_id"),
        ForeignKeyConstraint(
            ["trial_id", "endpoint_id"],
            ["endpoints.trial_id", "endpoints.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["trial_id", "arm_id"], ["arms.trial_id", "arms.id"], ondelete="CASCADE"
        ),
        *_non_negative("numerator", "denominator", "n_analyzed"),
        CheckConstraint("numerator <= denominator", name="numerator_within_denominator"),
        CheckConstraint(
            "unit <> '%' OR ((value IS NULL OR value BETWEEN 0 AND 100)"
            " AND (ci_lower IS NULL OR ci_lower >= 0) AND (ci_upper IS NULL OR ci_upper <= 100))",
            name="percentage_in_range",
        ),
        *_ci_rules(),
        Index(None, "endpoint_id"),
        Index(None, "arm_id"),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial of the result."
    )
    endpoint_id: Mapped[int] = mapped_column(comment="Endpoint measured.")
    arm_id: Mapped[int] = mapped_column(comment="Arm measured.")
    subgroup: Mapped[EmptyText] = mapped_column(
        comment="Subgroup or class the value is for; '' for the whole arm."
    )
    category: Mapped[EmptyText] = mapped_column(
        comment="Category of a categorical measure; '' when not categorical."
    )
    value: Mapped[Number] = mapped_column(comment="The reported value.")
    value_qualifier: Mapped[ValueQualifier | None] = mapped_column(
        enum_type(ValueQualifier, "value_qualifier"),
        comment="'<', '<=', '>', '>=' when the value is a bound; 'not_reached' for a median.",
    )
    unit: Mapped[OptionalText] = mapped_column(comment="Unit of the value; '%' for percentages.")
    numerator: Mapped[Count] = mapped_column(comment="Participants with the outcome.")
    denominator: Mapped[Count] = mapped_column(comment="Participants assessed for the outcome.")
    ci_lower: Mapped[Number] = mapped_column(comment="Lower confidence limit.")
    ci_upper: Mapped[Number] = mapped_column(comment="Upper confidence limit.")
    ci_level: Mapped[Number] = mapped_column(comment="Confidence level as a fraction, e.g. 0.95.")
    spread: Mapped[Number] = mapped_column(comment="Dispersion value (SD or SE).")
    spread_type: Mapped[SpreadType | None] = mapped_column(
        enum_type(SpreadType, "spread_type"), comment="Kind of dispersion."
    )
    spread_lower: Mapped[Number] = mapped_column(comment="Lower limit of an IQR or range.")
    spread_upper: Mapped[Number] = mapped_column(comment="Upper limit of an IQR or range.")
    n_analyzed: Mapped[Count] = mapped_column(comment="Participants analysed for this value.")
    note: Mapped[OptionalText] = mapped_column(comment="Curator's or registry's note.")
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True, comment="Source of the value."
    )


class Comparison(ProvenanceMixin, Base):
    __tablename__ = "comparisons"
    __table_args__ = (
        UniqueConstraint(
            "trial_id",
            "endpoint_id",
            "arm_id",
            "comparator_arm_id",
            "measure",
            "origin",
            "label",
            "source_id",
        ),
        ForeignKeyConstraint(
            ["trial_id", "endpoint_id"],
            ["endpoints.trial_id", "endpoints.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["trial_id", "arm_id"], ["arms.trial_id", "arms.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["trial_id", "comparator_arm_id"], ["arms.trial_id", "arms.id"], ondelete="CASCADE"
        ),
        *_ci_rules(),
        CheckConstraint("p_value >= 0 AND p_value <= 1", name="p_value_probability"),
        CheckConstraint(
            # A lower limit of 0 is allowed: registries round small limits to "0.00".
            "measure NOT IN ('hazard_ratio', 'risk_ratio', 'odds_ratio')"
            " OR ((value IS NULL OR value > 0) AND (ci_lower IS NULL OR ci_lower >= 0))",
            name="ratio_positive",
        ),
        Index(None, "endpoint_id"),
        Index(None, "arm_id"),
        Index(None, "comparator_arm_id"),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial of the comparison."
    )
    endpoint_id: Mapped[int] = mapped_column(comment="Endpoint compared.")
    arm_id: Mapped[int] = mapped_column(comment="Arm of interest (usually experimental).")
    comparator_arm_id: Mapped[int | None] = mapped_column(
        comment="Comparator arm; NULL for an analysis of one group or of more than two."
    )
    label: Mapped[EmptyText] = mapped_column(
        comment="Distinguishes several analyses of the same arms and measure; '' when one."
    )
    group_keys: Mapped[OptionalText] = mapped_column(
        comment="Keys of every arm in the analysis, '; '-separated."
    )
    measure: Mapped[ComparisonMeasure] = mapped_column(
        enum_type(ComparisonMeasure, "comparison_measure"), comment="Effect measure."
    )
    measure_label: Mapped[OptionalText] = mapped_column(
        comment="The measure as the source names it (e.g. a registry parameter type)."
    )
    value: Mapped[Number] = mapped_column(
        comment="Estimate; NULL when only its direction is given."
    )
    ci_lower: Mapped[Number] = mapped_column(comment="Lower confidence limit.")
    ci_upper: Mapped[Number] = mapped_column(comment="Upper confidence limit.")
    ci_level: Mapped[Number] = mapped_column(comment="Confidence level as a fraction, e.g. 0.95.")
    p_value: Mapped[Number] = mapped_column(comment="P-value.")
    p_value_qualifier: Mapped[ValueQualifier | None] = mapped_column(
        enum_type(ValueQualifier, "p_value_qualifier"),
        comment="'<' for 'p < 0.0001' and the like.",
    )
    method: Mapped[OptionalText] = mapped_column(comment="Statistical method.")
    origin: Mapped[ComparisonOrigin] = mapped_column(
        enum_type(ComparisonOrigin, "comparison_origin"),
        comment="'reported' by the source, or 'derived' by evidencedb from the results.",
    )
    randomized: Mapped[bool | None] = mapped_column(
        comment="Whether the contrast is randomised (both arms randomised within one trial)."
    )
    note: Mapped[OptionalText] = mapped_column(comment="Curator's note or derivation details.")
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="Source of the estimate, or of the results it was derived from.",
    )


class AdverseEvent(ProvenanceMixin, Base):
    __tablename__ = "adverse_events"
    __table_args__ = (
        UniqueConstraint(
            "trial_id", "arm_id", "term", "organ_system", "category", "grade", "source_id"
        ),
        ForeignKeyConstraint(
            ["trial_id", "arm_id"], ["arms.trial_id", "arms.id"], ondelete="CASCADE"
        ),
        *_non_negative("participants_affected", "participants_at_risk", "event_count"),
        CheckConstraint(
            "participants_affected <= participants_at_risk", name="affected_within_at_risk"
        ),
        CheckConstraint(
            "grade IN ('', " + ", ".join(f"'{grade}'" for grade in AE_GRADES) + ")",
            name="grade_ctcae",
        ),
        Index(None, "arm_id"),
        Index(None, "term"),
    )

    id: Mapped[IntPK]
    trial_id: Mapped[int] = mapped_column(
        ForeignKey("trials.id", ondelete="CASCADE"), comment="Trial of the event."
    )
    arm_id: Mapped[int] = mapped_column(comment="Arm (or event group) affected.")
    term: Mapped[str] = mapped_column(comment="Adverse-event term, or an aggregate such as 'Any'.")
    organ_system: Mapped[EmptyText] = mapped_column(comment="Organ system; '' when not given.")
    category: Mapped[AdverseEventCategory] = mapped_column(
        enum_type(AdverseEventCategory, "adverse_event_category"),
        comment="serious, non_serious or any.",
    )
    grade: Mapped[EmptyText] = mapped_column(
        comment="CTCAE grade '1'..'5', '>=N' for grade N or higher; '' when not graded."
    )
    is_aggregate: Mapped[bool] = mapped_column(
        server_default=false(), default=False, comment="Row totals several terms (e.g. any SAE)."
    )
    vocabulary: Mapped[OptionalText] = mapped_column(comment="MedDRA, CTCAE v5.0, free text, ...")
    participants_affected: Mapped[Count] = mapped_column(comment="Participants with the event.")
    participants_at_risk: Mapped[Count] = mapped_column(comment="Participants at risk.")
    event_count: Mapped[Count] = mapped_column(comment="Number of events.")
    time_frame: Mapped[OptionalText] = mapped_column(comment="Time frame of collection.")
    note: Mapped[OptionalText] = mapped_column(comment="Curator's or registry's note.")
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True, comment="Source of the counts."
    )


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, typed as such (Declarative types `__table__` loosely)."""
    return cast(Table, model.__table__)
