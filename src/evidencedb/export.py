"""CSV export: RFC 4180, UTF-8, '.' decimals, empty cell for NULL, no spreadsheet formulas."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import IO, Any

# A cell a spreadsheet would evaluate starts with one of these (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def csv_cell(value: Any) -> str:
    """One value as CSV text: numbers as Python writes them (81.6 stays 81.6), booleans as
    true/false, NULL as empty, and text that a spreadsheet would run as a formula prefixed
    with a single quote. A plain negative number is data, not a formula, and stays as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict | list):
        import json

        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def write_csv_rows(stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows; returns the number of rows written."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        count += 1
    return count
