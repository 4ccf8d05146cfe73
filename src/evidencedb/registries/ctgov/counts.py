"""Numbers of the baseline and flow modules as the registry writes them: the number, and the
registry's text whenever it is not written plainly ("1,864", "NA", "<5"), so that nothing is
lost and nothing is refused."""

from __future__ import annotations

import re

from evidencedb.registries.ctgov.values import parse_number

_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
MAX_COUNT = 2_000_000_000


def read_number(text: str | None) -> tuple[float | None, str | None]:
    """A registry number and, unless it is written plainly, its text: ("1,864" -> 1864 and
    "1,864"; "NA" -> None and "NA"; "71.9" -> 71.9 and None)."""
    if text is None:
        return None, None
    parsed = parse_number(text)
    plain = parsed.value is not None and parsed.qualifier is None
    return parsed.value, None if plain and _PLAIN_NUMBER.fullmatch(text.strip()) else text


def read_count(text: str | None) -> tuple[int | None, str | None]:
    """A count of participants and, unless it is a plain whole number, its text."""
    value, raw = read_number(text)
    if value is None or not value.is_integer() or not 0 <= value <= MAX_COUNT:
        return None, text
    return int(value), raw
