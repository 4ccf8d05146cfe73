"""Values as the registry writes them: numbers in strings ("NA", "<0.0001"), dispersions, units.

The registry enforces few rules on what it publishes: p-values of 60.66 (a percentage typed
into the field), odds ratios of 0, "1,901.65", ".05", "80.", "< .001", "NE", 9999 standing in
for a limit that could not be estimated. A value is read as the number it is where it is one,
and the registry's text is kept verbatim (`raw`) whenever it is not a plain number or breaks a
rule, so nothing it wrote is lost and nothing impossible reaches a checked column. "NA" and
its kin are the registry saying "not available": kept as text, not a problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from evidencedb.enums import SpreadType

_NUMBER = re.compile(
    r"(?P<qualifier><=|>=|=<|=>|≤|≥|<|>|=)?\s*"
    r"(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
)
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?P<sign>[<>=≤≥]*\s*[-+]?)(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?)")
# Some records of the website's endpoint escape '<' and '>' as HTML does.
_ESCAPES = {"&lt;": "<", "&gt;": ">", "&le;": "≤", "&ge;": "≥"}
_QUALIFIERS = {"≤": "<=", "=<": "<=", "≥": ">=", "=>": ">="}
_NOT_AVAILABLE = {
    "na",
    "n/a",
    "n.a.",
    "nan",
    "none",
    "null",
    "ne",
    "not estimable",
    "not evaluable",
    "not calculable",
    "not applicable",
    "not available",
    "",
}
# 9999, -999.99, 99999: what registries put where a limit could not be estimated.
_PLACEHOLDER = re.compile(r"-?(?:9{4,}(?:\.[09]*)?|9{3}\.9+)")

Rule = Callable[[float], "str | None"]  # the reason a value is impossible, or None


@dataclass(frozen=True)
class RegistryNumber:
    """A number the registry wrote as text: the number, its bound, and the registry's text
    (`text`) with the reason (`refused`) when it is not a number or broke a rule."""

    value: float | None
    qualifier: str | None = None
    text: str | None = None
    refused: str | None = None  # why the text gave no value: words, a placeholder, a rule

    @property
    def raw(self) -> str | None:
        """The registry's text, when the stored number alone would not say what it wrote."""
        if self.text is None or (self.refused is None and _PLAIN.fullmatch(self.text)):
            return None
        return self.text

    @property
    def unavailable(self) -> bool:
        """The registry said "NA" (or the like): no value, and no problem."""
        return self.value is None and self.refused is None

    def checked(self, rule: Rule) -> RegistryNumber:
        """This number, refused with `rule`'s reason when `rule` finds it impossible."""
        reason = None if self.value is None else rule(self.value)
        return self if reason is None else replace(self, value=None, qualifier=None, refused=reason)

    def refuse(self, reason: str) -> RegistryNumber:
        if self.value is None:
            return self
        return replace(self, value=None, qualifier=None, refused=reason)


def parse_number(text: str | None) -> RegistryNumber:
    if text is None:
        return RegistryNumber(None)
    given = text.strip()
    if _PLAIN.fullmatch(given) and not _PLACEHOLDER.fullmatch(given):
        # Most values are written plainly ("12.5"): what the general reading below gives
        # them, without its escapes, thousands and qualifier (a large import reads 200,000).
        value = float(given)
        if math.isfinite(value):
            return RegistryNumber(value, None, given)
    if given.casefold() in _NOT_AVAILABLE:
        return RegistryNumber(None, text=given or None)
    cleaned = given
    for escape, sign in _ESCAPES.items():
        cleaned = cleaned.replace(escape, sign)
    thousands = _THOUSANDS.fullmatch(cleaned)
    if thousands:
        cleaned = thousands["sign"] + thousands["digits"].replace(",", "")
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        return RegistryNumber(None, text=given, refused="not a number")
    value = float(match["number"])
    if not math.isfinite(value):
        return RegistryNumber(None, text=given, refused="not a finite number")
    if _PLACEHOLDER.fullmatch(match["number"]):
        return RegistryNumber(None, text=given, refused="a placeholder, not a value")
    qualifier = match["qualifier"]
    return RegistryNumber(
        value, _QUALIFIERS.get(qualifier, qualifier) if qualifier else None, given
    )


def probability(value: float) -> str | None:
    return None if 0 <= value <= 1 else "a p-value lies between 0 and 1"


def non_negative(value: float) -> str | None:
    return None if value >= 0 else "cannot be negative"


def positive_ratio(value: float) -> str | None:
    return None if value > 0 else "a ratio must be above 0"


def non_negative_ratio_limit(value: float) -> str | None:
    return None if value >= 0 else "a ratio's confidence limit cannot be negative"


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
    if code.startswith("GEOMETRIC_COEFFICIENT"):
        return Dispersion(spread_type=SpreadType.GEOMETRIC_COEFFICIENT_OF_VARIATION)
    if code == "COEFFICIENT_OF_VARIATION":
        return Dispersion(spread_type=SpreadType.COEFFICIENT_OF_VARIATION)
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
