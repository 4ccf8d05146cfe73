"""The pages of analyses: saved meta-analyses (a listing, and each with its forest plot and the
lineage of its numbers) and a trial's reconciliation of its registry record and publication.

Both run the operations the CLI runs (`meta --analysis KEY`, `reconcile TRIAL`), so a page
shows what the command prints; the pooled numbers are recomputed from the facts as they are,
as `meta --analysis` does, and the listing shows the results stored by the last load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from evidencedb.analysis.meta.analysis import as_json
from evidencedb.analysis.reconcile import reconcile
from evidencedb.operations.saved_meta import compute_saved, saved_by_key
from evidencedb.query.meta_analyses import fact_keys, stored_analyses
from evidencedb.query.trials import trial_title
from evidencedb.web.database import ReadConnection
from evidencedb.web.forest import forest_of
from evidencedb.web.provenance import FactKind, provenance_url
from evidencedb.web.templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
# The tables a pooled study's facts come from, as the kinds of provenance page.
_FACT_KINDS: dict[str, FactKind] = {"results": "results", "comparisons": "comparisons"}


@router.get("/meta-analyses")
def meta_analyses(request: Request, connection: ReadConnection) -> HTMLResponse:
    context = {"analyses": stored_analyses(connection)}
    return templates.TemplateResponse(request, "meta_analyses.html", context)


@router.get("/meta-analyses/{key}")
def meta_analysis(request: Request, connection: ReadConnection, key: str) -> HTMLResponse:
    """One saved analysis: its question, model, forest plot, studies with the facts each was
    computed from, the pooled estimate and its heterogeneity, and the studies left out."""
    context = saved_analysis(connection, key)
    context["forest"] = forest_of(context["result"])
    _link_facts(connection, context["result"]["studies"])
    return templates.TemplateResponse(request, "meta_analysis.html", context)


def saved_analysis(connection: Connection, key: str) -> dict[str, Any]:
    """The saved analysis `key`: its definition (`analysis`, the seed file's fields) and its
    result recomputed from the facts as they are (`result`, `meta --format json`'s object)."""
    record = saved_by_key(connection, key).record
    return {
        "analysis": record.model_dump(mode="json"),
        "result": as_json(compute_saved(connection, record)),
    }


def _link_facts(connection: Connection, studies: list[dict[str, Any]]) -> None:
    """Give each fact a study was computed from the address of its provenance page (None for
    a fact that is no longer there)."""
    ids: dict[str, set[int]] = {}
    for study in studies:
        for fact in study["facts"]:
            ids.setdefault(fact["table"], set()).add(fact["id"])
    keys = {table: fact_keys(connection, table, found) for table, found in ids.items()}
    for study in studies:
        for fact in study["facts"]:
            key: Mapping[str, Any] | None = keys[fact["table"]].get(fact["id"])
            kind = _FACT_KINDS.get(fact["table"])
            fact["url"] = provenance_url(kind, key) if kind and key else None


@router.get("/trials/{key}/reconciliation")
def reconciliation(request: Request, connection: ReadConnection, key: str) -> HTMLResponse:
    """What `evidencedb reconcile KEY` reports: outcomes in each source and their status,
    values that differ, and the registered primary outcomes' history."""
    found = reconcile(connection, key)
    context = {"trial_key": found.trial_key, "title": trial_title(connection, key), "found": found}
    return templates.TemplateResponse(request, "reconciliation.html", context)
