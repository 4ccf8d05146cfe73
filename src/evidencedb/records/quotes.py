"""Quotes: how a fact's quote is compared with its document, and how derived quotes are joined."""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from pathlib import Path

# Between the quotes of the results a derived comparison was computed from: a check splits a
# derived quote on it and looks for each part in the document.
QUOTE_SEPARATOR = " | "

# Typographic characters a curator types as ASCII (or the reverse): dashes and minus signs,
# curly and low quotation marks, primes. NFKC already folds ligatures, non-breaking and other
# spaces, full-width forms; these it leaves alone.
_TYPOGRAPHIC = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        "\u00ad": None,  # a soft hyphen is invisible in the text a curator copies from
    }
)
_CLOSEST_MINIMUM = 0.5  # below this difflib ratio, a passage is not shown as "closest"


def normalise_text(text: str) -> str:
    """Quotes are compared after Unicode compatibility folding (NFKC: ligatures, non-breaking
    spaces), with typographic dashes and quotation marks as their ASCII forms, soft hyphens
    removed and every run of whitespace as one space."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return re.sub(r"\s+", " ", text).strip()


def closest_passage(quote: str, text: str) -> str | None:
    """The passage of the (normalised) `text` most like `quote`, as many words long, for a
    curator to compare with a quote that was not found; None when nothing is alike.

    Every window of the text that starts at a word is scored with difflib's ratio; the cheap
    upper bounds (`real_quick_ratio`, `quick_ratio`) skip most windows, as in
    `difflib.get_close_matches`."""
    quote = normalise_text(quote)
    if not quote or not text:
        return None
    starts = [0, *(match.end() for match in re.finditer(" ", text))]
    words = len(quote.split(" "))
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)
    best, best_score = None, _CLOSEST_MINIMUM
    for index, start in enumerate(starts):
        end = starts[index + words] - 1 if index + words < len(starts) else len(text)
        matcher.set_seq1(text[start:end])
        if (
            matcher.real_quick_ratio() > best_score
            and matcher.quick_ratio() > best_score
            and matcher.ratio() > best_score
        ):
            best, best_score = text[start:end], matcher.ratio()
    return best


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


def document_sha256(path: Path) -> str | None:
    """The SHA-256 of a document's bytes (what `check` compares to tell that it changed), or
    None where it cannot be read (see `read_document`)."""
    try:
        if not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None
