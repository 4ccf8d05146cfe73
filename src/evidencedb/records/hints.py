"""Fixes for the commonest mistakes in a seed file, added to the schema error they cause.

A curator who writes `ci_level: 95` or `p_value: '<0.001'` gets told what to write instead,
not only that the value is refused.
"""

from __future__ import annotations

import re
from typing import Any

from evidencedb.records.location import Location

# A number written with a comparison in front of it: '<0.001', '≤ 0.05', '< 40%'.
_QUALIFIED_NUMBER = re.compile(r"^\s*(<=|>=|=<|=>|≤|≥|<|>)\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$")
_QUALIFIER_NAMES = {"≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}
# The fields whose qualifier has its own field beside them.
_QUALIFIED_FIELDS = {"p_value": "p_value_qualifier", "value": "value_qualifier"}


def fix_for(location: Location, value: Any) -> str | None:
    """What to write instead of `value` at `location`, when the mistake is a known one."""
    if not location or not isinstance(location[-1], str):
        return None
    field = location[-1]
    if field == "ci_level" and _is_number(value) and 1 < value < 100:
        return f"a CI level is a fraction: write {value / 100:g}"
    if field in _QUALIFIED_FIELDS and isinstance(value, str):
        match = _QUALIFIED_NUMBER.match(value)
        if match:
            qualifier = _QUALIFIER_NAMES.get(match[1], match[1])
            return f"use {field}: {match[2]} with {_QUALIFIED_FIELDS[field]}: '{qualifier}'"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
