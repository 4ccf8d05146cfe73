"""Chunked `IN (...)` lookups: a long list of values bound a few hundred at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Connection, Row, Select
from sqlalchemy.orm import QueryableAttribute

# Values bound in one IN (...) list. Each value is one bound parameter: 500 stays well under
# SQLite's limit per statement (999 before SQLite 3.32, 32,766 since) and PostgreSQL's (65,535),
# leaving room for the statement's own parameters, while a lookup of thousands of keys still
# takes only a few round trips.
IN_LIST_SIZE = 500

Value = TypeVar("Value")
Columns = TypeVarTuple("Columns")


def in_chunks(values: Iterable[Value], size: int = IN_LIST_SIZE) -> Iterator[list[Value]]:
    """`values` without repeats, in their first order, as lists of at most `size`."""
    distinct = list(dict.fromkeys(values))
    for start in range(0, len(distinct), size):
        yield distinct[start : start + size]


def rows_where_in(
    connection: Connection,
    statement: Select[*Columns],
    column: ColumnElement[Any] | QueryableAttribute[Any],
    values: Iterable[Any],
) -> Iterator[Row[*Columns]]:
    """The rows of `statement` whose `column` is one of `values`, read with one query per
    chunk of values (no query at all for none). Consume them before writing to the tables read:
    the next chunk is queried only when the rows of the last one are used up."""
    for chunk in in_chunks(values):
        yield from connection.execute(statement.where(column.in_(chunk)))
