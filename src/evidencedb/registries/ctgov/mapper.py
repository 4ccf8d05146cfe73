"""One ClinicalTrials.gov study mapped into the records seed files produce: the whole, its arms.

`map_study` turns one study's JSON into a `TrialFile` inside a `Bundle` (origin `ctgov`), ready
for the one loader; nothing here touches the database. Every fact names the registry record as
its source and carries, as `locator`, the JSON path of the field it came from, so a number can
be traced back to `resultsSection.outcomeMeasuresModule.outcomeMeasures[3]...measurements[1]`.

Problems are collected, not raised one by one: a study with three bad fields yields three
problems, each with the file and the JSON path of the field, the way seed files report theirs.

This module maps the study as a whole, its arms and interventions; the other parts have their
own modules: `trial` (source and trial), `protocol` (the trial's details), `references`,
`endpoints`, `outcomes` (results), `analyses` (comparisons), `adverse_events`, `flow` and
`baseline`. Decisions that are not obvious from the code are written at
the top of each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evidencedb.enums import InterventionKind, SourceOrigin
from evidencedb.errors import Problem, Reject, ValidationFailed
from evidencedb.records.bundle import Bundle
from evidencedb.records.history import TrialVersionRecord
from evidencedb.records.location import Location, format_location
from evidencedb.records.trial import ArmInterventionRecord, ArmRecord, InterventionRecord
from evidencedb.records.trial_file import TrialFile, local_problems
from evidencedb.registries.ctgov.adverse_events import adverse_event_records
from evidencedb.registries.ctgov.arms import Arm, Arms
from evidencedb.registries.ctgov.baseline import baseline_records
from evidencedb.registries.ctgov.codes import ARM_ROLES, INTERVENTION_KINDS, design_allocation
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.endpoints import Endpoints
from evidencedb.registries.ctgov.files import StudyInput
from evidencedb.registries.ctgov.flow import flow_records
from evidencedb.registries.ctgov.history import version_record
from evidencedb.registries.ctgov.keys import UniqueKeys, normal_title
from evidencedb.registries.ctgov.outcomes import outcome_facts
from evidencedb.registries.ctgov.reader import JsonPath, Node
from evidencedb.registries.ctgov.references import reference_sources
from evidencedb.registries.ctgov.trial import source_record, trial_record
from evidencedb.registries.ctgov.values import join_notes
from evidencedb.registries.ctgov.versions import NCT_PATTERN

# The results modules whose groups are numbered alike (see `groups.bind_groups`).
_RESULTS_MODULES = (
    "participantFlowModule",
    "outcomeMeasuresModule",
    "adverseEventsModule",
    "baselineCharacteristicsModule",
)


@dataclass
class RegistryBundle(Bundle):
    """A bundle whose problems point into the registry record: a problem the loader finds at
    `trial.identifiers[2]` is reported at that identifier's JSON path in the study. `kept`
    lists the values stored as the registry's text only (not numbers, or impossible ones)."""

    kept: list[Reject] = field(default_factory=list)

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
    context = StudyContext(study)
    mapped = _trial_file(context)
    if context.issues.problems or mapped is None:
        raise ValidationFailed(context.issues.problems)
    data, version = mapped
    bundle = RegistryBundle(
        data,
        SourceOrigin.CTGOV,
        study.file,
        location_prefix=study.prefix,
        registry_version=version,
        kept=context.issues.kept,
    )
    local = [bundle.problem(location, message) for location, message in local_problems(data)]
    if local:
        raise ValidationFailed(local)
    return bundle


def _trial_file(
    context: StudyContext,
) -> tuple[TrialFile, TrialVersionRecord | None] | None:
    """Every record of the study and the version it is, or None when a problem was found."""
    protocol = context.root.node("protocolSection")
    if protocol is None:
        context.issues.add(("protocolSection",), "missing: every study record has one")
        return None
    identification = protocol.node("identificationModule")
    nct_path: JsonPath = ("protocolSection", "identificationModule", "nctId")
    if identification is None:
        context.issues.add(nct_path, "missing: the NCT id")
    nct = identification.required("nctId", "the NCT id") if identification else None
    if nct is not None and not NCT_PATTERN.match(nct):
        context.issues.add(nct_path, f"{nct!r}: not an NCT id (NCT and 8 digits)")
    elif nct is not None:
        context.identify(nct)
    status = protocol.node("statusModule")
    design = protocol.node("designModule")
    randomized = design_allocation(design) == "RANDOMIZED"

    source = source_record(context, identification)
    references, reference_links = reference_sources(context, protocol)
    trial = trial_record(context, protocol, identification, status, design, reference_links)
    arms = Arms()
    interventions = _protocol_arms(context, arms, protocol.node("armsInterventionsModule"))
    endpoints = Endpoints(context)
    endpoints.add_planned(protocol.node("outcomesModule"))
    results = context.root.node("resultsSection")
    outcomes = outcome_facts(
        context,
        arms,
        endpoints,
        results.node("outcomeMeasuresModule") if results else None,
        randomized=randomized,
    )
    adverse_events = adverse_event_records(
        context, arms, results.node("adverseEventsModule") if results else None
    )
    flow = results.node("participantFlowModule") if results else None
    baseline = results.node("baselineCharacteristicsModule") if results else None
    modules = [results.node(key) for key in _RESULTS_MODULES] if results else []
    participant_flow = flow_records(context, arms, flow, modules)
    baseline_measurements = baseline_records(context, arms, baseline, modules)
    arms.count_enrolled(flow)
    arm_records = _arm_records(context, arms)
    version = version_record(context.study, arms, endpoints)
    if source is None or trial is None or context.issues.problems:
        return None
    data = context.record(
        TrialFile,
        {
            "sources": [source, *references],
            "interventions": interventions,
            "trial": trial,
            "arms": arm_records,
            "endpoints": endpoints.records,
            "results": outcomes.results,
            "comparisons": outcomes.comparisons,
            "adverse_events": adverse_events,
            "baseline_measurements": baseline_measurements,
            "participant_flow": participant_flow,
        },
        (),
    )
    return None if data is None else (data, version)


def _protocol_arms(
    context: StudyContext, arms: Arms, module: Node | None
) -> list[InterventionRecord]:
    """The protocol's arm groups as arms, linked to its interventions (returned)."""
    if module is None:
        return []
    groups: list[tuple[Node, Arm]] = []
    for index, group in enumerate(module.nodes("armGroups")):
        label = group.required("label", "the arm group's label")
        if label is None:
            continue
        type_code = group.text("type")
        arm = arms.add(
            label,
            ARM_ROLES.get(type_code) if type_code else None,
            group.text("description"),
            group.path,
            from_protocol=True,
            fallback_key=f"arm-{index + 1}",
        )
        groups.append((group, arm))
    records, interventions = _interventions(context, module)
    # Links are stated from both sides: an arm group names its interventions, and an
    # intervention names its arm groups. Either is enough.
    for group, arm in groups:
        for position, name in group.texts("interventionNames"):
            key = _intervention_named(name, interventions)
            if key is not None:
                arm.interventions.setdefault(key, (*group.path, "interventionNames", position))
    by_label: dict[str, Arm] = {}
    for _, arm in groups:
        by_label.setdefault(normal_title(arm.label), arm)
    for node, key in interventions:
        for position, label in node.texts("armGroupLabels"):
            found = by_label.get(normal_title(label))
            if found is not None:
                found.interventions.setdefault(key, (*node.path, "armGroupLabels", position))
    names = {key: node.text("name") or "" for node, key in interventions}
    for _, arm in groups:
        arm.intervention_names = [names[key] for key in arm.interventions]
    return records


def _interventions(
    context: StudyContext, module: Node
) -> tuple[list[InterventionRecord], list[tuple[Node, str]]]:
    """The interventions of the protocol: their records, and each one's node and key."""
    keys = UniqueKeys()
    records: list[InterventionRecord] = []
    found = []
    for node in module.nodes("interventions"):
        name = node.required("name", "the intervention's name")
        if name is None:
            continue
        type_code = node.text("type")
        # Per-trial keys: the same name in two records may be two different products, and
        # a curated intervention must never be rewritten by an import.
        key = f"{context.nct}.{keys.make(name, 'intervention')}"
        other_names = ", ".join(text for _, text in node.texts("otherNames"))
        record = context.record(
            InterventionRecord,
            {
                **context.cited(node.path),
                "key": key,
                "name": name,
                "kind": INTERVENTION_KINDS.get(type_code or "", InterventionKind.OTHER),
                "description": join_notes(
                    node.text("description"),
                    f"Other names: {other_names}" if other_names else None,
                ),
            },
            node.path,
            {"name": "name", "kind": "type", "description": "description"},
        )
        if record is not None:
            records.append(record)
            found.append((node, key))
    return records, found


def _intervention_named(name: str, interventions: list[tuple[Node, str]]) -> str | None:
    """The intervention an arm group names as "Drug: Placebo"."""
    wanted = normal_title(name.split(":", 1)[1] if ":" in name else name)
    for node, key in interventions:
        if normal_title(node.text("name") or "") == wanted:
            return key
    return None


def _arm_records(context: StudyContext, arms: Arms) -> list[ArmRecord]:
    records = []
    for arm in arms.arms:
        record = context.record(
            ArmRecord,
            {
                **context.cited(arm.path),
                "key": arm.key,
                "label": arm.label,
                "role": arm.role,
                "description": arm.description,
                "n_enrolled": arm.n_enrolled,
                "match_basis": arm.match_basis,
                "interventions": [
                    ArmInterventionRecord(
                        intervention=key, source=context.source, locator=format_location(path)
                    )
                    for key, path in arm.interventions.items()
                ],
            },
            arm.path,
            {"label": "label" if arm.from_protocol else "title", "description": "description"},
        )
        if record is not None:
            records.append(record)
    return records
