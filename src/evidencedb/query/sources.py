"""Sources: one source in full, with the source it reports on, for provenance pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from evidencedb.errors import NotFound
from evidencedb.store.source_models import Source


def source_detail(connection: Connection, key: str) -> dict[str, Any]:
    """Every column of the source `key` but its ids, and `reports_on`: the key of the source
    it summarises (a news report of a journal article), or None."""
    reported = aliased(Source)
    row = connection.execute(
        select(Source, reported.key.label("reports_on"))
        .outerjoin(reported, reported.id == Source.reports_on_id)
        .where(Source.key == key)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no source with key {key!r}")
    return {
        column: value
        for column, value in row._mapping.items()
        if column not in ("id", "reports_on_id")
    }
