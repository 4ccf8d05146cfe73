"""The tables of an HTML page as rows of cells, read with the standard library's parser: for
tests that assert a value is in the right cell, not merely somewhere on the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    tag: str  # "th" or "td"
    text: str = ""
    links: list[str] = field(default_factory=list)
    scope: str | None = None


@dataclass
class Table:
    caption: str = ""
    rows: list[list[Cell]] = field(default_factory=list)

    def row(self, header: str) -> list[Cell]:
        """The row whose first cell's text starts with `header`."""
        found = [row for row in self.rows if row and row[0].text.startswith(header)]
        assert len(found) == 1, f"{len(found)} rows start with {header!r} in {self.caption!r}"
        return found[0]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._cell: Cell | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.tables.append(Table())
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag in ("th", "td") and self.tables:
            self._cell = Cell(tag, scope=found.get("scope"))
            self.tables[-1].rows[-1].append(self._cell)
        elif tag == "a" and self._cell is not None and found.get("href"):
            self._cell.links.append(str(found["href"]))
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self._cell.text = " ".join(self._cell.text.split())
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.text += data
        elif self._in_caption and self.tables:
            self.tables[-1].caption += data


def tables_of(html: str, start: str = "", end: str = "") -> list[Table]:
    """The tables of `html` between the first `start` and the `end` after it (the whole page
    by default)."""
    begin = html.index(start) if start else 0
    finish = html.index(end, begin) if end else len(html)
    reader = _Reader()
    reader.feed(html[begin:finish])
    return reader.tables
