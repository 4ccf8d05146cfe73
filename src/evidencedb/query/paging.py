"""Pages of a listing: at most so many rows from an offset, for the web view and its API.

A page is a LIMIT and an OFFSET bound as parameters on the kept statement of a filter
combination, so paging adds one statement per combination, not one per page. One row more
than asked is read, which tells whether a next page exists without counting every row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Integer, bindparam

from evidencedb.query.statement import AnySelect, Values


@dataclass(frozen=True)
class Page:
    """`limit` rows from row `offset` (0-based) of a listing in its stable order."""

    limit: int
    offset: int = 0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.offset < 0:
            raise ValueError(f"a page needs limit >= 1 and offset >= 0, not {self}")

    def values(self) -> Values:
        """The bound LIMIT and OFFSET of `paged`: one row more than the page, so that the
        caller can tell whether another page follows (`PageOf.more`)."""
        return {"page_limit": self.limit + 1, "page_offset": self.offset}

    @property
    def next(self) -> Page:
        return Page(self.limit, self.offset + self.limit)


@functools.cache
def paged(statement: AnySelect) -> AnySelect:
    """`statement` with a bound LIMIT and OFFSET (`Page.values`), kept per statement."""
    return statement.limit(bindparam("page_limit", type_=Integer())).offset(
        bindparam("page_offset", type_=Integer())
    )
