"""The summary operation: how many rows each evidencedb table holds."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from evidencedb.store.models import metadata


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table, in the order the tables depend on each other."""
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }
