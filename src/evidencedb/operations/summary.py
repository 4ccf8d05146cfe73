"""The summary operation: how many rows each evidencedb table holds."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from evidencedb.store.models import tables_in_order


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table, in the order of `tables_in_order` (trials' tables first)."""
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in tables_in_order()
    }
