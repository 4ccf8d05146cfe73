"""Code tables: the registry's codes and free-text types translated into our vocabularies."""

from __future__ import annotations

import re

from evidencedb.enums import (
    ArmRole,
    ComparisonMeasure,
    EndpointDomain,
    EndpointKind,
    EndpointMeasure,
    EndpointRole,
    InterventionKind,
    Registry,
    TrialDesign,
    TrialPhase,
)
from evidencedb.registries.ctgov.reader import Node

ARM_ROLES = {
    "EXPERIMENTAL": ArmRole.EXPERIMENTAL,
    "ACTIVE_COMPARATOR": ArmRole.ACTIVE_COMPARATOR,
    "PLACEBO_COMPARATOR": ArmRole.PLACEBO_COMPARATOR,
    "NO_INTERVENTION": ArmRole.NO_INTERVENTION,
    "SHAM_COMPARATOR": ArmRole.OTHER,
    "OTHER": ArmRole.OTHER,
}

INTERVENTION_KINDS = {
    "DRUG": InterventionKind.DRUG,
    "BIOLOGICAL": InterventionKind.BIOLOGICAL,
    "PROCEDURE": InterventionKind.PROCEDURE,
    "RADIATION": InterventionKind.RADIATION,
    "DEVICE": InterventionKind.DEVICE,
    "BEHAVIORAL": InterventionKind.BEHAVIORAL,
}

_PHASES = {
    ("EARLY_PHASE1",): TrialPhase.EARLY_PHASE_1,
    ("PHASE1",): TrialPhase.PHASE_1,
    ("PHASE1", "PHASE2"): TrialPhase.PHASE_1_2,
    ("PHASE2",): TrialPhase.PHASE_2,
    ("PHASE2", "PHASE3"): TrialPhase.PHASE_2_3,
    ("PHASE3",): TrialPhase.PHASE_3,
    ("PHASE4",): TrialPhase.PHASE_4,
    ("NA",): TrialPhase.NOT_APPLICABLE,
}

OUTCOME_ROLES = {
    "PRIMARY": EndpointRole.PRIMARY,
    "SECONDARY": EndpointRole.SECONDARY,
    "OTHER_PRE_SPECIFIED": EndpointRole.EXPLORATORY,
    "POST_HOC": EndpointRole.POST_HOC,
}

# Order matters: the first pattern that matches a title decides. Conservative on purpose: an
# endpoint is only given a kind its title names unmistakably; everything else is `other`.
_ENDPOINT_KINDS: list[tuple[re.Pattern[str], EndpointKind]] = [
    (re.compile(r"\boverall survival\b"), EndpointKind.OVERALL_SURVIVAL),
    (re.compile(r"\bevent[- ]free survival\b"), EndpointKind.EVENT_FREE_SURVIVAL),
    (re.compile(r"\bdisease[- ]free survival\b"), EndpointKind.DISEASE_FREE_SURVIVAL),
    (re.compile(r"\bprogression[- ]free survival\b"), EndpointKind.PROGRESSION_FREE_SURVIVAL),
    (re.compile(r"\brelapse[- ]free survival\b"), EndpointKind.OTHER),
    (
        re.compile(r"\b(mrd|(minimal|measurable) residual disease)\b[- ]?(\w+ )?negativ"),
        EndpointKind.MRD_NEGATIVITY,
    ),
    (re.compile(r"\bcomplete remission\b"), EndpointKind.COMPLETE_REMISSION),
    (
        re.compile(r"\b(objective|overall) response rate\b|\b(objective|tumou?r) response\b"),
        EndpointKind.RESPONSE,
    ),
    (
        re.compile(
            r"\b(relapse rate|rates? of relapse|time to (first )?relapse|incidence of relapse"
            r"|relapse incidence|risk of relapse|number of relapses|(with|who) relapsed?)\b"
        ),
        EndpointKind.RELAPSE,
    ),
    (re.compile(r"\btoxicit(y|ies)\b"), EndpointKind.TOXICITY),
    (
        re.compile(r"\badverse (events?|reactions?)\b|\b(te)?aes?\b|\bsaes?\b"),
        EndpointKind.ADVERSE_EVENTS,
    ),
]
_SAFETY_KINDS = {EndpointKind.TOXICITY, EndpointKind.ADVERSE_EVENTS}


def endpoint_kind(title: str) -> EndpointKind:
    text = title.casefold()
    for pattern, kind in _ENDPOINT_KINDS:
        if pattern.search(text):
            return kind
    return EndpointKind.OTHER


def endpoint_domain(kind: EndpointKind) -> EndpointDomain | None:
    if kind == EndpointKind.OTHER:
        return None
    return EndpointDomain.SAFETY if kind in _SAFETY_KINDS else EndpointDomain.EFFICACY


def endpoint_measure(param_type: str | None, percent: bool) -> EndpointMeasure | None:
    """What an outcome measure's values are, from its parameter type (and its unit)."""
    if param_type is None:
        return None
    if param_type == "COUNT_OF_PARTICIPANTS":
        return EndpointMeasure.COUNT
    if param_type == "MEDIAN":
        return EndpointMeasure.MEDIAN
    if "MEAN" in param_type:
        return EndpointMeasure.MEAN
    if param_type == "NUMBER" and percent:
        return EndpointMeasure.PROPORTION
    return EndpointMeasure.OTHER


# The effect measure of an analysis, from its free-text parameter type: the first pattern that
# matches decides, so the specific ones (a geometric LS mean ratio) come before the general.
_COMPARISON_MEASURES: list[tuple[re.Pattern[str], ComparisonMeasure]] = [
    (re.compile(r"hazard"), ComparisonMeasure.HAZARD_RATIO),
    (re.compile(r"odds ratio|\bor\b"), ComparisonMeasure.ODDS_RATIO),
    (re.compile(r"geometric.*ratio|ratio.*geometric"), ComparisonMeasure.GEOMETRIC_MEAN_RATIO),
    (
        re.compile(r"risk ratio|relative risk|ratio of (response|event) rates?|\brr\b"),
        ComparisonMeasure.RISK_RATIO,
    ),
    (re.compile(r"rate ratio|ratio of rates"), ComparisonMeasure.RATE_RATIO),
    (
        re.compile(
            r"(ls|least squares?|lsmean).*ratio|ratio of (adjusted |ls )?means|means ratio"
            r"|ratio of least"
        ),
        ComparisonMeasure.MEAN_RATIO,
    ),
    (
        re.compile(
            r"risk difference|percent(age)? difference|difference in (proportions|percentages"
            r"|rates of response)|\brd\b"
        ),
        ComparisonMeasure.RISK_DIFFERENCE,
    ),
    (re.compile(r"median difference"), ComparisonMeasure.MEDIAN_DIFFERENCE),
    (
        re.compile(
            r"(ls|least[- ]squares?|lsmean)\b.*(difference|comparison)|difference.*\b(ls|least"
            r"[- ]squares?)\b|adjusted least square"
        ),
        ComparisonMeasure.LEAST_SQUARES_MEAN_DIFFERENCE,
    ),
    (re.compile(r"mean difference|difference in means"), ComparisonMeasure.MEAN_DIFFERENCE),
    (re.compile(r"rate difference"), ComparisonMeasure.RATE_DIFFERENCE),
    (re.compile(r"number needed to treat"), ComparisonMeasure.NUMBER_NEEDED_TO_TREAT),
]


def comparison_measure(param_type: str) -> ComparisonMeasure:
    """The effect measure of a statistical analysis, from its free-text parameter type; the
    registry's words stay beside it (`measure_detail`)."""
    text = " ".join(param_type.casefold().replace("(", " ").replace(")", " ").split())
    for pattern, measure in _COMPARISON_MEASURES:
        if pattern.search(text):
            return measure
    return ComparisonMeasure.OTHER


def code_words(code: str | None) -> str | None:
    """A code as words: "NON_INFERIORITY" -> "non inferiority"."""
    return None if code is None else code.replace("_", " ").lower()


def design_allocation(design: Node | None) -> str | None:
    """The design's allocation code (RANDOMIZED, NON_RANDOMIZED, NA), if it has one."""
    info = design.node("designInfo") if design else None
    return info.text("allocation") if info else None


def trial_design(design: Node | None) -> TrialDesign | None:
    if design is None:
        return None
    study_type = design.text("studyType")
    if study_type == "OBSERVATIONAL":
        return TrialDesign.OBSERVATIONAL
    if study_type == "EXPANDED_ACCESS":
        return TrialDesign.OTHER
    if study_type != "INTERVENTIONAL":
        return None
    info = design.node("designInfo")
    allocation = info.text("allocation") if info else None
    model = info.text("interventionModel") if info else None
    if allocation == "RANDOMIZED":
        return TrialDesign.RANDOMIZED
    if allocation == "NON_RANDOMIZED":
        return TrialDesign.NON_RANDOMIZED
    if model == "SINGLE_GROUP":
        return TrialDesign.SINGLE_ARM
    return TrialDesign.OTHER if allocation or model else None


def trial_phase(design: Node | None) -> TrialPhase | None:
    if design is None:
        return None
    phases = tuple(sorted({text for _, text in design.texts("phases")}))
    return _PHASES.get(phases)


def trial_status(status: Node | None) -> str | None:
    code = status.text("overallStatus") if status else None
    return code.lower() if code else None


def secondary_registry(type_code: str | None, value: str | None) -> Registry | None:
    """The registry of a secondary id, or None for what is not a trial registration: grant and
    funder numbers (NIH, OTHER_GRANT, FDA, ...) are shared by many studies; they identify money,
    not a trial."""
    if value is None:
        return None
    text = value.strip().upper()
    if type_code == "EUDRACT_NUMBER":
        return Registry.EUDRACT
    if type_code == "CTIS":
        return Registry.CTIS
    if type_code not in ("REGISTRY", "OTHER", None):
        return None
    if re.fullmatch(r"ISRCTN\d{8}", text):
        return Registry.ISRCTN
    if re.fullmatch(r"(NL-?OMON|NTR)\d+", text):
        return Registry.NTR
    if re.fullmatch(r"\d{4}-\d{6}-\d{2}-\d{2}", text):
        return Registry.CTIS
    if re.fullmatch(r"(EUDRACT[ :#-]*)?\d{4}-\d{6}-\d{2}", text):
        return Registry.EUDRACT
    return Registry.OTHER
