"""The fact tables: results, comparisons and adverse events, each inside its trial and cited.

The conventions of `models` hold here too; the arm and endpoint of a fact are reached through
composite foreign keys `(trial_id, x_id)`, so a fact cannot point into another trial.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from evidencedb.enums import (
    AE_GRADES,
    RATIO_MEASURES,
    AdverseEventCategory,
    ComparisonMeasure,
    ComparisonOrigin,
    DirectionBasis,
    ParameterType,
    SpreadType,
    ValueQualifier,
)
from evidencedb.store.types import (
    Base,
    Count,
    EmptyText,
    IntPK,
    Number,
    OptionalText,
    ProvenanceMixin,
    confidence_interval_checks,
    enum_type,
    non_negative_checks,
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
        *non_negative_checks("numerator", "denominator", "n_analyzed", "units_analyzed"),
        CheckConstraint("numerator <= denominator", name="numerator_within_denominator"),
        CheckConstraint(
            "unit <> '%' OR ((value IS NULL OR value BETWEEN 0 AND 100)"
            " AND (ci_lower IS NULL OR ci_lower >= 0) AND (ci_upper IS NULL OR ci_upper <= 100))",
            name="percentage_in_range",
        ),
        *confidence_interval_checks(),
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
    parameter_type: Mapped[ParameterType | None] = mapped_column(
        enum_type(ParameterType, "parameter_type"),
        comment="What the value is: mean, least_squares_mean, geometric_mean, median, ...",
    )
    units_analyzed: Mapped[Count] = mapped_column(
        comment="Units analysed when they are not participants (eyes, lesions, ...)."
    )
    analysis_unit: Mapped[OptionalText] = mapped_column(comment="What units_analyzed counts.")
    value_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the value when it did not parse or broke a rule."
    )
    spread_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the spread when it did not parse or broke a rule."
    )
    lower_limit_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the lower limit when it did not parse or broke a rule."
    )
    upper_limit_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the upper limit when it did not parse or broke a rule."
    )
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
        *confidence_interval_checks(),
        CheckConstraint("p_value >= 0 AND p_value <= 1", name="p_value_probability"),
        CheckConstraint(
            # A lower limit of 0 is allowed: registries round small limits to "0.00".
            "measure NOT IN ("
            + ", ".join(f"'{measure}'" for measure in sorted(RATIO_MEASURES))
            + ") OR ((value IS NULL OR value > 0) AND (ci_lower IS NULL OR ci_lower >= 0))",
            name="ratio_positive",
        ),
        CheckConstraint("ci_sides IN (1, 2)", name="ci_sides_one_or_two"),
        *non_negative_checks("dispersion_value"),
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
    direction_basis: Mapped[DirectionBasis | None] = mapped_column(
        enum_type(DirectionBasis, "direction_basis"),
        comment="How the arm of interest was told from the comparator: stated (the analysis's"
        " text), arm_roles, arm_data (the only orientation the arms' results allow), unknown.",
    )
    measure_detail: Mapped[OptionalText] = mapped_column(
        comment="The registry's own text for the measure (its parameter type)."
    )
    description: Mapped[OptionalText] = mapped_column(
        comment="What the analysis is of (the registry's groupDescription)."
    )
    statistical_comment: Mapped[OptionalText] = mapped_column(
        comment="The registry's statistical comment."
    )
    estimate_comment: Mapped[OptionalText] = mapped_column(
        comment="The registry's comment on the estimate."
    )
    non_inferiority_type: Mapped[OptionalText] = mapped_column(
        comment="superiority, non_inferiority, equivalence, ... as the registry codes it."
    )
    non_inferiority_comment: Mapped[OptionalText] = mapped_column(
        comment="The registry's comment on the non-inferiority margin."
    )
    ci_sides: Mapped[Count] = mapped_column(comment="Sides of the confidence interval: 1 or 2.")
    dispersion_type: Mapped[SpreadType | None] = mapped_column(
        enum_type(SpreadType, "dispersion_type"), comment="Kind of the estimate's dispersion."
    )
    dispersion_value: Mapped[Number] = mapped_column(comment="The estimate's SE or SD.")
    value_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the estimate when it did not parse or broke a rule."
    )
    ci_lower_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the lower limit when it did not parse or broke a rule."
    )
    ci_upper_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the upper limit when it did not parse or broke a rule."
    )
    p_value_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of the p-value when it did not parse, broke a rule or had"
        " a modifier ('=0.247', '< .001')."
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
        *non_negative_checks("participants_affected", "participants_at_risk", "event_count"),
        CheckConstraint(
            "participants_affected <= participants_at_risk", name="affected_within_at_risk"
        ),
        CheckConstraint(
            "grade IN ('', " + ", ".join(f"'{grade}'" for grade in AE_GRADES) + ")",
            name="grade_ctcae",
        ),
        CheckConstraint(
            "participants_affected_percent BETWEEN 0 AND 100",
            name="participants_affected_percent_in_range",
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
        comment="CTCAE grade '1'..'5', '>=N' for grade N or higher, a range 'N-M' such as "
        "'3-4'; '' when not graded."
    )
    is_aggregate: Mapped[bool] = mapped_column(
        server_default=false(), default=False, comment="Row totals several terms (e.g. any SAE)."
    )
    vocabulary: Mapped[OptionalText] = mapped_column(comment="MedDRA, CTCAE v5.0, free text, ...")
    participants_affected: Mapped[Count] = mapped_column(comment="Participants with the event.")
    participants_at_risk: Mapped[Count] = mapped_column(comment="Participants at risk.")
    participants_affected_percent: Mapped[Number] = mapped_column(
        comment="Percentage of participants affected, as the source gives it (0-100)."
    )
    event_count: Mapped[Count] = mapped_column(comment="Number of events.")
    time_frame: Mapped[OptionalText] = mapped_column(comment="Time frame of collection.")
    participants_affected_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of participants_affected when it broke a rule."
    )
    participants_at_risk_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of participants_at_risk when it broke a rule."
    )
    event_count_raw: Mapped[OptionalText] = mapped_column(
        comment="The registry's text of event_count when it broke a rule."
    )
    note: Mapped[OptionalText] = mapped_column(comment="Curator's or registry's note.")
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True, comment="Source of the counts."
    )
