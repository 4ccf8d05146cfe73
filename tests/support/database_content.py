"""The whole content of a database, to prove that a refused input changed nothing."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from evidencedb.store.database import open_engine
from tests.support.databases import TestDatabase


def sqlite_file(database: TestDatabase) -> Path | None:
    url = make_url(database.url)
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def content(database: TestDatabase) -> Any:
    """Everything a database holds, in a form that compares equal only when the content is.

    SQLite: the SQL text of `iterdump` (schema, every row, the schema version), which is the
    file's content byte for byte; a missing file and an empty one hold the same (nothing).
    PostgreSQL: every row of every table, and the schema version.
    """
    path = sqlite_file(database)
    if path is not None:
        if not path.exists():
            return []
        connection = sqlite3.connect(path)
        try:
            return [
                line
                for line in connection.iterdump()
                if line not in ("BEGIN TRANSACTION;", "COMMIT;")
            ]
        finally:
            connection.close()
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        tables = set(
            connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "current_schema()"
                )
            ).scalars()
        )
        rows: dict[str, Any] = {}
        for name in sorted(tables):
            result = connection.execute(text(f'SELECT * FROM "{name}"'))
            rows[name] = sorted(
                (tuple(row) for row in result), key=lambda row: tuple(map(repr, row))
            )
        return rows


def digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:16]
