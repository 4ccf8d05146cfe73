"""Pairing a registry record's arms and outcomes with a curated trial's: the one rule.

The loader links rows with it (`loader.registry_links`) and reconciliation compares with it
(`reconcile`), so both always agree on which registry item is which curated one. The record's
own rows in a curated trial are keyed `REGISTRY_KEY_PREFIX` + their key in the import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

REGISTRY_KEY_PREFIX = "ctgov:"


def comparable_title(title: str) -> str:
    """A title as compared with another: case, spacing and punctuation at the ends do not
    count, nor a trailing " arm" or "group" ("Placebo Arm" is "Placebo")."""
    words = " ".join(re.sub(r"[^\w%]+", " ", title.casefold()).split())
    return re.sub(r"\s+(arm|group)$", "", words)


@dataclass(frozen=True)
class Item:
    """An arm or endpoint as pairing sees it: its key, its title and, for a curated one, the
    registry item it names (`registry_match`: that item's title or key)."""

    key: str
    title: str
    registry_match: str | None = None


def pair_items(curated: Sequence[Item], registry: Sequence[Item]) -> dict[str, str]:
    """registry key -> curated key of the items that are the same arm or outcome.

    A curated item that names its registry item is paired with the one registry item whose
    key or title is that name; the others are paired where their titles compare equal
    (`comparable_title`) and no other item on either side has that title. Nothing is paired
    twice.
    """
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for item in curated:
        if item.registry_match is None:
            continue
        found = _named(item.registry_match, registry)
        if found is not None and found.key not in pairs:
            pairs[found.key] = item.key
            taken.add(item.key)
    free_curated = [c for c in curated if c.key not in taken and c.registry_match is None]
    free_registry = [r for r in registry if r.key not in pairs]
    for item in free_curated:
        title = comparable_title(item.title)
        mine = [c for c in free_curated if comparable_title(c.title) == title]
        theirs = [r for r in free_registry if comparable_title(r.title) == title]
        if len(mine) == 1 and len(theirs) == 1:
            pairs[theirs[0].key] = item.key
    return pairs


def _named(name: str, registry: Sequence[Item]) -> Item | None:
    """The one registry item with this key, else with this title (case and spacing aside).
    Only the exact title: a name must keep naming the same item when the others are gone
    (a linked item's row is; `loader.registry_links` pairs again on every load)."""
    spaced = " ".join(name.casefold().split())
    for matches in (
        lambda r: r.key == name,
        lambda r: " ".join(r.title.casefold().split()) == spaced,
    ):
        found = [r for r in registry if matches(r)]
        if found:
            return found[0] if len(found) == 1 else None
    return None
