"""Hypothesis strategies that change a parsed document: keys removed or renamed, types changed,
enum values garbled, numbers made negative or huge, strings with control characters."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

CONTROL_CHARACTERS = [
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\t",
    "\r",
    "\n",
]
NUMBERS: list[Any] = [
    -1,
    -100,
    0,
    1,
    101,
    2**31,
    2**63,
    10**18,
    10**300,
    -(10**300),
    0.5,
    -0.5,
    1e308,
    -1e308,
    5e-324,
    float("inf"),
    float("-inf"),
    float("nan"),
]
OTHER_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    "",
    "text",
    "2023-13-45",
    [],
    {},
    ["a"],
    {"a": 1},
    [[1]],
]
TREE_OPERATIONS = [
    "remove",
    "retype",
    "number",
    "negate",
    "garble",
    "control",
    "long",
    "duplicate",
    "unknown-key",
    "rename-key",
    "swap",
    "empty",
]


def _children(node: Any) -> list[tuple[Any, Any]]:
    if isinstance(node, dict):
        return list(node.items())
    if isinstance(node, list):
        return list(enumerate(node))
    return []


def tree_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every node below the root, parents before children."""
    found = []
    for key, child in _children(node):
        found.append((*prefix, key))
        found += tree_paths(child, (*prefix, key))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def tree_strings(node: Any) -> list[str]:
    """Every string of a document, keys included: the pool that garbling borrows from, so that
    a reference can point at the wrong thing and an enum take another field's value."""
    found = []
    for key, child in _children(node):
        if isinstance(key, str):
            found.append(key)
        if isinstance(child, str):
            found.append(child)
        found += tree_strings(child)
    return sorted(set(found))


def _text_strategy(*, nul: bool) -> st.SearchStrategy[str]:
    excluded = [] if nul else ["\x00"]
    return st.text(st.characters(exclude_characters=excluded), max_size=30)


@st.composite
def tree_mutation(draw: st.DrawFn, data: Any, *, nul: bool, surrogates: bool) -> tuple[Any, str]:
    """One structural change to a parsed document (a deep copy of it)."""
    data = copy.deepcopy(data)
    paths = tree_paths(data)
    if not paths:
        return data, "nothing-to-mutate"
    path = draw(st.sampled_from(paths))
    parent, key = _at(data, path[:-1]), path[-1]
    value = parent[key]
    operation = draw(st.sampled_from(TREE_OPERATIONS))
    controls = [c for c in CONTROL_CHARACTERS if nul or c != "\x00"]
    if surrogates:
        controls += ["\ud800", "\udfff"]
    if operation == "remove":
        del parent[key]
    elif operation == "retype":
        parent[key] = copy.deepcopy(draw(st.sampled_from(OTHER_VALUES)))
    elif operation == "number":
        parent[key] = draw(
            st.sampled_from(NUMBERS)
            | st.integers(min_value=-(10**20), max_value=10**20)
            | st.floats()
        )
    elif operation == "negate":
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        parent[key] = -value if is_number else -1
    elif operation == "garble":
        parent[key] = draw(_garbled(value, tree_strings(data), nul=nul))
    elif operation == "control":
        text_value = value if isinstance(value, str) else str(value)
        position = draw(st.integers(0, len(text_value)))
        character = draw(st.sampled_from(controls))
        parent[key] = text_value[:position] + character + text_value[position:]
    elif operation == "long":
        parent[key] = "x" * draw(st.sampled_from([20_000, 20_001, 100_000]))
    elif operation == "duplicate":
        if isinstance(parent, list):
            parent.insert(key, copy.deepcopy(value))
        elif isinstance(value, list) and value:
            value.append(copy.deepcopy(value[0]))
        else:
            parent[key] = [value, value]
    elif operation == "unknown-key":
        target = value if isinstance(value, dict) else parent
        if isinstance(target, dict):
            target[draw(st.sampled_from(["unexpected", "note_", "Key", "quote ", "id"]))] = 1
        else:
            parent[key] = {"unexpected": value}
    elif operation == "rename-key":
        if isinstance(parent, dict):
            parent[draw(_garbled(key, tree_strings(data), nul=nul))] = parent.pop(key)
        else:
            parent[key] = {"renamed": value}
    elif operation == "swap":
        parent[key] = copy.deepcopy(_at(data, draw(st.sampled_from(paths))))
    elif operation == "empty":
        parent[key] = "" if isinstance(value, str) else [] if isinstance(value, list) else {}
    return data, operation


@st.composite
def _garbled(draw: st.DrawFn, value: Any, pool: list[str], *, nul: bool) -> Any:
    text_value = value if isinstance(value, str) else str(value)
    how = draw(st.sampled_from(["typo", "case", "suffix", "pool", "random"]))
    if how == "typo" and text_value:
        position = draw(st.integers(0, len(text_value) - 1))
        return text_value[:position] + text_value[position + 1 :]
    if how == "case":
        return text_value.upper() if text_value != text_value.upper() else text_value.lower()
    if how == "pool" and pool:
        return draw(st.sampled_from(pool))
    if how == "random":
        return draw(_text_strategy(nul=nul))
    return text_value + "x"
