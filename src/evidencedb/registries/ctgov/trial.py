"""The registry record as a source, and the trial it describes with its identifiers."""

from __future__ import annotations

from typing import Any

from evidencedb.enums import Registry, SourceKind, TrialSourceRelation
from evidencedb.records.location import format_location
from evidencedb.records.trial import SourceRecord, TrialRecord, TrialSourceRecord
from evidencedb.registries.ctgov.codes import (
    secondary_registry,
    trial_design,
    trial_phase,
    trial_status,
)
from evidencedb.registries.ctgov.context import StudyContext
from evidencedb.registries.ctgov.protocol import PROTOCOL_FIELDS, protocol_details
from evidencedb.registries.ctgov.reader import JsonPath, Node
from evidencedb.registries.ctgov.versions import MAPPING_VERSION, peek_version

STUDY_URL = "https://clinicaltrials.gov/study/{}"

# Trial fields and the registry fields they come from, under protocolSection.
_TRIAL_FIELDS = {
    "title": "identificationModule.briefTitle",
    "acronym": "identificationModule.acronym",
    "enrollment": "designModule.enrollmentInfo.count",
    "start_date": "statusModule.startDateStruct.date",
    "end_date": "statusModule.completionDateStruct.date",
    "min_age": "eligibilityModule.minimumAge",
    "max_age": "eligibilityModule.maximumAge",
}


def source_record(context: StudyContext, identification: Node | None) -> SourceRecord | None:
    """The registry record itself, as the source every fact of the study cites."""
    version = peek_version(context.study.data).version
    title = (identification.text("briefTitle") if identification else None) or "study record"
    return context.record(
        SourceRecord,
        {
            "key": context.source,
            "kind": SourceKind.REGISTRY_RECORD,
            "title": f"ClinicalTrials.gov {context.nct}: {title}",
            "url": STUDY_URL.format(context.nct),
            "year": int(version[:4]) if version and version[:4].isdigit() else None,
            "record_version": version,
            "record_sha256": context.study.sha256,
            "record_text_sha256": context.study.text_sha256,
            "mapping_version": MAPPING_VERSION,
        },
        ("protocolSection", "statusModule"),
    )


def trial_record(
    context: StudyContext,
    protocol: Node,
    identification: Node | None,
    status: Node | None,
    design: Node | None,
    reference_links: list[TrialSourceRecord],
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
        identifiers = _identifiers(context, identification)
    sponsors = protocol.node("sponsorCollaboratorsModule")
    lead = sponsors.node("leadSponsor") if sponsors else None
    conditions = protocol.node("conditionsModule")
    eligibility = protocol.node("eligibilityModule")
    enrollment = design.node("enrollmentInfo") if design else None
    return context.record(
        TrialRecord,
        {
            **context.cited(ident_path),
            "key": context.nct,
            "title": title or context.nct,
            "acronym": acronym,
            "design": trial_design(design),
            "phase": trial_phase(design),
            "status": trial_status(status),
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
            **protocol_details(context.root, protocol),
            "identifiers": identifiers,
            "sources": [
                TrialSourceRecord(
                    source=context.source, relation=TrialSourceRelation.REGISTRY_RECORD
                ),
                *reference_links,
            ],
        },
        ("protocolSection",),
        {**_TRIAL_FIELDS, **PROTOCOL_FIELDS},
    )


def _identifiers(context: StudyContext, identification: Node) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {
            "registry": Registry.NCT,
            "value": context.nct,
            "locator": format_location((*identification.path, "nctId")),
        }
    ]
    org = identification.node("orgStudyIdInfo")
    org_id = org.text("id") if org else None
    if org is not None and org_id is not None:
        found.append(
            {
                "registry": Registry.ORG_STUDY_ID,
                "value": org_id,
                "locator": format_location((*org.path, "id")),
            }
        )
    for secondary in identification.nodes("secondaryIdInfos"):
        value = secondary.text("id")
        registry = secondary_registry(secondary.text("type"), value)
        if value is not None and registry is not None:
            found.append(
                {
                    "registry": registry,
                    "value": value,
                    "locator": format_location((*secondary.path, "id")),
                }
            )
    seen: set[tuple[Registry, str]] = set()
    unique = []
    for identifier in found:  # a record may list one identifier twice
        pair = (identifier["registry"], identifier["value"])
        if pair not in seen:
            seen.add(pair)
            unique.append(identifier)
    return unique


def _date(status: Node | None, key: str) -> str | None:
    struct = status.node(key) if status else None
    return struct.text("date") if struct else None


def _countries(module: Node | None) -> list[str]:
    if module is None:
        return []
    countries: dict[str, None] = {}
    for location in module.nodes("locations"):
        country = location.text("country")
        if country:
            countries.setdefault(country, None)
    return list(countries)
