"""The web view's database: one engine for the server's life, one read-only transaction per
request (`store.database.read_transaction`), and SQL through the `sql` command's guard."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from evidencedb.store.database import read_transaction


@dataclass(frozen=True)
class Settings:
    """What `evidencedb serve` was told: the database, and where the sources' documents are."""

    url: str | None
    documents_root: Path
    sql_time_limit: float = 5.0  # seconds a statement of the SQL page may run
    sql_rows_shown: int = 1000  # rows of its answer that a page shows


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def connection_of(request: Request) -> Iterator[Connection]:
    """A read-only transaction for one request, rolled back when the answer is made."""
    engine: Engine = request.app.state.engine
    with read_transaction(engine, read_only=True) as connection:
        yield connection


ReadConnection = Annotated[Connection, Depends(connection_of)]
AppSettings = Annotated[Settings, Depends(settings_of)]
