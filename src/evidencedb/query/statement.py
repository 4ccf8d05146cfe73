"""What every query module shares: the SELECT type, bound values, and LIKE patterns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from sqlalchemy import BindParameter, ColumnElement, Select
from sqlalchemy.orm import InstrumentedAttribute

Row = Mapping[str, Any]
# Any SELECT, whatever its columns (Select is generic over the column types in SQLAlchemy 2.1).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
# The bound parameters of a statement by name, and the set of those names: the names decide
# which statement is built (one kept per combination), the values are sent with it.
Values: TypeAlias = dict[str, Any]
Names: TypeAlias = frozenset[str]


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], pattern: BindParameter[str]
) -> ColumnElement[bool]:
    """`column` matches `pattern` (a pattern of `like_pattern`), case-insensitively."""
    return column.ilike(pattern, escape="\\")


def with_values(statement: AnySelect, values: Values) -> AnySelect:
    """A kept statement with `values` in it, for callers that want a statement rather than
    rows (the CSV export, EXPLAIN, tests). A copy: the kept one stays without values."""
    return statement.params(values) if values else statement
