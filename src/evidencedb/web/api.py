"""The JSON API: the query commands' answers, exactly as `--format json` prints them, with
query parameters named like their options (`/api/results?endpoint_kind=...`), a page at a
time (`limit` rows `after` a row's key; a `Link: <...>; rel="next"` header names the next
page when more rows follow)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from evidencedb.analysis.reconcile import reconcile
from evidencedb.query.facts import FactView, fetch_fact_page
from evidencedb.query.filters import FactFilters
from evidencedb.query.meta_analyses import stored_analyses
from evidencedb.query.paging import Page, PageOf
from evidencedb.query.sql import first_rows, read_only_connection
from evidencedb.query.trials import list_trial_page, trial_detail
from evidencedb.web import parameters as p
from evidencedb.web.analysis_pages import saved_analysis
from evidencedb.web.database import AppSettings, ReadConnection

router = APIRouter(prefix="/api", tags=["api"])

# What every route answers besides its rows, for the OpenAPI description.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": 'A user error, e.g. a SQL statement refused: `{"detail": ...}`.'},
    404: {"description": "No such trial or analysis, or nothing of that kind for it."},
}
ROWS: dict[int | str, dict[str, Any]] = {
    200: {"description": "A JSON array of rows, as `--format json` prints them."}
}


class JSONRows(Response):
    """JSON as the CLI writes it (`cli/output.py`): the same encoder, so that an answer parses
    to exactly what `evidencedb ... --format json` prints."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str).encode("utf-8")


def _rows(request: Request, found: PageOf, page: Page) -> JSONRows:
    """A page of rows; where more follow, a Link to the next page (`after` its last row)."""
    answer = JSONRows(found.rows)
    if found.next is not None:
        following = request.url.include_query_params(after=found.next, limit=page.limit)
        answer.headers["Link"] = f'<{following}>; rel="next"'
    return answer


def _facts(
    request: Request, connection: ReadConnection, view: FactView, filters: FactFilters, page: Page
) -> JSONRows:
    return _rows(request, fetch_fact_page(connection, view, filters, page), page)


@router.get("/trials", responses=ROWS, response_class=JSONRows)
def trials(
    request: Request, connection: ReadConnection, filters: p.TrialFiltering, page: p.TrialApiPage
) -> JSONRows:
    """Trials, as `evidencedb trials --format json`."""
    return _rows(request, list_trial_page(connection, filters, page), page)


@router.get("/trials/{key}", responses=ERRORS, response_class=JSONRows)
def trial(connection: ReadConnection, key: str) -> JSONRows:
    """One trial in full, as the one object that `evidencedb trial KEY --format json` prints
    in its array."""
    return JSONRows(trial_detail(connection, key))


@router.get("/results", responses=ROWS, response_class=JSONRows)
def results(
    request: Request, connection: ReadConnection, filters: p.ResultFiltering, page: p.ApiPage
) -> JSONRows:
    """Arm-level results, as `evidencedb results --format json`."""
    return _facts(request, connection, "results_flat", filters, page)


@router.get("/comparisons", responses=ROWS, response_class=JSONRows)
def comparisons(
    request: Request, connection: ReadConnection, filters: p.ComparisonFiltering, page: p.ApiPage
) -> JSONRows:
    """Between-arm estimates, as `evidencedb comparisons --format json`."""
    return _facts(request, connection, "comparisons_flat", filters, page)


@router.get("/adverse-events", responses=ROWS, response_class=JSONRows)
def adverse_events(
    request: Request,
    connection: ReadConnection,
    filters: p.AdverseEventFiltering,
    page: p.ApiPage,
) -> JSONRows:
    """Adverse events, as `evidencedb adverse-events --format json`."""
    return _facts(request, connection, "adverse_events_flat", filters, page)


@router.get("/meta-analyses", responses=ROWS, response_class=JSONRows)
def meta_analyses(connection: ReadConnection) -> JSONRows:
    """The saved meta-analyses: each one's question, model and the results of the last load
    (the columns of `export csv`'s meta_analyses.csv but its ids)."""
    return JSONRows(stored_analyses(connection))


@router.get("/meta-analyses/{key}", responses=ERRORS, response_class=JSONRows)
def meta_analysis(connection: ReadConnection, key: str) -> JSONRows:
    """One saved analysis: `analysis`, its definition as the seed file gives it, and `result`,
    recomputed from the facts as they are: the object `evidencedb meta --analysis KEY
    --format json` prints (studies with the facts each was computed from)."""
    return JSONRows(saved_analysis(connection, key))


@router.get("/trials/{key}/reconciliation", responses=ERRORS, response_class=JSONRows)
def reconciliation(connection: ReadConnection, key: str) -> JSONRows:
    """A trial's registry record against its publication and across its versions, as
    `evidencedb reconcile KEY --format json` prints it; 404 when the trial lacks one side."""
    return JSONRows(reconcile(connection, key).as_json())


@router.get("/sql", responses=ERRORS, response_class=JSONRows)
def sql(
    settings: AppSettings,
    q: Annotated[str, Query(min_length=1, max_length=100_000, description="One SELECT.")],
) -> JSONRows:
    """Read-only SQL with the guard of `evidencedb sql` and a time limit: the first rows
    (as many as the SQL page shows) as objects."""
    with read_only_connection(settings.url, time_limit=settings.sql_time_limit) as connection:
        columns, rows, _ = first_rows(connection, q, settings.sql_rows_shown)
    return JSONRows([dict(zip(columns, row, strict=True)) for row in rows])
