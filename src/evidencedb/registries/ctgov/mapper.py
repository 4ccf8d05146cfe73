"""ClinicalTrials.gov API v2 study records -> the validated records seed files produce.

`map_study` turns one study's JSON into a `TrialFile` inside a `Bundle` (origin `ctgov`), ready
for the one loader; nothing here touches the database. Every fact names the registry record as
its source and carries, as `locator`, the JSON path of the field it came from, so a number can
be traced back to `resultsSection.outcomeMeasuresModule.outcomeMeasures[3]...measurements[1]`.

Problems are collected, not raised one by one: a study with three bad fields yields three
problems, each with the file and the JSON path of the field, the way seed files report theirs.

Mapping decisions that are not obvious from the code:
- results groups (OG.../EG...) become the arm of the protocol's arm group with the same title
  (ignoring case, spacing and a leading "1." numbering), or an arm of their own; a title seen
  in outcomes and in adverse events is one arm;
- results outcome measures are matched to the planned outcomes by title; planned outcomes keep
  the keys `primary-N`, `secondary-N`, `other-N` (N counts from 1 in the registry's order), an
  outcome measure without a planned match gets `results-N` (its place in outcomeMeasures);
- a unit becomes '%' only when it says "percentage of participants" (or just "%") and every
  value of the measure lies within 0-100; otherwise the registry's unit text is kept;
- values the registry gives as "NA" or as words are stored as NULL, with the registry's comment
  or words in the note; "<0.0001" is 0.0001 with the qualifier '<'.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from evidencedb.enums import (
    COMPARATOR_ROLES,
    AdverseEventCategory,
    ArmRole,
    ComparisonMeasure,
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
from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.bundle import Bundle, pydantic_problems
from evidencedb.records.facts import AdverseEventRecord, ComparisonRecord, ResultRecord
from evidencedb.records.location import Location, format_location
from evidencedb.records.trial import (
    ArmInterventionRecord,
    ArmRecord,
    EndpointRecord,
    InterventionRecord,
    SourceRecord,
    TrialRecord,
    TrialSourceRecord,
)
from evidencedb.records.trial_file import TrialFile, local_problems
from evidencedb.registries.ctgov.files import StudyInput

SOURCE_KEY_PREFIX = "ctgov-"
STUDY_URL = "https://clinicaltrials.gov/study/{}"
NCT_PATTERN = re.compile(r"^NCT\d{8}$")

Model = TypeVar("Model", bound=BaseModel)
_G = TypeVar("_G")  # what a group id stands for: an arm, or an event group and its arm
JsonPath = tuple[str | int, ...]

# --------------------------------------------------------------------------------------------
# Versions: which of two records of one study is the newer, read without mapping either.


@dataclass(frozen=True)
class StudyVersion:
    nct_id: str | None
    version: str | None  # the last-update date, ISO 8601; None when the record has none


def source_key(nct_id: str) -> str:
    return f"{SOURCE_KEY_PREFIX}{nct_id}"


def peek_version(data: Any) -> StudyVersion:
    """The NCT id and last-update date of a study, or None where they cannot be read (the
    mapping then reports why)."""

    def step(value: Any, *keys: str) -> Any:
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    nct = step(data, "protocolSection", "identificationModule", "nctId")
    status = step(data, "protocolSection", "statusModule")
    version = step(status, "lastUpdatePostDateStruct", "date") or step(
        status, "lastUpdateSubmitDate"
    )
    return StudyVersion(
        nct if isinstance(nct, str) and NCT_PATTERN.match(nct) else None,
        version if isinstance(version, str) and version.strip() else None,
    )


def is_newer(version: str | None, than: str | None) -> bool:
    """A record without a last-update date counts as older than any record with one."""
    if version is None:
        return False
    return than is None or version > than


# --------------------------------------------------------------------------------------------
# Typed access to the JSON, noting every wrong type with its path.


class _Issues:
    def __init__(self, study: StudyInput) -> None:
        self.study = study
        self.problems: list[Problem] = []
        self._seen: set[Problem] = set()

    def add(self, path: JsonPath, message: str) -> None:
        # A field read twice (for a value and for a decision) is reported once.
        problem = self.study.problem(format_location(path), message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


@dataclass(frozen=True)
class _Node:
    """An object of the study's JSON and where it is."""

    data: dict[str, Any]
    path: JsonPath
    issues: _Issues

    def locator(self, *parts: str | int) -> str:
        return format_location((*self.path, *parts))

    def _typed(self, key: str, expected: str, accepts: Callable[[Any], bool]) -> Any:
        value = self.data.get(key)
        if value is None:
            return None
        if not accepts(value):
            self.issues.add((*self.path, key), f"expected {expected}, not {_json_type(value)}")
            return None
        return value

    def node(self, key: str) -> _Node | None:
        value = self._typed(key, "an object", lambda v: isinstance(v, dict))
        return None if value is None else _Node(value, (*self.path, key), self.issues)

    def nodes(self, key: str) -> list[_Node]:
        values = self._typed(key, "a list", lambda v: isinstance(v, list)) or []
        found = []
        for index, value in enumerate(values):
            if isinstance(value, dict):
                found.append(_Node(value, (*self.path, key, index), self.issues))
            else:
                message = f"expected an object, not {_json_type(value)}"
                self.issues.add((*self.path, key, index), message)
        return found

    def text(self, key: str) -> str | None:
        value = self._typed(key, "a string", lambda v: isinstance(v, str))
        return (value.strip() or None) if isinstance(value, str) else None

    def required(self, key: str, what: str) -> str | None:
        """A string the record must have: missing is a problem (so is a wrong type, once)."""
        value = self.text(key)
        raw = self.data.get(key)
        if value is None and (raw is None or isinstance(raw, str)):
            self.issues.add((*self.path, key), f"missing: {what}")
        return value

    def group_in(
        self, groups: Mapping[str, _G], seen: set[str], *, missing: str, among: str, twice: str
    ) -> tuple[str, _G] | None:
        """This node's `groupId` and what it names among `groups`, once per `seen`. A missing id
        (`missing`: what it is), an id not among them (`among`: what they are) and one already
        in `seen` (`twice`: what that means) are problems."""
        group_id = self.required("groupId", missing)
        if group_id is None:
            return None
        found = groups.get(group_id)
        if found is None:
            message = f"group {group_id!r} is not among {among}"
            self.issues.add((*self.path, "groupId"), message)
            return None
        if group_id in seen:
            self.issues.add((*self.path, "groupId"), f"group {group_id} {twice}")
            return None
        seen.add(group_id)
        return group_id, found

    def texts(self, key: str) -> list[tuple[int, str]]:
        values = self._typed(key, "a list", lambda v: isinstance(v, list)) or []
        found = []
        for index, value in enumerate(values):
            if isinstance(value, str):
                if value.strip():
                    found.append((index, value.strip()))
            else:
                message = f"expected a string, not {_json_type(value)}"
                self.issues.add((*self.path, key, index), message)
        return found

    def whole(self, key: str) -> int | None:
        """A JSON integer (counts of the adverse-events module, enrollment)."""
        value = self._typed(
            key,
            "a whole number",
            lambda v: isinstance(v, int) and not isinstance(v, bool),
        )
        return value if isinstance(value, int) else None

    def whole_text(self, key: str) -> int | None:
        """A string holding a whole number (the registry's denominators: "92")."""
        text = self.text(key)
        if text is None:
            return None
        # Ten digits at most: a count beyond that is no count, and int() of a string of more
        # than 4300 digits raises.
        if not re.fullmatch(r"[0-9]{1,10}", text):
            self.issues.add((*self.path, key), f"{text!r}: expected a whole number")
            return None
        return int(text)


# --------------------------------------------------------------------------------------------
# Numbers as the registry writes them: strings, "NA", "<0.0001", "≥ 95".

_NUMBER = re.compile(
    r"(?P<qualifier><=|>=|=<|=>|≤|≥|<|>)?\s*"
    r"(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
)
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_QUALIFIERS = {"≤": "<=", "=<": "<=", "≥": ">=", "=>": ">="}
_NOT_AVAILABLE = {"na", "n/a", "nan", "none", "null", ""}


@dataclass(frozen=True)
class _Number:
    value: float | None
    qualifier: str | None = None
    unread: str | None = None  # words the registry gave instead of a number

    @property
    def note(self) -> str | None:
        return None if self.unread is None else f"registry value {self.unread!r}"


def _number(text: str | None) -> _Number:
    if text is None or text.strip().lower() in _NOT_AVAILABLE:
        return _Number(None)
    cleaned = text.strip()
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        return _Number(None, unread=text.strip())
    value = float(match["number"])
    if not math.isfinite(value):
        return _Number(None, unread=text.strip())
    qualifier = match["qualifier"]
    return _Number(value, _QUALIFIERS.get(qualifier, qualifier) if qualifier else None)


def _join(*parts: str | None) -> str | None:
    kept = [part for part in parts if part]
    return "; ".join(kept) if kept else None


# --------------------------------------------------------------------------------------------
# Vocabularies: registry codes to ours.

_ARM_ROLES = {
    "EXPERIMENTAL": ArmRole.EXPERIMENTAL,
    "ACTIVE_COMPARATOR": ArmRole.ACTIVE_COMPARATOR,
    "PLACEBO_COMPARATOR": ArmRole.PLACEBO_COMPARATOR,
    "NO_INTERVENTION": ArmRole.NO_INTERVENTION,
    "SHAM_COMPARATOR": ArmRole.OTHER,
    "OTHER": ArmRole.OTHER,
}

_INTERVENTION_KINDS = {
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

_OUTCOME_ROLES = {
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


def _domain(kind: EndpointKind) -> EndpointDomain | None:
    if kind == EndpointKind.OTHER:
        return None
    return EndpointDomain.SAFETY if kind in _SAFETY_KINDS else EndpointDomain.EFFICACY


def _endpoint_measure(param_type: str | None, percent: bool) -> EndpointMeasure | None:
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


def comparison_measure(param_type: str) -> ComparisonMeasure:
    """The effect measure of a statistical analysis, from its free-text parameter type."""
    text = param_type.casefold()
    rules = [
        ("hazard", ComparisonMeasure.HAZARD_RATIO),
        ("odds ratio", ComparisonMeasure.ODDS_RATIO),
        ("risk ratio", ComparisonMeasure.RISK_RATIO),
        ("relative risk", ComparisonMeasure.RISK_RATIO),
        ("risk difference", ComparisonMeasure.RISK_DIFFERENCE),
        ("percentage difference", ComparisonMeasure.RISK_DIFFERENCE),
        ("percent difference", ComparisonMeasure.RISK_DIFFERENCE),
        ("difference in proportions", ComparisonMeasure.RISK_DIFFERENCE),
        ("median difference", ComparisonMeasure.MEDIAN_DIFFERENCE),
        ("mean difference", ComparisonMeasure.MEAN_DIFFERENCE),
        ("rate difference", ComparisonMeasure.RATE_DIFFERENCE),
        ("number needed to treat", ComparisonMeasure.NUMBER_NEEDED_TO_TREAT),
    ]
    for words, measure in rules:
        if words in text:
            return measure
    return ComparisonMeasure.OTHER


_PERCENT_UNIT = re.compile(
    r"(%|percent|percentage)( of (participants|patients|subjects|people|persons|individuals))?"
)


def _is_percent_unit(unit: str | None) -> bool:
    return (
        unit is not None and _PERCENT_UNIT.fullmatch(" ".join(unit.casefold().split())) is not None
    )


@dataclass(frozen=True)
class _Dispersion:
    spread_type: SpreadType | None = None  # SD, SE, other: `spread` holds the value
    limits: SpreadType | None = None  # IQR or range: lowerLimit/upperLimit are its ends
    ci_level: float | None = None  # a confidence interval: lowerLimit/upperLimit are its ends
    is_ci: bool = False
    label: str | None = None  # the registry's words, for a dispersion we have no type for


def dispersion(text: str | None) -> _Dispersion:
    """Registry dispersion types, both the API's codes (STANDARD_ERROR, CONFIDENCE_95) and the
    older display words ("Standard Error", "95% Confidence Interval")."""
    if text is None:
        return _Dispersion()
    code = re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")
    if code in ("NA", ""):
        return _Dispersion()
    if code == "STANDARD_DEVIATION":
        return _Dispersion(spread_type=SpreadType.STANDARD_DEVIATION)
    if code.startswith("STANDARD_ERROR"):
        return _Dispersion(spread_type=SpreadType.STANDARD_ERROR)
    if code in ("INTER_QUARTILE_RANGE", "INTERQUARTILE_RANGE"):
        return _Dispersion(limits=SpreadType.INTERQUARTILE_RANGE)
    if code == "FULL_RANGE":
        return _Dispersion(limits=SpreadType.FULL_RANGE)
    if "CONFIDENCE" in code:
        digits = re.search(r"\d+(?:_\d+)?", code)
        level = None
        if digits is not None:
            number = digits[0].replace("_", ".")
            # The API writes 97.5% as CONFIDENCE_975.
            percent = (
                float(number) / 10 if "." not in number and len(number) == 3 else float(number)
            )
            level = percent / 100 if 0 < percent < 100 else None
        return _Dispersion(ci_level=level, is_ci=True, label=None if level else text)
    return _Dispersion(spread_type=SpreadType.OTHER, label=text)


# --------------------------------------------------------------------------------------------
# Keys and titles that must be unique.


def slug(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].rstrip("-")


class _Keys:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, text: str, fallback: str) -> str:
        base = slug(text) or slug(fallback) or "item"
        key, number = base, 2
        while key in self.used:
            key, number = f"{base}-{number}", number + 1
        self.used.add(key)
        return key


class _Distinct:
    """The same title twice in one record becomes "title", "title (2)": natural keys include
    subgroup and category titles, and a row must not silently overwrite its twin."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, title: str) -> str:
        candidate, number = title, 1
        while candidate in self.seen:
            number += 1
            candidate = f"{title} ({number})" if title else f"({number})"
        self.seen.add(candidate)
        return candidate


def _normal_title(title: str) -> str:
    return " ".join(title.casefold().split())


def _loose_title(title: str) -> str:
    """Without a leading enumeration: "2. Repaglinide" and "Repaglinide" are one group."""
    return re.sub(r"^\(?\d+[.):]?\s+", "", _normal_title(title))


# --------------------------------------------------------------------------------------------
# Arms: the protocol's arm groups, and results groups matched to them by title.


@dataclass
class _Arm:
    key: str
    label: str
    role: ArmRole | None
    description: str | None
    locator: str
    from_protocol: bool
    n_enrolled: int | None = None
    interventions: dict[str, str] = field(default_factory=dict)  # intervention key -> locator


class _Arms:
    def __init__(self) -> None:
        self.arms: list[_Arm] = []
        self.keys = _Keys()

    def add(
        self,
        label: str,
        role: ArmRole | None,
        description: str | None,
        locator: str,
        *,
        from_protocol: bool,
        fallback_key: str,
    ) -> _Arm:
        arm = _Arm(
            self.keys.make(label, fallback_key), label, role, description, locator, from_protocol
        )
        self.arms.append(arm)
        return arm

    def find(self, title: str, taken: Iterable[str] = ()) -> _Arm | None:
        """The one arm with this title (exactly, else without numbering), not yet taken."""
        excluded = set(taken)
        for normalise in (_normal_title, _loose_title):
            wanted = normalise(title)
            found = [
                arm
                for arm in self.arms
                if arm.key not in excluded and normalise(arm.label) == wanted
            ]
            if len(found) == 1:
                return found[0]
            if found:
                return None  # ambiguous: a group of its own is safer than a wrong arm
        return None

    def group(self, node: _Node, taken: set[str]) -> tuple[str | None, _Arm]:
        """The arm of a results group (OG000, EG001, ...), created when no arm matches."""
        group_id = node.required("id", "the group's id")
        title = node.text("title") or group_id or "group"
        arm = self.find(title, taken)
        if arm is None:
            arm = self.add(
                title,
                None,
                node.text("description"),
                node.locator(),
                from_protocol=False,
                fallback_key=group_id or "group",
            )
        taken.add(arm.key)
        return group_id, arm


# --------------------------------------------------------------------------------------------
# The mapping of one study.


class RegistryBundle(Bundle):
    """A bundle whose problems point into the registry record: a problem the loader finds at
    `trial.identifiers[2]` is reported at that identifier's JSON path in the study."""

    def problem(self, location: Location, message: str) -> Problem:
        target: Any = self.data
        locator: str | None = None
        consumed = 0
        for depth, part in enumerate(location, start=1):
            try:
                target = target[part] if isinstance(part, int) else getattr(target, part)
            except (AttributeError, IndexError, KeyError, TypeError):
                break
            found = getattr(target, "locator", None)
            if isinstance(found, str):
                locator, consumed = found, depth
        if locator is None:
            return super().problem(location, message)
        rest = format_location(location[consumed:])
        prefix = format_location(self.location_prefix)
        full = f"{prefix}.{locator}" if prefix else locator
        return Problem(self.file, None, full, f"{rest}: {message}" if rest else message)


def map_study(study: StudyInput) -> RegistryBundle:
    """One study's JSON as a validated bundle; every problem found raises ValidationFailed."""
    mapper = _StudyMapper(study)
    data = mapper.run()
    if mapper.issues.problems or data is None:
        raise ValidationFailed(mapper.issues.problems)
    bundle = RegistryBundle(data, SourceOrigin.CTGOV, study.file, location_prefix=study.prefix)
    local = [bundle.problem(location, message) for location, message in local_problems(data)]
    if local:
        raise ValidationFailed(local)
    return bundle


class _StudyMapper:
    def __init__(self, study: StudyInput) -> None:
        self.study = study
        self.issues = _Issues(study)
        self.root = _Node(study.data, (), self.issues)
        self.nct = "NCT00000000"  # replaced by the record's; kept only when it has none
        self.source = source_key(self.nct)
        self.arms = _Arms()
        self.randomized = False
        self.interventions: list[InterventionRecord] = []
        self.endpoints: list[EndpointRecord] = []
        self.results: list[ResultRecord] = []
        self.comparisons: list[ComparisonRecord] = []
        self.adverse_events: list[AdverseEventRecord] = []

    # Validation of each record, with errors located at the registry field -----------------

    def _record(
        self,
        model: type[Model],
        fields: dict[str, Any],
        path: JsonPath,
        names: Mapping[str, str] | None = None,
    ) -> Model | None:
        try:
            return model.model_validate(fields)
        except ValidationError as error:
            names = names or {}

            def locate(location: Location, message: str) -> Problem:
                message = message.removeprefix("Value error, ")
                if location and str(location[0]) in names:
                    where = format_location((*path, names[str(location[0])], *location[1:]))
                    return self.study.problem(where, message)
                if location:
                    message = f"{format_location(location)}: {message}"
                return self.study.problem(format_location(path), message)

            self.issues.problems.extend(pydantic_problems(error, locate))
            return None

    def _cited(self, locator: str) -> dict[str, Any]:
        return {"source": self.source, "locator": locator}

    # The whole record ----------------------------------------------------------------------

    def run(self) -> TrialFile | None:
        protocol = self.root.node("protocolSection")
        if protocol is None:
            self.issues.add(("protocolSection",), "missing: every study record has one")
            return None
        identification = protocol.node("identificationModule")
        nct_path: JsonPath = ("protocolSection", "identificationModule", "nctId")
        if identification is None:
            self.issues.add(nct_path, "missing: the NCT id")
        nct = identification.required("nctId", "the NCT id") if identification else None
        if nct is not None and not NCT_PATTERN.match(nct):
            self.issues.add(nct_path, f"{nct!r}: not an NCT id (NCT and 8 digits)")
        elif nct is not None:
            self.nct, self.source = nct, source_key(nct)
        status = protocol.node("statusModule")
        design = protocol.node("designModule")
        self.randomized = _allocation(design) == "RANDOMIZED"

        source = self._source(identification)
        trial = self._trial(protocol, identification, status, design)
        self._protocol_arms(protocol.node("armsInterventionsModule"))
        planned = self._planned_endpoints(protocol.node("outcomesModule"))
        results = self.root.node("resultsSection")
        if results is not None:
            self._outcome_measures(results.node("outcomeMeasuresModule"), planned)
            self._adverse_events(results.node("adverseEventsModule"))
            self._participant_flow(results.node("participantFlowModule"))
        arms = self._arm_records()
        if source is None or trial is None or self.issues.problems:
            return None
        return self._record(
            TrialFile,
            {
                "sources": [source],
                "interventions": self.interventions,
                "trial": trial,
                "arms": arms,
                "endpoints": self.endpoints,
                "results": self.results,
                "comparisons": self.comparisons,
                "adverse_events": self.adverse_events,
            },
            (),
        )

    # Source and trial ------------------------------------------------------------------------

    def _source(self, identification: _Node | None) -> SourceRecord | None:
        version = peek_version(self.study.data).version
        title = (identification.text("briefTitle") if identification else None) or "study record"
        return self._record(
            SourceRecord,
            {
                "key": self.source,
                "kind": SourceKind.REGISTRY_RECORD,
                "title": f"ClinicalTrials.gov {self.nct}: {title}",
                "url": STUDY_URL.format(self.nct),
                "year": int(version[:4]) if version and version[:4].isdigit() else None,
                "record_version": version,
                "record_sha256": self.study.sha256,
            },
            ("protocolSection", "statusModule"),
        )

    def _trial(
        self,
        protocol: _Node,
        identification: _Node | None,
        status: _Node | None,
        design: _Node | None,
    ) -> TrialRecord | None:
        ident_path: JsonPath = ("protocolSection", "identificationModule")
        title = None
        acronym = None
        identifiers: list[dict[str, Any]] = []
        if identification is not None:
            title = identification.text("briefTitle") or identification.text("officialTitle")
            if title is None:
                identification.required("briefTitle", "the study's title")
            acronym = identification.text("acronym")
            identifiers = self._identifiers(identification)
        sponsors = protocol.node("sponsorCollaboratorsModule")
        lead = sponsors.node("leadSponsor") if sponsors else None
        conditions = protocol.node("conditionsModule")
        eligibility = protocol.node("eligibilityModule")
        enrollment = design.node("enrollmentInfo") if design else None
        return self._record(
            TrialRecord,
            {
                **self._cited(format_location(ident_path)),
                "key": self.nct,
                "title": title or self.nct,
                "acronym": acronym,
                "design": _design(design),
                "phase": _phase(design),
                "status": _status(status),
                "condition": "; ".join(t for _, t in conditions.texts("conditions"))
                if conditions
                else None,
                "min_age": eligibility.text("minimumAge") if eligibility else None,
                "max_age": eligibility.text("maximumAge") if eligibility else None,
                "countries": _countries(protocol.node("contactsLocationsModule")),
                "sponsor": lead.text("name") if lead else None,
                "start_date": _date(status, "startDateStruct"),
                "end_date": _date(status, "completionDateStruct")
                or _date(status, "primaryCompletionDateStruct"),
                "enrollment": enrollment.whole("count") if enrollment else None,
                "identifiers": identifiers,
                "sources": [
                    TrialSourceRecord(
                        source=self.source, relation=TrialSourceRelation.REGISTRY_RECORD
                    )
                ],
            },
            ("protocolSection",),
            {
                "title": "identificationModule.briefTitle",
                "acronym": "identificationModule.acronym",
                "enrollment": "designModule.enrollmentInfo.count",
                "start_date": "statusModule.startDateStruct.date",
                "end_date": "statusModule.completionDateStruct.date",
                "min_age": "eligibilityModule.minimumAge",
                "max_age": "eligibilityModule.maximumAge",
            },
        )

    def _identifiers(self, identification: _Node) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = [
            {
                "registry": Registry.NCT,
                "value": self.nct,
                "locator": identification.locator("nctId"),
            }
        ]
        org = identification.node("orgStudyIdInfo")
        org_id = org.text("id") if org else None
        if org is not None and org_id is not None:
            found.append(
                {
                    "registry": Registry.ORG_STUDY_ID,
                    "value": org_id,
                    "locator": org.locator("id"),
                }
            )
        for secondary in identification.nodes("secondaryIdInfos"):
            value = secondary.text("id")
            registry = _secondary_registry(secondary.text("type"), value)
            if value is not None and registry is not None:
                found.append(
                    {"registry": registry, "value": value, "locator": secondary.locator("id")}
                )
        seen: set[tuple[Registry, str]] = set()
        unique = []
        for identifier in found:  # a record may list one identifier twice
            pair = (identifier["registry"], identifier["value"])
            if pair not in seen:
                seen.add(pair)
                unique.append(identifier)
        return unique

    # Arms and interventions -----------------------------------------------------------------

    def _protocol_arms(self, module: _Node | None) -> None:
        if module is None:
            return
        groups: list[tuple[_Node, _Arm]] = []
        for index, group in enumerate(module.nodes("armGroups")):
            label = group.required("label", "the arm group's label")
            if label is None:
                continue
            type_code = group.text("type")
            arm = self.arms.add(
                label,
                _ARM_ROLES.get(type_code) if type_code else None,
                group.text("description"),
                group.locator(),
                from_protocol=True,
                fallback_key=f"arm-{index + 1}",
            )
            groups.append((group, arm))
        interventions = self._interventions(module)
        # Links are stated from both sides: an arm group names its interventions, and an
        # intervention names its arm groups. Either is enough.
        for group, arm in groups:
            for position, name in group.texts("interventionNames"):
                key = _intervention_named(name, interventions)
                if key is not None:
                    arm.interventions.setdefault(key, group.locator("interventionNames", position))
        by_label: dict[str, _Arm] = {}
        for _, arm in groups:
            by_label.setdefault(_normal_title(arm.label), arm)
        for node, key in interventions:
            for position, label in node.texts("armGroupLabels"):
                found = by_label.get(_normal_title(label))
                if found is not None:
                    found.interventions.setdefault(key, node.locator("armGroupLabels", position))

    def _interventions(self, module: _Node) -> list[tuple[_Node, str]]:
        keys = _Keys()
        found = []
        for node in module.nodes("interventions"):
            name = node.required("name", "the intervention's name")
            if name is None:
                continue
            type_code = node.text("type")
            # Per-trial keys: the same name in two records may be two different products, and
            # a curated intervention must never be rewritten by an import.
            key = f"{self.nct}.{keys.make(name, 'intervention')}"
            other_names = ", ".join(text for _, text in node.texts("otherNames"))
            record = self._record(
                InterventionRecord,
                {
                    **self._cited(node.locator()),
                    "key": key,
                    "name": name,
                    "kind": _INTERVENTION_KINDS.get(type_code or "", InterventionKind.OTHER),
                    "description": _join(
                        node.text("description"),
                        f"Other names: {other_names}" if other_names else None,
                    ),
                },
                node.path,
                {"name": "name", "kind": "type", "description": "description"},
            )
            if record is not None:
                self.interventions.append(record)
                found.append((node, key))
        return found

    def _arm_records(self) -> list[ArmRecord]:
        records = []
        for arm in self.arms.arms:
            record = self._record(
                ArmRecord,
                {
                    **self._cited(arm.locator),
                    "key": arm.key,
                    "label": arm.label,
                    "role": arm.role,
                    "description": arm.description,
                    "n_enrolled": arm.n_enrolled,
                    "interventions": [
                        ArmInterventionRecord(intervention=key, source=self.source, locator=locator)
                        for key, locator in arm.interventions.items()
                    ],
                },
                _path_of(arm.locator),
                {"label": "label" if arm.from_protocol else "title", "description": "description"},
            )
            if record is not None:
                records.append(record)
        return records

    # Endpoints -------------------------------------------------------------------------------

    def _planned_endpoints(self, module: _Node | None) -> list[tuple[str, str, EndpointRecord]]:
        """Planned outcomes: (registry list, normalised title, endpoint) in the record's order."""
        planned: list[tuple[str, str, EndpointRecord]] = []
        if module is None:
            return planned
        lists = [
            ("primaryOutcomes", "primary", EndpointRole.PRIMARY),
            ("secondaryOutcomes", "secondary", EndpointRole.SECONDARY),
            ("otherOutcomes", "other", EndpointRole.EXPLORATORY),
        ]
        for list_key, prefix, role in lists:
            for index, node in enumerate(module.nodes(list_key)):
                name = node.required("measure", "the outcome's title")
                if name is None:
                    continue
                kind = endpoint_kind(name)
                record = self._record(
                    EndpointRecord,
                    {
                        **self._cited(node.locator()),
                        "key": f"{prefix}-{index + 1}",
                        "name": name,
                        "kind": kind,
                        "role": role,
                        "domain": _domain(kind),
                        "time_frame": node.text("timeFrame"),
                        "definition": node.text("description"),
                    },
                    node.path,
                    {"name": "measure", "time_frame": "timeFrame", "definition": "description"},
                )
                if record is not None:
                    planned.append((list_key, _normal_title(record.name), record))
        self.endpoints.extend(record for _, _, record in planned)
        return planned

    def _endpoint_for(
        self,
        index: int,
        measure: _Node,
        planned: list[tuple[str, str, EndpointRecord]],
        matched: set[str],
        endpoint_measure: EndpointMeasure | None,
    ) -> str | None:
        """The key of the endpoint an outcome measure reports on: the planned outcome of the
        same title (of the same list first), else a new endpoint."""
        title = measure.required("title", "the outcome measure's title")
        if title is None:
            return None
        type_code = measure.text("type")
        preferred = {
            "PRIMARY": "primaryOutcomes",
            "SECONDARY": "secondaryOutcomes",
            "OTHER_PRE_SPECIFIED": "otherOutcomes",
        }.get(type_code or "")
        wanted = _normal_title(title)
        candidates = [p for p in planned if p[1] == wanted and p[2].key not in matched]
        candidates.sort(key=lambda p: p[0] != preferred)
        if candidates:
            found = candidates[0][2]
            matched.add(found.key)
            if endpoint_measure is not None:
                position = self.endpoints.index(found)
                self.endpoints[position] = found.model_copy(update={"measure": endpoint_measure})
            return found.key
        kind = endpoint_kind(title)
        record = self._record(
            EndpointRecord,
            {
                **self._cited(measure.locator()),
                "key": f"results-{index + 1}",
                "name": title,
                "kind": kind,
                "role": _OUTCOME_ROLES.get(type_code or "", EndpointRole.UNSPECIFIED),
                "domain": _domain(kind),
                "measure": endpoint_measure,
                "time_frame": measure.text("timeFrame"),
                "definition": measure.text("description"),
            },
            measure.path,
            {"name": "title", "time_frame": "timeFrame", "definition": "description"},
        )
        if record is None:
            return None
        self.endpoints.append(record)
        return record.key

    # Results and comparisons -------------------------------------------------------------------

    def _outcome_measures(
        self, module: _Node | None, planned: list[tuple[str, str, EndpointRecord]]
    ) -> None:
        if module is None:
            return
        matched: set[str] = set()
        for index, measure in enumerate(module.nodes("outcomeMeasures")):
            taken: set[str] = set()
            groups: dict[str, _Arm] = {}
            for group in measure.nodes("groups"):
                group_id, arm = self.arms.group(group, taken)
                if group_id is None:
                    continue
                if group_id in groups:
                    self.issues.add((*group.path, "id"), f"group {group_id} is listed twice")
                else:
                    groups[group_id] = arm
            unit = measure.text("unitOfMeasure")
            param_type = measure.text("paramType")
            percent = _is_percent_unit(unit) and _all_within_percent(measure)
            endpoint = self._endpoint_for(
                index, measure, planned, matched, _endpoint_measure(param_type, percent)
            )
            if endpoint is None:
                continue
            self._measurements(measure, endpoint, groups, "%" if percent else unit)
            self._analyses(measure, endpoint, groups)

    def _measurements(
        self, measure: _Node, endpoint: str, groups: dict[str, _Arm], unit: str | None
    ) -> None:
        param_type = measure.text("paramType")
        spread_kind = dispersion(measure.text("dispersionType"))
        counts = param_type == "COUNT_OF_PARTICIPANTS"
        measure_denoms = _participants(measure)
        subgroups = _Distinct()
        for class_node in measure.nodes("classes"):
            subgroup = subgroups(class_node.text("title") or "")
            denoms = _participants(class_node) if class_node.data.get("denoms") else measure_denoms
            categories = _Distinct()
            for category_node in class_node.nodes("categories"):
                category = categories(category_node.text("title") or "")
                measured: set[str] = set()
                for item in category_node.nodes("measurements"):
                    found = item.group_in(
                        groups,
                        measured,
                        missing="the measured group's id",
                        among="the measure's groups",
                        twice="measured twice here",
                    )
                    if found is None:
                        continue
                    group_id, arm = found
                    row = self._measurement(
                        item, param_type, spread_kind, counts, denoms.get(group_id)
                    )
                    record = self._record(
                        ResultRecord,
                        {
                            **self._cited(item.locator()),
                            **row,
                            "endpoint": endpoint,
                            "arm": arm.key,
                            "subgroup": subgroup,
                            "category": category,
                            "unit": unit,
                        },
                        item.path,
                        _RESULT_FIELDS,
                    )
                    if record is not None:
                        self.results.append(record)

    def _measurement(
        self,
        item: _Node,
        param_type: str | None,
        spread_kind: _Dispersion,
        counts: bool,
        denominator: int | None,
    ) -> dict[str, Any]:
        value = _number(item.text("value"))
        comment = item.text("comment")
        row: dict[str, Any] = {
            "value": value.value,
            "value_qualifier": value.qualifier,
            "n_analyzed": denominator,
        }
        if (
            value.value is None
            and param_type == "MEDIAN"
            and comment
            and re.search(r"\bnot (been |yet )?reached\b", comment.casefold())
        ):
            row["value_qualifier"] = ValueQualifier.NOT_REACHED
        if counts and value.value is not None and value.value.is_integer() and not value.qualifier:
            row["numerator"] = int(value.value)
            row["denominator"] = denominator
        lower, upper = _number(item.text("lowerLimit")), _number(item.text("upperLimit"))
        spread = _number(item.text("spread"))
        notes = [comment, value.note]
        # A kind of interval or spread is recorded only with a number to go with it.
        limits = lower.value is not None or upper.value is not None
        if spread_kind.is_ci and limits:
            row.update(ci_lower=lower.value, ci_upper=upper.value, ci_level=spread_kind.ci_level)
            notes.append(f"interval: {spread_kind.label}" if spread_kind.label else None)
        elif spread_kind.limits is not None and limits:
            row.update(
                spread_type=spread_kind.limits, spread_lower=lower.value, spread_upper=upper.value
            )
        elif spread_kind.spread_type is not None and (spread.value is not None or limits):
            row.update(spread=spread.value, spread_type=spread_kind.spread_type)
            if spread_kind.spread_type == SpreadType.OTHER:
                notes.append(f"dispersion: {spread_kind.label}")
                row.update(spread_lower=lower.value, spread_upper=upper.value)
        row["note"] = _join(*notes)
        return row

    def _analyses(self, measure: _Node, endpoint: str, groups: dict[str, _Arm]) -> None:
        for index, analysis in enumerate(measure.nodes("analyses")):
            arms: list[_Arm] = []
            for position, group_id in analysis.texts("groupIds"):
                arm = groups.get(group_id)
                if arm is None:
                    self.issues.add(
                        (*analysis.path, "groupIds", position),
                        f"group {group_id!r} is not among the measure's groups",
                    )
                elif arm not in arms:
                    arms.append(arm)
            if not arms:
                if not analysis.data.get("groupIds"):  # (a wrong type is reported already)
                    self.issues.add((*analysis.path, "groupIds"), "missing: the analysed groups")
                continue
            estimate = analysis.text("estimateComment")
            if len(arms) == 2:
                arm, comparator = _direction(arms[0], arms[1], estimate)
                group_keys: list[str] = []
            else:
                arm, comparator = arms[0], None
                group_keys = [a.key for a in arms]
            param_type = analysis.text("paramType")
            value = _number(analysis.text("paramValue"))
            lower = _number(analysis.text("ciLowerLimit"))
            upper = _number(analysis.text("ciUpperLimit"))
            level = _number(analysis.text("ciPctValue"))
            p_value = _number(analysis.text("pValue"))
            sides = analysis.text("ciNumSides")
            spread = analysis.text("dispersionValue")
            note = _join(
                estimate,
                "one-sided confidence interval" if sides == "ONE_SIDED" else None,
                _labelled("estimate", value.note),
                _labelled("CI lower limit", lower.note),
                _labelled("CI upper limit", upper.note),
                _labelled("p-value", p_value.note),
                analysis.text("ciLowerLimitComment"),
                analysis.text("ciUpperLimitComment"),
                analysis.text("pValueComment"),
                f"{_words(analysis.text('dispersionType'))}: {spread}" if spread else None,
                _labelled("non-inferiority type", _words(analysis.text("nonInferiorityType"))),
            )
            record = self._record(
                ComparisonRecord,
                {
                    **self._cited(analysis.locator()),
                    "endpoint": endpoint,
                    "arm": arm.key,
                    "comparator": None if comparator is None else comparator.key,
                    "label": f"analysis {index + 1}",
                    "groups": group_keys,
                    "measure": comparison_measure(param_type or ""),
                    "measure_label": param_type,
                    "value": value.value,
                    "ci_lower": lower.value,
                    "ci_upper": upper.value,
                    "ci_level": None if level.value is None else level.value / 100,
                    "p_value": p_value.value,
                    "p_value_qualifier": p_value.qualifier,
                    "method": analysis.text("statisticalMethod"),
                    "randomized": True
                    if self.randomized
                    and comparator is not None
                    and arm.from_protocol
                    and comparator.from_protocol
                    else None,
                    "note": note,
                },
                analysis.path,
                _COMPARISON_FIELDS,
            )
            if record is not None:
                self.comparisons.append(record)

    # Adverse events ----------------------------------------------------------------------------

    def _adverse_events(self, module: _Node | None) -> None:
        if module is None:
            return
        time_frame = module.text("timeFrame")
        taken: set[str] = set()
        groups: dict[str, tuple[_Node, _Arm]] = {}
        # One registry entry is one term in every arm: a term listed twice in an organ system
        # (under two vocabularies, say) becomes "term (2)" for all arms alike.
        terms: dict[tuple[str, AdverseEventCategory], _Distinct] = {}
        for _, total, category in _AE_TOTALS:
            terms.setdefault(("", category), _Distinct())(total)

        def row(
            arm: _Arm,
            term: str,
            organ: str,
            category: AdverseEventCategory,
            fields: dict[str, Any],
            path: JsonPath,
            names: Mapping[str, str],
        ) -> None:
            record = self._record(
                AdverseEventRecord,
                {
                    **self._cited(format_location(path)),
                    "arm": arm.key,
                    "term": term,
                    "organ_system": organ,
                    "category": category,
                    "time_frame": time_frame,
                    **fields,
                },
                path,
                names,
            )
            if record is not None:
                self.adverse_events.append(record)

        for group in module.nodes("eventGroups"):
            group_id, arm = self.arms.group(group, taken)
            if group_id is None:
                continue
            if group_id in groups:
                self.issues.add((*group.path, "id"), f"group {group_id} is listed twice")
                continue
            groups[group_id] = (group, arm)
            for prefix, total, category in _AE_TOTALS:
                affected = group.whole(f"{prefix}NumAffected")
                at_risk = group.whole(f"{prefix}NumAtRisk")
                if affected is None and at_risk is None:
                    continue
                row(
                    arm,
                    total,
                    "",
                    category,
                    {
                        "is_aggregate": True,
                        "participants_affected": affected,
                        "participants_at_risk": at_risk,
                    },
                    (*group.path, f"{prefix}NumAffected"),
                    {},
                )
        for list_key, category, prefix in (
            ("seriousEvents", AdverseEventCategory.SERIOUS, "serious"),
            ("otherEvents", AdverseEventCategory.NON_SERIOUS, "other"),
        ):
            for event in module.nodes(list_key):
                term = event.required("term", "the adverse-event term")
                if term is None:
                    continue
                organ = event.text("organSystem") or ""
                label = terms.setdefault((organ, category), _Distinct())(term)
                counted: set[str] = set()
                assessment = event.text("assessmentType")
                note = _join(
                    event.text("notes"),
                    "non-systematic assessment"
                    if assessment == "NON_SYSTEMATIC_ASSESSMENT"
                    else None,
                )
                vocabulary = event.text("sourceVocabulary")
                for stat in event.nodes("stats"):
                    found = stat.group_in(
                        groups,
                        counted,
                        missing="the event group's id",
                        among="the event groups",
                        twice="is counted twice for this term",
                    )
                    if found is None:
                        continue
                    _, (group, arm) = found
                    at_risk = stat.whole("numAtRisk")
                    if at_risk is None and "numAtRisk" not in stat.data:
                        at_risk = group.whole(f"{prefix}NumAtRisk")
                    row(
                        arm,
                        label,
                        organ,
                        category,
                        {
                            "vocabulary": vocabulary,
                            "participants_affected": stat.whole("numAffected"),
                            "participants_at_risk": at_risk,
                            "event_count": stat.whole("numEvents"),
                            "note": note,
                        },
                        stat.path,
                        _EVENT_FIELDS,
                    )

    # Participant flow: how many started in each arm ----------------------------------------

    def _participant_flow(self, module: _Node | None) -> None:
        if module is None:
            return
        periods = module.nodes("periods")
        if not periods:
            return
        started: dict[str, int] = {}
        for milestone in periods[0].nodes("milestones"):
            if milestone.text("type") != "STARTED":
                continue
            for achievement in milestone.nodes("achievements"):
                group_id = achievement.text("groupId")
                count = achievement.whole_text("numSubjects")
                if group_id is not None and count is not None:
                    started[group_id] = count
        taken: set[str] = set()
        for group in module.nodes("groups"):
            group_id, title = group.text("id"), group.text("title")
            if group_id is None or title is None or group_id not in started:
                continue
            # Only counts for arms that exist: a flow group never becomes an arm by itself.
            arm = self.arms.find(title, taken)
            if arm is not None:
                taken.add(arm.key)
                if arm.n_enrolled is None:
                    arm.n_enrolled = started[group_id]


_RESULT_FIELDS = {
    "value": "value",
    "value_qualifier": "value",
    "numerator": "value",
    "spread": "spread",
    "spread_lower": "lowerLimit",
    "spread_upper": "upperLimit",
    "ci_lower": "lowerLimit",
    "ci_upper": "upperLimit",
    "note": "comment",
}
_COMPARISON_FIELDS = {
    "value": "paramValue",
    "ci_lower": "ciLowerLimit",
    "ci_upper": "ciUpperLimit",
    "ci_level": "ciPctValue",
    "p_value": "pValue",
    "p_value_qualifier": "pValue",
    "method": "statisticalMethod",
    "measure_label": "paramType",
    "groups": "groupIds",
}
_EVENT_FIELDS = {
    "term": "term",
    "participants_affected": "numAffected",
    "participants_at_risk": "numAtRisk",
    "event_count": "numEvents",
    "vocabulary": "sourceVocabulary",
}
_AE_TOTALS = [
    ("serious", "Total, serious adverse events", AdverseEventCategory.SERIOUS),
    ("other", "Total, other adverse events", AdverseEventCategory.NON_SERIOUS),
    ("deaths", "Total, all-cause mortality", AdverseEventCategory.ANY),
]


# --------------------------------------------------------------------------------------------
# Small readers of parts of the record.


def _path_of(locator: str) -> JsonPath:
    """A JSON path back from its text ("a.b[2].c" -> ("a", "b", 2, "c"))."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", locator):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _labelled(label: str, text: str | None) -> str | None:
    return None if text is None else f"{label}: {text}"


def _words(code: str | None) -> str | None:
    return None if code is None else code.replace("_", " ").lower()


def _allocation(design: _Node | None) -> str | None:
    info = design.node("designInfo") if design else None
    return info.text("allocation") if info else None


def _design(design: _Node | None) -> TrialDesign | None:
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


def _phase(design: _Node | None) -> TrialPhase | None:
    if design is None:
        return None
    phases = tuple(sorted({text for _, text in design.texts("phases")}))
    return _PHASES.get(phases)


def _status(status: _Node | None) -> str | None:
    code = status.text("overallStatus") if status else None
    return code.lower() if code else None


def _date(status: _Node | None, key: str) -> str | None:
    struct = status.node(key) if status else None
    return struct.text("date") if struct else None


def _countries(module: _Node | None) -> list[str]:
    if module is None:
        return []
    countries: dict[str, None] = {}
    for location in module.nodes("locations"):
        country = location.text("country")
        if country:
            countries.setdefault(country, None)
    return list(countries)


def _secondary_registry(type_code: str | None, value: str | None) -> Registry | None:
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


def _intervention_named(name: str, interventions: list[tuple[_Node, str]]) -> str | None:
    """The intervention an arm group names as "Drug: Placebo"."""
    wanted = _normal_title(name.split(":", 1)[1] if ":" in name else name)
    for node, key in interventions:
        if _normal_title(node.text("name") or "") == wanted:
            return key
    return None


def _participants(node: _Node) -> dict[str, int]:
    """Participants analysed per group: the denominator counted in participants, else the
    first one given."""
    denoms = node.nodes("denoms")
    chosen = next(
        (d for d in denoms if (d.text("units") or "").casefold() == "participants"),
        denoms[0] if denoms else None,
    )
    counts: dict[str, int] = {}
    for count in chosen.nodes("counts") if chosen else []:
        group_id = count.text("groupId")
        value = count.whole_text("value")
        if group_id is not None and value is not None:
            counts[group_id] = value
    return counts


def _objects(value: Any, key: str) -> list[dict[str, Any]]:
    """The objects of a list, read leniently (the typed reading reports what is wrong)."""
    items = value.get(key) if isinstance(value, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _all_within_percent(measure: _Node) -> bool:
    for class_data in _objects(measure.data, "classes"):
        for category in _objects(class_data, "categories"):
            for item in _objects(category, "measurements"):
                for key in ("value", "lowerLimit", "upperLimit"):
                    text = item.get(key)
                    number = _number(text if isinstance(text, str) else None).value
                    if number is not None and not 0 <= number <= 100:
                        return False
    return True


_VERSUS = re.compile(r"\s(?:vs\.?|versus|compared (?:to|with)|minus|-)\s", re.IGNORECASE)


def _direction(first: _Arm, second: _Arm, estimate: str | None) -> tuple[_Arm, _Arm]:
    """Which arm of a two-group analysis is the arm of interest and which the comparator:
    as the estimate's comment words it ("Dupilumab vs. Placebo"), else by the arms' roles,
    else in the registry's order."""
    if estimate:
        halves = _VERSUS.split(estimate.casefold(), maxsplit=1)
        if len(halves) == 2:
            left, right = halves

            def side(arm: _Arm) -> str | None:
                label = _normal_title(arm.label)
                in_left, in_right = (
                    label in " ".join(left.split()),
                    label in " ".join(right.split()),
                )
                return "left" if in_left and not in_right else "right" if in_right else None

            if side(first) == "left" and side(second) == "right":
                return first, second
            if side(second) == "left" and side(first) == "right":
                return second, first
    first_compares = first.role in COMPARATOR_ROLES
    second_compares = second.role in COMPARATOR_ROLES
    if first_compares and not second_compares:
        return second, first
    return first, second
