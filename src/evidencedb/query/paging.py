"""Pages of a listing by keyset (seek) paging, for the web view and its API.

A listing is ordered by a unique key (a fact's id, a trial's key). A page is the first
`limit` rows, or the `limit` rows after (or before) a key: `WHERE key > :page_key ORDER BY key
LIMIT n`, which the database answers by walking the key's index from that point and stopping
after n rows, however deep the page. (An OFFSET reads and discards every row before the page;
a page 5,000 rows deep then costs 5,000 rows.) A link to the next page names the last row's
key, so a page stays where it was when rows are added before it.

One row more than asked is read, which tells whether another page follows without counting
every row. The paged statement is kept per (statement, direction), with the key and the limit
as bound parameters, so paging adds three statements per filter combination, not one per page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, FromClause, Integer, Join, bindparam, select
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import ColumnClause

from evidencedb.query.statement import AnySelect, Values

Direction = Literal["first", "after", "before"]
PAGE_KEY = "page_key"  # the label of the key column that a paged statement adds


@dataclass(frozen=True)
class Page:
    """`limit` rows of a listing in its order: the first, those after the key `after`, or
    those just before the key `before` (a page back)."""

    limit: int
    after: Any = None
    before: Any = None

    def __post_init__(self) -> None:
        if self.limit < 1 or (self.after is not None and self.before is not None):
            raise ValueError(f"a page needs limit >= 1 and at most one of after, before: {self}")

    @property
    def direction(self) -> Direction:
        if self.after is not None:
            return "after"
        return "first" if self.before is None else "before"

    def values(self) -> Values:
        """The bound parameters of `paged`: one row more than the page, so that the caller can
        tell whether another page follows, and the key the page starts from."""
        values: Values = {"page_limit": self.limit + 1}
        if self.direction != "first":
            values[PAGE_KEY] = self.after if self.after is not None else self.before
        return values


@dataclass(frozen=True)
class PageOf:
    """A page's rows, and the keys that ask for the pages around it: `previous` (the first
    row's key, for `Page(before=...)`) and `next` (the last row's, for `Page(after=...)`), None
    where no rows are that way."""

    rows: list[dict[str, Any]]
    previous: Any
    next: Any


@functools.cache
def paged(statement: AnySelect, rows_of: AnySelect, key: Any, direction: Direction) -> AnySelect:
    """The page in `direction` of `statement`, ordered by its unique `key` column, with a bound
    LIMIT (`Page.values`): first the keys of the page, by `statement`'s joins and conditions
    alone, then their rows, by `rows_of` (the same listing without its conditions). Rows carry
    their key as `PAGE_KEY`; a page back is read in descending order and turned round by
    `page_of`.

    Why in two steps: to order the rows of a broad filter the database sorts every row that
    matches, with all its columns (quotes included), before it keeps the first few; the keys
    alone sort several times faster, and only the page's rows are then read in full, by key.
    """
    order = key.desc() if direction == "before" else key
    keys = keys_only(statement, key).order_by(order)
    if direction == "after":
        keys = keys.where(key > bindparam(PAGE_KEY))
    elif direction == "before":
        keys = keys.where(key < bindparam(PAGE_KEY))
    keys = keys.limit(bindparam("page_limit", type_=Integer())).correlate(None)
    return (
        rows_of.add_columns(key.label(PAGE_KEY)).where(key.in_(keys)).order_by(None).order_by(order)
    )


def page_of(
    connection: Connection,
    statement: AnySelect,
    rows_of: AnySelect,
    key: Any,
    values: Values,
    page: Page,
) -> PageOf:
    """The page `page` of the kept `statement` run with `values` (see `paged`): the rows,
    without their key, and the keys of the pages around it."""
    paged_statement = paged(statement, rows_of, key, page.direction)
    found = connection.execute(paged_statement, {**values, **page.values()})
    rows = [dict(row) for row in found.mappings()]
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    if page.direction == "before":
        rows.reverse()
    keys = [row.pop(PAGE_KEY) for row in rows]
    if not keys:  # past an end: the way back is where the page started
        return PageOf(rows, page.after, page.before)
    earlier = more if page.direction == "before" else page.direction == "after"
    later = True if page.direction == "before" else more
    return PageOf(rows, keys[0] if earlier else None, keys[-1] if later else None)


def keys_only(statement: AnySelect, key: Any) -> AnySelect:
    """`statement`'s `key` column alone, with its conditions and only the joins they need.

    The listings join their fact table to its trial, arm, endpoint and source by foreign
    keys that are NOT NULL (or by outer joins), so a join that no condition reads keeps
    every row as it is: dropping it leaves the same keys, without a lookup per row (at
    20,000 records, 7 ms instead of 47 for the ids of a broad filter's first page).
    """
    froms = statement.get_final_froms()
    if len(froms) != 1 or not isinstance(froms[0], Join):
        return statement.with_only_columns(key).order_by(None)
    base, joins = _unjoined(froms[0])
    needed = _tables_in(statement.whereclause)
    kept: list[Join] = []
    for join in reversed(joins):  # a kept join needs the tables its ON clause reads
        if join.right in needed:
            kept.insert(0, join)
            needed |= _tables_in(join.onclause)
    keys = select(key).select_from(base)
    for join in kept:
        keys = keys.join(join.right, join.onclause, isouter=join.isouter)
    if statement.whereclause is not None:
        keys = keys.where(statement.whereclause)
    return keys


def _unjoined(join: Join) -> tuple[FromClause, list[Join]]:
    """The leftmost table of a chain of joins, and each join, left to right."""
    joins: list[Join] = []
    current: FromClause = join
    while isinstance(current, Join):
        joins.insert(0, current)
        current = current.left
    return current, joins


def _tables_in(clause: Any) -> set[Any]:
    """The tables (and aliases) whose columns `clause` reads, in subqueries too."""
    if clause is None:
        return set()
    return {
        element.table
        for element in visitors.iterate(clause)
        if isinstance(element, ColumnClause) and element.table is not None
    }
