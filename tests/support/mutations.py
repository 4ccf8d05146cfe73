"""A damaged copy of a valid input, the ways the issue lists: structural changes to the parsed
document, then changes to its bytes.

Each strategy returns the damaged bytes and the names of the mutations applied (they become
Hypothesis events, counted by `--hypothesis-show-statistics`).
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.support.byte_mutations import byte_mutation
from tests.support.tree_mutations import tree_mutation


def serialise(data: Any, language: str) -> bytes:
    if language == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20).encode(
            "utf-8", "surrogatepass"
        )
    return json.dumps(data, ensure_ascii=True, indent=1).encode("utf-8")


@st.composite
def mutated(
    draw: st.DrawFn, original: bytes, *, language: str, nul: bool, surrogates: bool = False
) -> tuple[bytes, list[str]]:
    """A damaged copy of `original`: up to two structural changes (then re-serialised) and up
    to two byte-level ones, at least one change in all."""
    structural = draw(st.integers(0, 2))
    textual = draw(st.integers(0 if structural else 1, 2))
    applied: list[str] = []
    raw = original
    if structural:
        loaded = yaml.safe_load(original) if language == "yaml" else json.loads(original)
        for _ in range(structural):
            loaded, name = draw(tree_mutation(loaded, nul=nul, surrogates=surrogates))
            applied.append(name)
        raw = serialise(loaded, language)
    for _ in range(textual):
        raw, name = draw(byte_mutation(raw, language=language, nul=nul, surrogates=surrogates))
        applied.append(name)
    return raw, applied
