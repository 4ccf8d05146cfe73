"""The validated record: one trial with its sources, arms, endpoints and facts.

Every input becomes a `TrialFile` first. Seed files are parsed into it directly (this module
is their schema, and `seeds/schema.json` is generated from it); the ClinicalTrials.gov
importer builds the same objects. The loader writes nothing that did not pass through here.

Checks that need only one file live here (types, enums, ranges, unique keys, references to
arms and endpoints of the same file). Checks that need other files or the database (a source
or intervention declared elsewhere, the trial a historical control came from) are the
loader's, which reports them with the same file, line and path.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)

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
    SpreadType,
    TrialDesign,
    TrialPhase,
    TrialSourceRelation,
    ValueQualifier,
)
from evidencedb.seedfiles.yamlfile import Location

SCHEMA_VERSION = 1

Key = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=200),
    Field(description="A key: letters, digits and . _ : - ; unique where the table says."),
]
Text = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=20_000)]
Count = Annotated[int, Strict(), Field(ge=0, le=2_000_000_000)]


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if isinstance(value, bool):  # YAML `yes` must not pass as 1
        raise ValueError("must be a number, not true/false")
    return value


Number = Annotated[float, BeforeValidator(_finite), Strict(False), Field(allow_inf_nan=False)]
Fraction = Annotated[float, BeforeValidator(_finite), Field(gt=0, lt=1)]
Probability = Annotated[float, BeforeValidator(_finite), Field(ge=0, le=1)]
PartialDate = Annotated[
    str,
    BeforeValidator(lambda value: str(value) if isinstance(value, int) else value),
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    Field(description="ISO 8601 date, month or year: 2023, 2023-04, 2023-04-20"),
]

_QUALIFIER_SPELLINGS = {"≤": "<=", "≥": ">=", "not reached": "not_reached", "=<": "<=", "=>": ">="}


def _qualifier(value: Any) -> Any:
    return _QUALIFIER_SPELLINGS.get(value, value) if isinstance(value, str) else value


Qualifier = Annotated[ValueQualifier, BeforeValidator(_qualifier)]


def _grade(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = value.replace("≥", ">=").replace(" ", "")
        if value not in ("", *AE_GRADES):
            raise ValueError("a CTCAE grade 1-5, or '>=N' for grade N or higher")
    return value


Grade = Annotated[str, BeforeValidator(_grade)]


class Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_by_name=True, validate_by_alias=True
    )


class Cited(Record):
    """A row that states something: it names its source and the words that state it."""

    source: Key = Field(description="Key of the source that states this.")
    quote: Text | None = Field(
        None, description="Short verbatim words of the source (required when it is a document)."
    )
    locator: Text | None = Field(
        None, description="Page or section of a document, or JSON path in a registry record."
    )


class FieldQuotes(Record):
    """A row whose fields may each be backed by their own quote."""

    quotes: dict[str, Text] = Field(
        default_factory=dict,
        description="A verbatim quote for each described field: {field: quote}.",
    )

    @model_validator(mode="after")
    def _quotes_name_fields(self) -> FieldQuotes:
        unknown = sorted(set(self.quotes) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"quotes names fields that do not exist: {', '.join(unknown)}")
        return self


class Described(Cited, FieldQuotes):
    """A cited row with per-field quotes: trials, arms, endpoints."""


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
    interventions: list[ArmInterventionRecord] = Field(default_factory=list)


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
    definition: Text | None = None
    assessment_method: Text | None = None


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
    value: Number | None = None
    p_value: Probability | None = None
    p_value_qualifier: Qualifier | None = None
    method: Text | None = None
    origin: ComparisonOrigin = ComparisonOrigin.REPORTED
    randomized: Annotated[bool, Strict()] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _ratio_positive(self) -> ComparisonRecord:
        if self.measure in ("hazard_ratio", "risk_ratio", "odds_ratio"):
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
    event_count: Count | None = None
    time_frame: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _affected_within_at_risk(self) -> AdverseEventRecord:
        affected, at_risk = self.participants_affected, self.participants_at_risk
        if affected is not None and at_risk is not None and affected > at_risk:
            raise ValueError(
                f"participants_affected {affected} exceeds participants_at_risk {at_risk}"
            )
        return self


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


def local_problems(data: TrialFile) -> Iterator[tuple[Location, str]]:
    """Problems visible within one file: duplicate keys and references to undeclared arms or
    endpoints. Each comes with the location of the offending value."""
    yield from _duplicates("sources", [source.key for source in data.sources])
    yield from _duplicates("interventions", [item.key for item in data.interventions])
    yield from _duplicates("arms", [arm.key for arm in data.arms])
    yield from _duplicates("endpoints", [endpoint.key for endpoint in data.endpoints])
    arms = {arm.key for arm in data.arms}
    endpoints = {endpoint.key for endpoint in data.endpoints}

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
    for index, event in enumerate(data.adverse_events):
        yield from unknown_arm(("adverse_events", index, "arm"), event.arm)
    for index, arm in enumerate(data.arms):
        if arm.source_trial == data.trial.key:
            yield ("arms", index, "source_trial"), "a control arm cannot come from its own trial"


def _duplicates(section: str, keys: list[str]) -> Iterator[tuple[Location, str]]:
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            yield (section, index, "key"), f"duplicate key {key!r}"
        seen.add(key)


def _listing(keys: set[str]) -> str:
    return ", ".join(sorted(keys)) if keys else "(none)"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a seed file, for editors (written to seeds/schema.json)."""
    return TrialFile.model_json_schema(by_alias=True)
