"""The protocol's details a reviewer reads beside the results: masking, purpose, eligibility,
whether enrollment and dates are actual or estimated, keywords, MeSH terms, collaborators.

Codes the registry adds later, or that we do not know, leave a field empty rather than refuse
the record: these fields describe the trial, they are not its facts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from evidencedb.enums import DateType, Masking, PrimaryPurpose, Sex
from evidencedb.registries.ctgov.reader import Node

Code = TypeVar("Code", bound=StrEnum)

# Trial fields and the registry fields they come from, under protocolSection (and, for MeSH
# terms, derivedSection): where a problem with one of them is reported.
PROTOCOL_FIELDS = {
    "official_title": "identificationModule.officialTitle",
    "masking": "designModule.designInfo.maskingInfo.masking",
    "masked_roles": "designModule.designInfo.maskingInfo.whoMasked",
    "primary_purpose": "designModule.designInfo.primaryPurpose",
    "enrollment_type": "designModule.enrollmentInfo.type",
    "start_date_type": "statusModule.startDateStruct.type",
    "end_date_type": "statusModule.completionDateStruct.type",
    "sex": "eligibilityModule.sex",
    "healthy_volunteers": "eligibilityModule.healthyVolunteers",
    "eligibility_criteria": "eligibilityModule.eligibilityCriteria",
    "keywords": "conditionsModule.keywords",
    "collaborators": "sponsorCollaboratorsModule.collaborators",
}


def coded(vocabulary: type[Code], text: str | None) -> Code | None:
    """The member of `vocabulary` for a registry code (QUADRUPLE, SUPPORTIVE_CARE), or None."""
    if text is None:
        return None
    try:
        return vocabulary(text.strip().lower())
    except ValueError:
        return None


def joined(texts: list[str]) -> str | None:
    """Texts '; '-separated, each once, in their order; None when there are none."""
    unique = list(dict.fromkeys(text for text in texts if text))
    return "; ".join(unique) if unique else None


def protocol_details(root: Node, protocol: Node) -> dict[str, Any]:
    """The trial fields of this module, read from the study's protocol and derived sections."""
    identification = protocol.node("identificationModule")
    design = protocol.node("designModule")
    info = design.node("designInfo") if design else None
    masking = info.node("maskingInfo") if info else None
    enrollment = design.node("enrollmentInfo") if design else None
    eligibility = protocol.node("eligibilityModule")
    conditions = protocol.node("conditionsModule")
    sponsors = protocol.node("sponsorCollaboratorsModule")
    derived = root.node("derivedSection")
    healthy = eligibility.data.get("healthyVolunteers") if eligibility else None
    return {
        "official_title": identification.text("officialTitle") if identification else None,
        "masking": coded(Masking, masking.text("masking")) if masking else None,
        "masked_roles": joined([t.lower() for _, t in masking.texts("whoMasked")])
        if masking
        else None,
        "primary_purpose": coded(PrimaryPurpose, info.text("primaryPurpose")) if info else None,
        "enrollment_type": coded(DateType, enrollment.text("type")) if enrollment else None,
        **_date_types(protocol.node("statusModule")),
        "sex": coded(Sex, eligibility.text("sex")) if eligibility else None,
        "healthy_volunteers": healthy if isinstance(healthy, bool) else None,
        "eligibility_criteria": eligibility.text("eligibilityCriteria") if eligibility else None,
        "keywords": joined([t for _, t in conditions.texts("keywords")]) if conditions else None,
        "mesh_terms": _mesh_terms(derived, "conditionBrowseModule"),
        "intervention_mesh_terms": _mesh_terms(derived, "interventionBrowseModule"),
        "collaborators": joined(
            [c.text("name") or "" for c in sponsors.nodes("collaborators")] if sponsors else []
        ),
    }


def _date_types(status: Node | None) -> dict[str, DateType | None]:
    """Whether the start and end dates are actual; the end date is the completion date, else
    the primary completion date (as `trial.trial_record` chooses it)."""

    def date_type(key: str) -> tuple[bool, DateType | None]:
        struct = status.node(key) if status else None
        if struct is None or struct.text("date") is None:
            return False, None
        return True, coded(DateType, struct.text("type"))

    has_completion, completion = date_type("completionDateStruct")
    _, primary_completion = date_type("primaryCompletionDateStruct")
    return {
        "start_date_type": date_type("startDateStruct")[1],
        "end_date_type": completion if has_completion else primary_completion,
    }


def _mesh_terms(derived: Node | None, module_key: str) -> str | None:
    module = derived.node(module_key) if derived else None
    if module is None:
        return None
    return joined([mesh.text("term") or "" for mesh in module.nodes("meshes")])
