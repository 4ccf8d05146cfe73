"""Controlled vocabularies shared by the models, the seed-file schema and the importers.

Values are stored as their lower-case strings (VARCHAR plus a CHECK constraint), so the
database reads the same in SQL, in CSV and in YAML.
"""

from __future__ import annotations

from enum import StrEnum


class SourceKind(StrEnum):
    JOURNAL_ARTICLE = "journal_article"
    NEWS_REPORT = "news_report"
    REGISTRY_RECORD = "registry_record"
    CONFERENCE_ABSTRACT = "conference_abstract"
    OTHER = "other"


class SourceOrigin(StrEnum):
    """How a source row entered the database; a load replaces only the facts of its origin."""

    CURATED = "curated"
    CTGOV = "ctgov"


class TrialDesign(StrEnum):
    RANDOMIZED = "randomized"
    SINGLE_ARM = "single_arm"
    NON_RANDOMIZED = "non_randomized"
    OBSERVATIONAL = "observational"
    OTHER = "other"


class TrialPhase(StrEnum):
    EARLY_PHASE_1 = "early_phase_1"
    PHASE_1 = "phase_1"
    PHASE_1_2 = "phase_1_2"
    PHASE_2 = "phase_2"
    PHASE_2_3 = "phase_2_3"
    PHASE_3 = "phase_3"
    PHASE_4 = "phase_4"
    NOT_APPLICABLE = "not_applicable"


class Registry(StrEnum):
    NCT = "nct"
    EUDRACT = "eudract"
    ISRCTN = "isrctn"
    CTIS = "ctis"
    NTR = "ntr"
    ORG_STUDY_ID = "org_study_id"
    OTHER = "other"


class TrialSourceRelation(StrEnum):
    PRIMARY_REPORT = "primary_report"
    SECONDARY_REPORT = "secondary_report"
    REGISTRY_RECORD = "registry_record"
    NEWS_REPORT = "news_report"
    RESULTS_PUBLICATION = "results_publication"  # a registry record's reference of type RESULT
    BACKGROUND = "background"  # any other reference of a registry record


class InterventionKind(StrEnum):
    DRUG = "drug"
    BIOLOGICAL = "biological"
    PROCEDURE = "procedure"
    RADIATION = "radiation"
    DEVICE = "device"
    BEHAVIORAL = "behavioral"
    OTHER = "other"


class ArmRole(StrEnum):
    EXPERIMENTAL = "experimental"
    ACTIVE_COMPARATOR = "active_comparator"
    PLACEBO_COMPARATOR = "placebo_comparator"
    NO_INTERVENTION = "no_intervention"
    HISTORICAL_CONTROL = "historical_control"
    EXTERNAL_CONTROL = "external_control"
    OTHER = "other"


COMPARATOR_ROLES = frozenset(
    {
        ArmRole.ACTIVE_COMPARATOR,
        ArmRole.PLACEBO_COMPARATOR,
        ArmRole.NO_INTERVENTION,
        ArmRole.HISTORICAL_CONTROL,
        ArmRole.EXTERNAL_CONTROL,
    }
)
# Arms whose patients were not randomised against the trial's experimental arm.
NON_CONCURRENT_ROLES = frozenset({ArmRole.HISTORICAL_CONTROL, ArmRole.EXTERNAL_CONTROL})


class EndpointKind(StrEnum):
    OVERALL_SURVIVAL = "overall_survival"
    EVENT_FREE_SURVIVAL = "event_free_survival"
    DISEASE_FREE_SURVIVAL = "disease_free_survival"
    PROGRESSION_FREE_SURVIVAL = "progression_free_survival"
    RELAPSE = "relapse"
    MRD_NEGATIVITY = "mrd_negativity"
    COMPLETE_REMISSION = "complete_remission"
    RESPONSE = "response"
    TOXICITY = "toxicity"
    ADVERSE_EVENTS = "adverse_events"
    OTHER = "other"


class EndpointRole(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    EXPLORATORY = "exploratory"
    POST_HOC = "post_hoc"
    UNSPECIFIED = "unspecified"


class EndpointDomain(StrEnum):
    EFFICACY = "efficacy"
    SAFETY = "safety"


class EndpointMeasure(StrEnum):
    PROPORTION = "proportion"
    KM_ESTIMATE = "km_estimate"
    COUNT = "count"
    MEDIAN = "median"
    MEAN = "mean"
    OTHER = "other"


class ValueQualifier(StrEnum):
    """How a reported value bounds the truth: "less than 40%", "median not reached"."""

    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    NOT_REACHED = "not_reached"
    # A p-value the registry writes "=0.247": equal, not a bound; kept so that no modifier of
    # the registry's text is lost.
    EQ = "="


class SpreadType(StrEnum):
    STANDARD_DEVIATION = "standard_deviation"
    STANDARD_ERROR = "standard_error"
    INTERQUARTILE_RANGE = "interquartile_range"
    FULL_RANGE = "full_range"
    COEFFICIENT_OF_VARIATION = "coefficient_of_variation"
    GEOMETRIC_COEFFICIENT_OF_VARIATION = "geometric_coefficient_of_variation"
    OTHER = "other"


class ParameterType(StrEnum):
    """What a registry measurement's value is: its parameter type, finely."""

    MEAN = "mean"
    LEAST_SQUARES_MEAN = "least_squares_mean"
    GEOMETRIC_MEAN = "geometric_mean"
    GEOMETRIC_LEAST_SQUARES_MEAN = "geometric_least_squares_mean"
    LOG_MEAN = "log_mean"
    MEDIAN = "median"
    NUMBER = "number"
    COUNT_OF_PARTICIPANTS = "count_of_participants"
    COUNT_OF_UNITS = "count_of_units"
    OTHER = "other"


class ComparisonMeasure(StrEnum):
    HAZARD_RATIO = "hazard_ratio"
    RISK_RATIO = "risk_ratio"
    ODDS_RATIO = "odds_ratio"
    RISK_DIFFERENCE = "risk_difference"
    MEAN_DIFFERENCE = "mean_difference"
    MEDIAN_DIFFERENCE = "median_difference"
    RATE_DIFFERENCE = "rate_difference"
    NUMBER_NEEDED_TO_TREAT = "number_needed_to_treat"
    LEAST_SQUARES_MEAN_DIFFERENCE = "least_squares_mean_difference"
    GEOMETRIC_MEAN_RATIO = "geometric_mean_ratio"
    MEAN_RATIO = "mean_ratio"
    RATE_RATIO = "rate_ratio"
    OTHER = "other"


RATIO_MEASURES = frozenset(
    {
        ComparisonMeasure.HAZARD_RATIO,
        ComparisonMeasure.RISK_RATIO,
        ComparisonMeasure.ODDS_RATIO,
        ComparisonMeasure.GEOMETRIC_MEAN_RATIO,
        ComparisonMeasure.MEAN_RATIO,
        ComparisonMeasure.RATE_RATIO,
    }
)


class DirectionBasis(StrEnum):
    """How the arm of interest of a reported comparison was told from its comparator."""

    STATED = "stated"  # the analysis's own text: "CZP/Placebo", "Treatment - Placebo"
    ARM_ROLES = "arm_roles"  # the experimental arm against the comparator arm
    ARM_DATA = "arm_data"  # the only orientation consistent with the two arms' own results
    UNKNOWN = "unknown"  # none of these: the registry's order of the groups


class MatchBasis(StrEnum):
    """How a registry results group was bound to the protocol's arm group."""

    TITLE = "title"
    DESCRIPTION = "description"
    INTERVENTIONS = "interventions"
    GROUP_ID = "group_id"
    NONE = "none"  # bound to no protocol arm: a results-only arm


class ComparisonOrigin(StrEnum):
    REPORTED = "reported"
    DERIVED = "derived"


class AdverseEventCategory(StrEnum):
    SERIOUS = "serious"
    NON_SERIOUS = "non_serious"
    ANY = "any"


# A CTCAE grade, "grade N or higher", or a range of grades as reports give them ("grade 3-4").
AE_GRADE_RANGES = tuple(f"{low}-{high}" for low in range(1, 5) for high in range(low + 1, 6))
AE_GRADES = ("1", "2", "3", "4", "5", ">=1", ">=2", ">=3", ">=4", ">=5", *AE_GRADE_RANGES)


class MetaMeasure(StrEnum):
    """The effect measures a meta-analysis pools: ratios on the log scale, differences as is."""

    RISK_RATIO = "risk_ratio"
    ODDS_RATIO = "odds_ratio"
    RISK_DIFFERENCE = "risk_difference"
    MEAN_DIFFERENCE = "mean_difference"
    STANDARDIZED_MEAN_DIFFERENCE = "standardized_mean_difference"
    HAZARD_RATIO = "hazard_ratio"

    @property
    def is_ratio(self) -> bool:
        return self in (MetaMeasure.RISK_RATIO, MetaMeasure.ODDS_RATIO, MetaMeasure.HAZARD_RATIO)


class MetaMethod(StrEnum):
    """How studies are pooled: a common effect (FE, MH, PETO) or random effects by τ² estimator."""

    FE = "FE"
    MH = "MH"
    PETO = "PETO"
    DL = "DL"
    REML = "REML"
    ML = "ML"
    PM = "PM"
    HE = "HE"
    SJ = "SJ"
    EB = "EB"

    @property
    def is_random(self) -> bool:
        return self not in (MetaMethod.FE, MetaMethod.MH, MetaMethod.PETO)


class FlowKind(StrEnum):
    """What a participant-flow row counts: a milestone (STARTED, COMPLETED, ...) or a reason
    for withdrawal."""

    MILESTONE = "milestone"
    WITHDRAWAL_REASON = "withdrawal_reason"


class Masking(StrEnum):
    """How many roles are kept unaware of the assignment (the registry's masking)."""

    NONE = "none"
    SINGLE = "single"
    DOUBLE = "double"
    TRIPLE = "triple"
    QUADRUPLE = "quadruple"


class PrimaryPurpose(StrEnum):
    TREATMENT = "treatment"
    PREVENTION = "prevention"
    DIAGNOSTIC = "diagnostic"
    SUPPORTIVE_CARE = "supportive_care"
    SCREENING = "screening"
    HEALTH_SERVICES_RESEARCH = "health_services_research"
    BASIC_SCIENCE = "basic_science"
    DEVICE_FEASIBILITY = "device_feasibility"
    ECT = "ect"  # educational/counseling/training
    OTHER = "other"


class Sex(StrEnum):
    """Who may enrol, by sex."""

    ALL = "all"
    FEMALE = "female"
    MALE = "male"


class DateType(StrEnum):
    """Whether an enrollment or a date has happened (actual) or is planned (estimated)."""

    ACTUAL = "actual"
    ESTIMATED = "estimated"
