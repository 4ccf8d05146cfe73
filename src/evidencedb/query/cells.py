"""CSV cells: each value as its CSV text, formulas neutralised, also computed by the database."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from enum import Enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    Integer,
    Numeric,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    type_coerce,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import ScalarSelect, Select

from evidencedb.query.statement import AnySelect

# A cell a spreadsheet would evaluate starts with one of these (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number, which is data even when it starts with a sign. Written so that Python's `re`
# and PostgreSQL's regular expressions read it alike (\A, \Z: no match before a final newline).
PLAIN_NUMBER = r"\A[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)
_LARGEST_FLOAT = 1.7976931348623157e308
# What makes the csv module (QUOTE_MINIMAL) and PostgreSQL's COPY quote a cell.
_NEEDS_QUOTES = re.compile('[,"\r\n]')


def csv_cell(value: Any) -> str:
    """One value as CSV text: numbers as Python writes them (81.6 stays 81.6), booleans as
    true/false, NULL as empty, and text that a spreadsheet would run as a formula prefixed
    with a single quote. A plain negative number is data, not a formula, and stays as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class CellTarget(Enum):
    """Who turns the prepared cells into CSV text (see csv_ready)."""

    COPY = "copy"  # PostgreSQL's COPY (FORMAT csv): every cell text, NULL for an empty cell
    JOINED = "joined"  # ",".join(map(str, row)): no NULL, floats left to repr()
    CSV_WRITER = "csv_writer"  # the csv module: None for an empty cell, floats left to repr()


def csv_ready(
    statement: AnySelect, target: CellTarget = CellTarget.CSV_WRITER
) -> tuple[AnySelect, list[int]]:
    """The statement with its cells computed by the database as `csv_cell` writes them, so
    that no Python code of ours runs per cell: the Python work per row is what bounds an
    export. Booleans become true/false, non-finite floats NULL, text starting like a formula
    gets its quote prefix; integers and enumerations whose values are all plain need nothing.
    For COPY, floats become their text and an empty text NULL (COPY would quote it); for
    JOINED, NULL becomes ''. Returns the positions of the JSON columns, which only Python
    can canonicalise (they are in small tables, never exported through COPY)."""
    ready: list[Any] = []
    json_columns: list[int] = []
    for position, column in enumerate(statement.selected_columns):
        value: Any = getattr(column, "element", column)  # a view's column is a Label
        column_type = column.type
        if isinstance(column_type, JSON):
            json_columns.append(position)  # NULL included: with_json_cells writes it
            ready.append(value.label(str(column.key)))
            continue
        is_text = False
        cell: Any
        if isinstance(column_type, Boolean):
            cell = case((value, literal("true")), (not_(value), literal("false")))
        elif isinstance(column_type, Integer):
            cell = value
        elif isinstance(column_type, Float | Numeric):
            finite = value.between(-_LARGEST_FLOAT, _LARGEST_FLOAT)
            cell = (
                _float_text(value, finite) if target is CellTarget.COPY else case((finite, value))
            )
        elif isinstance(value, ScalarSelect):
            # A column computed by a scalar subquery (the views' registry_ids): made safe
            # inside its subquery, where the value is one aggregate that the database computes
            # once however often it is named; outside, each mention would run it again.
            inner = value.element
            assert isinstance(inner, Select)
            [only] = inner.selected_columns
            cell = inner.with_only_columns(_formula_safe(only)).scalar_subquery()
            is_text = True
        elif isinstance(column_type, SAEnum) and _needs_no_preparing(column_type.enums):
            cell = value
        else:
            cell = _formula_safe(value)
            is_text = True
        if target is CellTarget.COPY and is_text:
            cell = func.nullif(cell, "")
        elif target is CellTarget.JOINED:
            cell = func.coalesce(cell, "")
        ready.append(cell.label(str(column.key)))
    return statement.with_only_columns(*ready), json_columns


class _first_character_code(FunctionElement[int]):
    """The code point of a text's first character (NULL for NULL or ''). Comparing it with a
    few integers is cheaper than comparing substr(text, 1, 1) with a few texts through the
    collation, and it runs for every text cell of an export."""

    type = Integer()
    inherit_cache = True
    name = "first_character_code"


@compiles(_first_character_code)
def _first_character_code_elsewhere(
    element: _first_character_code, compiler: SQLCompiler, **kw: Any
) -> str:
    return f"ascii({compiler.process(element.clauses, **kw)})"  # PostgreSQL: the code point


@compiles(_first_character_code, "sqlite")
def _first_character_code_sqlite(
    element: _first_character_code, compiler: SQLCompiler, **kw: Any
) -> str:
    return f"unicode({compiler.process(element.clauses, **kw)})"


_FORMULA_START_CODES = [ord(character) for character in _FORMULA_START]


def _needs_no_preparing(values: Sequence[str]) -> bool:
    """Whether every value of an enumeration is written as it is: none looks like a formula
    or holds a character that CSV quotes."""
    return not any(
        value == "" or value.startswith(_FORMULA_START) or _NEEDS_QUOTES.search(value)
        for value in values
    )


def _formula_safe(value: Any) -> Any:
    """Text (enums included, compared as plain text) with the quote prefix where a
    spreadsheet would read a formula, as csv_cell does. The regular expression only decides
    between the few cells that start like a formula."""
    value = type_coerce(value, Text())
    looks_like_formula = and_(
        _first_character_code(value).in_(_FORMULA_START_CODES),
        not_(value.regexp_match(PLAIN_NUMBER)),
    )
    return case((looks_like_formula, literal("'", Text()) + value), else_=value)


# PostgreSQL's float text is the shortest that reads back exactly (extra_float_digits >= 1,
# set for the export), like repr(), but it writes a whole number without repr()'s ".0"
# (93 for 93.0), which is added here. From 1e15 on the two may differ in form (1e+15 against
# 1000000000000000.0) or in a last digit of an exact integer, never in the number they read
# back as.
_WHOLE_FLOAT_LIMIT = 1e15


def _float_text(value: Any, finite: Any) -> Any:
    """`value`'s text where `finite` (NaN is above every number), else NULL."""
    whole = and_(value == func.trunc(value), func.abs(value) < _WHOLE_FLOAT_LIMIT)
    as_text = cast(value, Text())
    return case((whole, func.concat(as_text, ".0")), (finite, as_text))


def _canonical_json(value: Any) -> str:
    return csv_cell(json.loads(value) if isinstance(value, str | bytes) else value)


def with_json_cells(
    rows: Iterable[Sequence[Any]], positions: Sequence[int]
) -> Iterator[Sequence[Any]]:
    """The rows with their JSON cells (at `positions`, as `csv_ready` returns them) written
    as `csv_cell` writes JSON: keys sorted, whatever text the database kept."""
    for raw in rows:
        row = list(raw)
        for i in positions:
            row[i] = _canonical_json(row[i])
        yield row
