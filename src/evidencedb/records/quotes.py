"""Quotes: how a fact's quote is compared with its document, and how derived quotes are joined."""

from __future__ import annotations

import re
from pathlib import Path

# Between the quotes of the results a derived comparison was computed from: a check splits a
# derived quote on it and looks for each part in the document.
QUOTE_SEPARATOR = " | "


def normalise_text(text: str) -> str:
    """Quotes are compared ignoring runs of whitespace and the shape of quotation marks."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    return re.sub(r"\s+", " ", text.replace("\u201d", '"')).strip()


def read_document(path: Path) -> str | None:
    """The normalised text of a source's document, or None where it cannot be read: missing,
    not a regular file (a FIFO or device would block or never end), not UTF-8, NUL in the
    path. Quotes are then left unchecked, which callers report."""
    try:
        if not path.is_file():
            return None
        return normalise_text(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
