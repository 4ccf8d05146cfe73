"""Query parameters: the filters of the CLI's query commands, named as its options are
(`--endpoint-kind` is `endpoint_kind`), and pages of a listing: `limit` rows `after` (or,
a page back, `before`) the key of a row, a fact's id or a trial's key (`query.paging`).

Every filter is optional and an empty one is no filter (`blank_parameters_dropped`: an HTML
form sends its empty fields). Enumerated filters take the same values as the CLI's, so that
the OpenAPI description lists them and anything else is refused with 422.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from evidencedb.enums import (
    AdverseEventCategory,
    ArmRole,
    ComparisonMeasure,
    ComparisonOrigin,
    EndpointKind,
    EndpointRole,
    TrialDesign,
    TrialPhase,
)
from evidencedb.errors import EvidenceError
from evidencedb.query.filter_help import FILTER_HELP
from evidencedb.query.filters import FactFilters, TrialFilters
from evidencedb.query.paging import Page

PAGE_ROWS = 100  # rows a page shows unless told
PAGE_ROWS_MAX = 200  # the most a page shows: a page is read, not scrolled for ever
API_ROWS = 1000  # rows an API answer holds unless told
API_ROWS_MAX = 10_000
KEY_MAX = 2**31 - 1  # the largest id: ids are INTEGER, 32 bits on PostgreSQL

Trial = Annotated[str | None, Query(description=FILTER_HELP["trial"])]
Intervention = Annotated[str | None, Query(description=FILTER_HELP["intervention"])]
Condition = Annotated[str | None, Query(description=FILTER_HELP["condition"])]
Text = Annotated[str | None, Query(description=FILTER_HELP["text"])]
Endpoint = Annotated[str | None, Query(description=FILTER_HELP["endpoint"])]
Source = Annotated[str | None, Query(description=FILTER_HELP["source"])]
Kind = Annotated[EndpointKind | None, Query(description=FILTER_HELP["endpoint_kind"])]
ArmRoleFilter = Annotated[ArmRole | None, Query(description=FILTER_HELP["arm_role"])]


def trial_filters(
    trial: Trial = None,
    intervention: Intervention = None,
    condition: Condition = None,
    design: TrialDesign | None = None,
    phase: TrialPhase | None = None,
    registry_id: Annotated[str | None, Query(description=FILTER_HELP["registry_id"])] = None,
    text: Text = None,
) -> TrialFilters:
    """The filters of `evidencedb trials`."""
    return TrialFilters(
        trial=trial,
        intervention=intervention,
        condition=condition,
        design=design,
        phase=phase,
        registry_id=registry_id,
        text=text,
    )


def result_filters(
    trial: Trial = None,
    intervention: Intervention = None,
    condition: Condition = None,
    endpoint: Endpoint = None,
    endpoint_kind: Kind = None,
    endpoint_role: EndpointRole | None = None,
    arm_role: ArmRoleFilter = None,
    timepoint: Annotated[
        float | None, Query(description=FILTER_HELP["timepoint"], allow_inf_nan=False)
    ] = None,
    timepoint_unit: Annotated[str | None, Query(description=FILTER_HELP["timepoint_unit"])] = None,
    source: Source = None,
    text: Text = None,
) -> FactFilters:
    """The filters of `evidencedb results`."""
    return FactFilters(
        trial=trial,
        intervention=intervention,
        condition=condition,
        endpoint=endpoint,
        endpoint_kind=endpoint_kind,
        endpoint_role=endpoint_role,
        arm_role=arm_role,
        timepoint=timepoint,
        timepoint_unit=timepoint_unit,
        source=source,
        text=text,
    )


def comparison_filters(
    trial: Trial = None,
    intervention: Intervention = None,
    endpoint: Endpoint = None,
    endpoint_kind: Kind = None,
    measure: ComparisonMeasure | None = None,
    origin: Annotated[ComparisonOrigin | None, Query(description=FILTER_HELP["origin"])] = None,
    source: Source = None,
) -> FactFilters:
    """The filters of `evidencedb comparisons`."""
    return FactFilters(
        trial=trial,
        intervention=intervention,
        endpoint=endpoint,
        endpoint_kind=endpoint_kind,
        measure=measure,
        origin=origin,
        source=source,
    )


def adverse_event_filters(
    trial: Trial = None,
    arm: Annotated[str | None, Query(description=FILTER_HELP["arm"])] = None,
    arm_role: ArmRoleFilter = None,
    intervention: Intervention = None,
    serious: Annotated[
        bool | None,
        Query(description="true: only serious events (--serious); false: only non-serious."),
    ] = None,
    category: Annotated[
        AdverseEventCategory | None, Query(description=FILTER_HELP["category"])
    ] = None,
    min_grade: Annotated[
        int | None, Query(ge=1, le=5, description=FILTER_HELP["min_grade"])
    ] = None,
    term: Annotated[str | None, Query(description=FILTER_HELP["term"])] = None,
    source: Source = None,
) -> FactFilters:
    """The filters of `evidencedb adverse-events`."""
    if serious is not None and category is not None:
        raise EvidenceError("give serious or category, not both")
    return FactFilters(
        trial=trial,
        arm=arm,
        arm_role=arm_role,
        intervention=intervention,
        serious=serious,
        event_category=category,
        min_grade=min_grade,
        term=term,
        source=source,
    )


After = Annotated[
    int | None, Query(ge=0, le=KEY_MAX, description="Rows after this one (the Link header's).")
]
Before = Annotated[int | None, Query(ge=0, le=KEY_MAX, description="Rows before this one.")]
AfterTrial = Annotated[
    str | None, Query(max_length=500, description="Trials after this key (the Link header's).")
]
BeforeTrial = Annotated[str | None, Query(max_length=500, description="Trials before this key.")]
ListingLimit = Annotated[int, Query(ge=1, le=PAGE_ROWS_MAX, description="Rows per page.")]
ApiLimit = Annotated[
    int, Query(ge=1, le=API_ROWS_MAX, description="Rows per answer (see the Link header).")
]


def _page(limit: int, after: Any, before: Any) -> Page:
    if after is not None and before is not None:
        raise EvidenceError("a page starts after a row or ends before one, not both")
    return Page(limit, after, before)


def page_of_listing(
    limit: ListingLimit = PAGE_ROWS, after: After = None, before: Before = None
) -> Page:
    return _page(limit, after, before)


def page_of_trial_listing(
    limit: ListingLimit = PAGE_ROWS, after: AfterTrial = None, before: BeforeTrial = None
) -> Page:
    return _page(limit, after, before)


def page_of_api(limit: ApiLimit = API_ROWS, after: After = None) -> Page:
    return Page(limit, after)


def page_of_trial_api(limit: ApiLimit = API_ROWS, after: AfterTrial = None) -> Page:
    return Page(limit, after)


TrialFiltering = Annotated[TrialFilters, Depends(trial_filters)]
ResultFiltering = Annotated[FactFilters, Depends(result_filters)]
ComparisonFiltering = Annotated[FactFilters, Depends(comparison_filters)]
AdverseEventFiltering = Annotated[FactFilters, Depends(adverse_event_filters)]
ListingPage = Annotated[Page, Depends(page_of_listing)]
TrialListingPage = Annotated[Page, Depends(page_of_trial_listing)]
ApiPage = Annotated[Page, Depends(page_of_api)]
TrialApiPage = Annotated[Page, Depends(page_of_trial_api)]
