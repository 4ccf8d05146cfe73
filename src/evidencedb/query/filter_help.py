"""What each filter of the query commands does, in words: the CLI's option help and the web
API's parameter descriptions, so that the two say the same. (Its own module, importing
nothing, so that `evidencedb --help` does not load the query code.)"""

from __future__ import annotations

FILTER_HELP = {
    "trial": "Trial key.",
    "intervention": "Intervention key, or part of its name, target or class.",
    "condition": "Words of the trial's condition, each found, in any order (parts of words too).",
    "text": (
        "Words, each found in the trial's key, title, condition or population, an endpoint's "
        "name or a quote."
    ),
    "registry_id": "An NCT, EudraCT, ... identifier.",
    "endpoint": "Endpoint key.",
    "endpoint_kind": "Kind of endpoint.",
    "arm": "Arm key.",
    "arm_role": "Role of the arm.",
    "timepoint": "Timepoint value, e.g. 2.",
    "timepoint_unit": "Timepoint unit, e.g. years.",
    "origin": "reported or derived.",
    "category": "Only events of this category.",
    "min_grade": "Only events graded at least this.",
    "term": "Part of the event term.",
    "source": "Source key.",
}
