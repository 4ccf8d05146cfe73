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

from sqlalchemy import Connection, Integer, bindparam

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
def paged(statement: AnySelect, key: Any, direction: Direction) -> AnySelect:
    """`statement`, ordered by its unique `key` column, as a page in `direction` with a bound
    LIMIT (`Page.values`); its rows carry the key as `PAGE_KEY`. A page back is read in
    descending order and turned round by `page_of`."""
    limit = bindparam("page_limit", type_=Integer())
    statement = statement.add_columns(key.label(PAGE_KEY))
    if direction == "after":
        statement = statement.where(key > bindparam(PAGE_KEY))
    elif direction == "before":
        statement = statement.where(key < bindparam(PAGE_KEY)).order_by(None).order_by(key.desc())
    return statement.limit(limit)


def page_of(
    connection: Connection, statement: AnySelect, key: Any, values: Values, page: Page
) -> PageOf:
    """The page `page` of the kept `statement` (ordered by its unique `key` column) run with
    `values`: the rows, without their key, and the keys of the pages around it."""
    found = connection.execute(paged(statement, key, page.direction), {**values, **page.values()})
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
