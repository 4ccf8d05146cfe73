"""The search of the web view's home page: endpoints by name (trials have `TrialFilters`)."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from evidencedb.query.statement import Row, contains, like_pattern
from evidencedb.store.models import Endpoint, Trial

_ENDPOINTS = (
    select(
        Trial.key.label("trial_key"),
        Trial.title.label("trial_title"),
        Endpoint.key.label("endpoint_key"),
        Endpoint.name.label("endpoint_name"),
        Endpoint.kind.label("endpoint_kind"),
    )
    .join(Trial, Trial.id == Endpoint.trial_id)
    .where(contains(Endpoint.name, bindparam("name")))
    .order_by(Trial.key, Endpoint.id)
    .limit(bindparam("limit"))
)


def endpoints_named(connection: Connection, text: str, limit: int) -> list[Row]:
    """Up to `limit` endpoints whose name contains `text` (case-insensitively), with their
    trial, by trial key."""
    values = {"name": like_pattern(text), "limit": limit}
    return [dict(row._mapping) for row in connection.execute(_ENDPOINTS, values)]
