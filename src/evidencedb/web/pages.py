"""The pages: home and search, trials, a trial, the fact listings, provenance, and SQL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import URL

from evidencedb.analysis.reconcile import reconcilable
from evidencedb.enums import (
    AdverseEventCategory,
    ArmRole,
    ComparisonMeasure,
    EndpointKind,
    TrialDesign,
    TrialPhase,
)
from evidencedb.errors import EvidenceError
from evidencedb.operations.summary import table_counts
from evidencedb.query.descriptions import DescriptionKind, description
from evidencedb.query.facts import FactView, fetch_fact_page
from evidencedb.query.filters import FactFilters, TrialFilters
from evidencedb.query.meta_analyses import analyses_of_trial
from evidencedb.query.paging import Page, PageOf
from evidencedb.query.search import endpoints_named
from evidencedb.query.sources import source_detail
from evidencedb.query.sql import first_rows, read_only_connection
from evidencedb.query.trials import list_trial_page, trial_detail
from evidencedb.web import parameters as p
from evidencedb.web import provenance
from evidencedb.web.arm_tables import baseline_tables, flow_tables
from evidencedb.web.database import AppSettings, ReadConnection
from evidencedb.web.templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
SEARCH_ROWS = 50  # rows per section of the search page


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)


def _paged(request: Request, found: PageOf, page: Page) -> dict[str, Any]:
    """The page's rows, and the addresses of the pages before and after it (None at an end),
    with the request's filters kept."""
    url = URL(str(request.url)).remove_query_params(("after", "before"))
    return {
        "rows": found.rows,
        "first_row": 1 if page.direction == "first" else None,
        "first_url": str(url),
        "previous_url": (
            str(url.include_query_params(before=found.previous))
            if found.previous is not None
            else None
        ),
        "next_url": (
            str(url.include_query_params(after=found.next)) if found.next is not None else None
        ),
        "csv_url": _sibling(request, ".csv"),
        "json_url": str(URL("/api" + request.url.path + "?" + request.url.query)).rstrip("?"),
    }


def _sibling(request: Request, suffix: str) -> str:
    """This listing's address as another format, with its filters but not its page."""
    query = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in ("limit", "after", "before")
    ]
    return str(URL(request.url.path + suffix).include_query_params(**dict(query)))


@router.get("/")
def home(request: Request, connection: ReadConnection) -> HTMLResponse:
    return _page(request, "home.html", {"counts": table_counts(connection)})


@router.get("/search")
def search(
    request: Request,
    connection: ReadConnection,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """Trials by words, intervention and condition, and endpoints by name."""
    found: dict[str, Any] = {}
    if q.strip():
        first = Page(SEARCH_ROWS)
        found = {
            "trials": list_trial_page(connection, TrialFilters(text=q), first).rows,
            "by_intervention": list_trial_page(
                connection, TrialFilters(intervention=q), first
            ).rows,
            "by_condition": list_trial_page(connection, TrialFilters(condition=q), first).rows,
            "endpoints": endpoints_named(connection, q, SEARCH_ROWS),
        }
    return _page(request, "search.html", {"q": q, "found": found, "shown": SEARCH_ROWS})


@router.get("/trials")
def trials(
    request: Request,
    connection: ReadConnection,
    filters: p.TrialFiltering,
    page: p.TrialListingPage,
) -> HTMLResponse:
    found = list_trial_page(connection, filters, page)
    context = {
        "filters": filters,
        "designs": list(TrialDesign),
        "phases": list(TrialPhase),
        **_paged(request, found, page),
    }
    return _page(request, "trials.html", context)


@router.get("/trials/{key}")
def trial(request: Request, connection: ReadConnection, key: str) -> HTMLResponse:
    detail = trial_detail(connection, key)
    context = {
        "trial": detail,
        "baseline_tables": baseline_tables(detail["baseline_measurements"]),
        "flow_tables": flow_tables(detail["participant_flow"]),
        "analyses": analyses_of_trial(connection, key),
        "reconcilable": reconcilable(connection, key),
    }
    return _page(request, "trial.html", context)


def _facts(
    request: Request,
    connection: ReadConnection,
    kind: provenance.FactKind,
    filters: FactFilters,
    page: Page,
) -> HTMLResponse:
    view: FactView = provenance.VIEW_OF[kind]
    found = fetch_fact_page(connection, view, filters, page)
    choices = {
        "endpoint_kind": EndpointKind,
        "arm_role": ArmRole,
        "measure": ComparisonMeasure,
        "category": AdverseEventCategory,
    }
    context = {"kind": kind, "filters": filters, "choices": choices, **_paged(request, found, page)}
    return _page(request, "facts.html", context)


@router.get("/results")
def results(
    request: Request, connection: ReadConnection, filters: p.ResultFiltering, page: p.ListingPage
) -> HTMLResponse:
    return _facts(request, connection, "results", filters, page)


@router.get("/comparisons")
def comparisons(
    request: Request,
    connection: ReadConnection,
    filters: p.ComparisonFiltering,
    page: p.ListingPage,
) -> HTMLResponse:
    return _facts(request, connection, "comparisons", filters, page)


@router.get("/adverse-events")
def adverse_events(
    request: Request,
    connection: ReadConnection,
    filters: p.AdverseEventFiltering,
    page: p.ListingPage,
) -> HTMLResponse:
    return _facts(request, connection, "adverse-events", filters, page)


@router.get("/provenance/{kind}")
def fact_provenance(
    request: Request,
    connection: ReadConnection,
    settings: AppSettings,
    kind: provenance.RowKind | DescriptionKind,
) -> HTMLResponse:
    """A number with the words it came from: quote, locator, source, document, lineage. A
    fact, baseline measurement or flow count is named by its natural key; a trial's
    description by `trial`, an arm's by `trial` and `arm`, an endpoint's by `trial` and
    `endpoint`."""
    key = dict(request.query_params)
    if kind == "results" or kind == "comparisons" or kind == "adverse-events":
        fact = provenance.find_fact(connection, kind, key)
    elif kind == "baseline" or kind == "flow":
        fact = provenance.find_arm_row(connection, kind, key)
    else:
        part = key.get(kind.removesuffix("s"), "")
        fact = description(connection, kind, key.get("trial", ""), part)
    source = source_detail(connection, fact["source_key"])
    context = {
        "kind": kind,
        "fact": fact,
        "source": source,
        "reports_on": (
            source_detail(connection, source["reports_on"]) if source["reports_on"] else None
        ),
        "inputs": provenance.derived_from(connection, fact) if kind == "comparisons" else [],
        "document": provenance.read_marked(
            settings.documents_root, source["document"], provenance.quotes_of(fact)
        ),
    }
    return _page(request, "provenance.html", context)


@router.get("/sql")
def sql(
    request: Request,
    settings: AppSettings,
    q: Annotated[str, Query(max_length=100_000)] = "",
) -> HTMLResponse:
    """Read-only SQL with the guard of `evidencedb sql`, a time limit, and the first rows."""
    context: dict[str, Any] = {"q": q, "limit": settings.sql_rows_shown}
    if q.strip():
        try:
            with read_only_connection(settings.url, time_limit=settings.sql_time_limit) as c:
                columns, rows, more = first_rows(c, q, settings.sql_rows_shown)
            context.update(columns=columns, rows=rows, more=more)
        except EvidenceError as error:
            context["error"] = str(error)
    status = 400 if "error" in context else 200
    return templates.TemplateResponse(request, "sql.html", context, status_code=status)
