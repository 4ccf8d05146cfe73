"""Values as the registry writes them: numbers in strings ("NA", "<0.0001"), dispersions, units.

Values the registry gives as "NA" or as words are read as None, with the words kept for the
note; "<0.0001" is 0.0001 with the qualifier '<'.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from evidencedb.enums import SpreadType

_NUMBER = re.compile(
    r"(?P<qualifier><=|>=|=<|=>|≤|≥|<|>)?\s*"
    r"(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
)
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_QUALIFIERS = {"≤": "<=", "=<": "<=", "≥": ">=", "=>": ">="}
_NOT_AVAILABLE = {"na", "n/a", "nan", "none", "null", ""}


@dataclass(frozen=True)
class RegistryNumber:
    """A number the registry wrote as text, its bound, or the words it gave instead."""

    value: float | None
    qualifier: str | None = None
    unread: str | None = None  # words the registry gave instead of a number

    @property
    def note(self) -> str | None:
        return None if self.unread is None else f"registry value {self.unread!r}"


def parse_number(text: str | None) -> RegistryNumber:
    if text is None or text.strip().lower() in _NOT_AVAILABLE:
        return RegistryNumber(None)
    cleaned = text.strip()
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        return RegistryNumber(None, unread=text.strip())
    value = float(match["number"])
    if not math.isfinite(value):
        return RegistryNumber(None, unread=text.strip())
    qualifier = match["qualifier"]
    return RegistryNumber(value, _QUALIFIERS.get(qualifier, qualifier) if qualifier else None)


def join_notes(*parts: str | None) -> str | None:
    """The parts given, joined by "; "; None when there are none."""
    kept = [part for part in parts if part]
    return "; ".join(kept) if kept else None


def labelled(label: str, text: str | None) -> str | None:
    return None if text is None else f"{label}: {text}"


_PERCENT_UNIT = re.compile(
    r"(%|percent|percentage)( of (participants|patients|subjects|people|persons|individuals))?"
)


def is_percent_unit(unit: str | None) -> bool:
    return (
        unit is not None and _PERCENT_UNIT.fullmatch(" ".join(unit.casefold().split())) is not None
    )


@dataclass(frozen=True)
class Dispersion:
    spread_type: SpreadType | None = None  # SD, SE, other: `spread` holds the value
    limits: SpreadType | None = None  # IQR or range: lowerLimit/upperLimit are its ends
    ci_level: float | None = None  # a confidence interval: lowerLimit/upperLimit are its ends
    is_ci: bool = False
    label: str | None = None  # the registry's words, for a dispersion we have no type for


def dispersion(text: str | None) -> Dispersion:
    """Registry dispersion types, both the API's codes (STANDARD_ERROR, CONFIDENCE_95) and the
    older display words ("Standard Error", "95% Confidence Interval")."""
    if text is None:
        return Dispersion()
    code = re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")
    if code in ("NA", ""):
        return Dispersion()
    if code == "STANDARD_DEVIATION":
        return Dispersion(spread_type=SpreadType.STANDARD_DEVIATION)
    if code.startswith("STANDARD_ERROR"):
        return Dispersion(spread_type=SpreadType.STANDARD_ERROR)
    if code in ("INTER_QUARTILE_RANGE", "INTERQUARTILE_RANGE"):
        return Dispersion(limits=SpreadType.INTERQUARTILE_RANGE)
    if code == "FULL_RANGE":
        return Dispersion(limits=SpreadType.FULL_RANGE)
    if "CONFIDENCE" in code:
        digits = re.search(r"\d+(?:_\d+)?", code)
        level = None
        if digits is not None:
            number = digits[0].replace("_", ".")
            # The API writes 97.5% as CONFIDENCE_975.
            percent = (
                float(number) / 10 if "." not in number and len(number) == 3 else float(number)
            )
            level = percent / 100 if 0 < percent < 100 else None
        return Dispersion(ci_level=level, is_ci=True, label=None if level else text)
    return Dispersion(spread_type=SpreadType.OTHER, label=text)
