"""Listings as CSV files: the columns and cells of `export csv` (its flat views' files), the
whole filtered listing, not a page of it."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from typing import IO

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from evidencedb.query.export import FETCH_ROWS, write_csv_rows
from evidencedb.query.facts import FactView, fact_columns, fact_statement
from evidencedb.query.filters import FactFilters
from evidencedb.query.trials import list_trials
from evidencedb.web import parameters as p
from evidencedb.web.database import ReadConnection

router = APIRouter(include_in_schema=False)
IN_MEMORY_BYTES = 8 * 1024 * 1024  # a larger file is spooled to disk while it is written
CHUNK_BYTES = 64 * 1024


def _csv(name: str, write: Callable[[IO[str]], int]) -> StreamingResponse:
    """The CSV that `write` writes, inside the request's transaction, then sent in chunks."""
    spooled = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
    text = io.TextIOWrapper(spooled, encoding="utf-8", newline="")
    write(text)
    text.flush()
    text.detach()
    spooled.seek(0)

    def chunks() -> Iterator[bytes]:
        with spooled:
            while chunk := spooled.read(CHUNK_BYTES):
                yield chunk

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _facts(connection: ReadConnection, view: FactView, filters: FactFilters) -> StreamingResponse:
    """The whole filtered view, read from the cursor a batch at a time into the spooled file,
    so that memory does not grow with the rows. Its filter values are bound parameters
    (`write_select` renders a statement's values inline, for statements of no user input)."""
    statement = fact_statement(view, filters).execution_options(yield_per=FETCH_ROWS)
    columns = [column.name for column in fact_columns(view)]

    def write(stream: IO[str]) -> int:
        return write_csv_rows(stream, columns, connection.execute(statement))

    return _csv(view, write)


@router.get("/trials.csv")
def trials(connection: ReadConnection, filters: p.TrialFiltering) -> StreamingResponse:
    rows = list_trials(connection, filters)
    columns = list(rows[0]) if rows else []

    def write(stream: IO[str]) -> int:
        return write_csv_rows(stream, columns, ([row[c] for c in columns] for row in rows))

    return _csv("trials", write)


@router.get("/results.csv")
def results(connection: ReadConnection, filters: p.ResultFiltering) -> StreamingResponse:
    return _facts(connection, "results_flat", filters)


@router.get("/comparisons.csv")
def comparisons(connection: ReadConnection, filters: p.ComparisonFiltering) -> StreamingResponse:
    return _facts(connection, "comparisons_flat", filters)


@router.get("/adverse-events.csv")
def adverse_events(
    connection: ReadConnection, filters: p.AdverseEventFiltering
) -> StreamingResponse:
    return _facts(connection, "adverse_events_flat", filters)
