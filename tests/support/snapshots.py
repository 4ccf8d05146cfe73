"""Every row of every evidencedb table, to compare a database before and after a command."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select

from evidencedb.store.database import open_engine
from evidencedb.store.models import metadata
from tests.support.databases import TestDatabase


def snapshot(database: TestDatabase) -> dict[str, list[dict[str, Any]]]:
    """Every row of every evidencedb table (empty dict when the schema does not exist)."""
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        tables = {}
        for table in metadata.sorted_tables:
            if table.name in existing:
                rows = connection.execute(select(table).order_by(table.c.id)).all()
                tables[table.name] = [dict(row._mapping) for row in rows]
        return tables
