"""Keys and titles: slugs, keys unique within a study, titles made distinct or compared."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].rstrip("-")


class UniqueKeys:
    """Keys made from titles, each new one unique among those made before: "x", "x-2"."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, text: str, fallback: str) -> str:
        base = slug(text) or slug(fallback) or "item"
        key, number = base, 2
        while key in self.used:
            key, number = f"{base}-{number}", number + 1
        self.used.add(key)
        return key


class DistinctTitles:
    """The same title twice in one record becomes "title", "title (2)": natural keys include
    subgroup and category titles, and a row must not silently overwrite its twin."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, title: str) -> str:
        candidate, number = title, 1
        while candidate in self.seen:
            number += 1
            candidate = f"{title} ({number})" if title else f"({number})"
        self.seen.add(candidate)
        return candidate


def normal_title(title: str) -> str:
    """A title as compared with another: case and spacing do not count."""
    return " ".join(title.casefold().split())
