"""The fact records: arm-level results, between-arm comparisons and adverse events."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict, model_validator

from evidencedb.enums import (
    RATIO_MEASURES,
    AdverseEventCategory,
    ComparisonMeasure,
    ComparisonOrigin,
    DirectionBasis,
    ParameterType,
    SpreadType,
)
from evidencedb.records.base import (
    Cited,
    Count,
    Fraction,
    Grade,
    Key,
    Number,
    Probability,
    Qualifier,
    Text,
)


class _Interval(Cited):
    ci_lower: Number | None = None
    ci_upper: Number | None = None
    ci_level: Fraction | None = None

    @model_validator(mode="after")
    def _ci_ordered(self) -> _Interval:
        if (
            self.ci_lower is not None
            and self.ci_upper is not None
            and self.ci_lower > self.ci_upper
        ):
            raise ValueError(f"ci_lower {self.ci_lower} is above ci_upper {self.ci_upper}")
        return self


class ResultRecord(_Interval):
    endpoint: Key
    arm: Key
    subgroup: Annotated[str, Strict()] = ""
    category: Annotated[str, Strict()] = ""
    value: Number | None = None
    value_qualifier: Qualifier | None = None
    unit: Text | None = None
    numerator: Count | None = None
    denominator: Count | None = None
    spread: Annotated[Number, Field(ge=0)] | None = None
    spread_type: SpreadType | None = None
    spread_lower: Number | None = None
    spread_upper: Number | None = None
    n_analyzed: Count | None = None
    parameter_type: ParameterType | None = None
    units_analyzed: Count | None = Field(
        None, description="Units analysed when they are not participants (eyes, lesions, ...)."
    )
    analysis_unit: Text | None = Field(None, description="What `units_analyzed` counts.")
    # The source's own text of a value that did not parse or broke a rule (registry records).
    value_raw: Text | None = None
    spread_raw: Text | None = None
    lower_limit_raw: Text | None = None
    upper_limit_raw: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ResultRecord:
        if (
            self.numerator is not None
            and self.denominator is not None
            and self.numerator > self.denominator
        ):
            raise ValueError(f"numerator {self.numerator} exceeds denominator {self.denominator}")
        if self.unit == "%":
            for name in ("value", "ci_lower", "ci_upper"):
                number = getattr(self, name)
                if number is not None and not 0 <= number <= 100:
                    raise ValueError(f"{name} {number} is not a percentage (0-100)")
        return self


class ComparisonRecord(_Interval):
    endpoint: Key
    arm: Key
    comparator: Key | None = Field(None, description="Comparator arm; omit for one-group analyses.")
    label: Annotated[str, Strict()] = ""
    groups: list[Key] = Field(
        default_factory=list, description="Every arm in the analysis, when more than two."
    )
    measure: ComparisonMeasure
    measure_label: Text | None = None
    measure_detail: Text | None = Field(
        None, description="The source's own words for the measure (a registry's parameter type)."
    )
    value: Number | None = None
    p_value: Probability | None = None
    p_value_qualifier: Qualifier | None = None
    method: Text | None = None
    origin: ComparisonOrigin = ComparisonOrigin.REPORTED
    randomized: Annotated[bool, Strict()] | None = None
    direction_basis: DirectionBasis | None = Field(
        None, description="How the arm of interest was told from the comparator."
    )
    description: Text | None = Field(None, description="What the analysis is of, in words.")
    statistical_comment: Text | None = None
    estimate_comment: Text | None = None
    non_inferiority_type: Text | None = None
    non_inferiority_comment: Text | None = None
    ci_sides: Annotated[int, Strict(), Field(ge=1, le=2)] | None = None
    dispersion_type: SpreadType | None = None
    dispersion_value: Annotated[Number, Field(ge=0)] | None = None
    # The source's own text of a value that did not parse or broke a rule (registry records).
    value_raw: Text | None = None
    ci_lower_raw: Text | None = None
    ci_upper_raw: Text | None = None
    p_value_raw: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _ratio_positive(self) -> ComparisonRecord:
        if self.measure in RATIO_MEASURES:
            if self.value is not None and self.value <= 0:
                raise ValueError(f"value of a {self.measure} must be above 0, not {self.value}")
            if self.ci_lower is not None and self.ci_lower < 0:
                raise ValueError(f"ci_lower of a {self.measure} cannot be negative")
        return self


class AdverseEventRecord(Cited):
    arm: Key
    term: Text
    organ_system: Annotated[str, Strict()] = ""
    category: AdverseEventCategory
    grade: Grade = ""
    is_aggregate: Annotated[bool, Strict()] = False
    vocabulary: Text | None = None
    participants_affected: Count | None = None
    participants_at_risk: Count | None = None
    participants_affected_percent: Annotated[Number, Field(ge=0, le=100)] | None = Field(
        None, description="Percentage of participants affected, as the source gives it (0-100)."
    )
    event_count: Count | None = None
    time_frame: Text | None = None
    # The source's own text of a count that broke a rule (registry records).
    participants_affected_raw: Text | None = None
    participants_at_risk_raw: Text | None = None
    event_count_raw: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _affected_within_at_risk(self) -> AdverseEventRecord:
        affected, at_risk = self.participants_affected, self.participants_at_risk
        if affected is not None and at_risk is not None and affected > at_risk:
            raise ValueError(
                f"participants_affected {affected} exceeds participants_at_risk {at_risk}"
            )
        return self
