"""The building blocks of every record: strict base classes, citations and field value types."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)

from evidencedb.enums import AE_GRADES, ValueQualifier

Key = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=200),
    Field(description="A key: letters, digits and . _ : - ; unique where the table says."),
]
Text = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=20_000)]
MAX_COUNT = 2_000_000_000
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if isinstance(value, bool):  # YAML `yes` must not pass as 1
        raise ValueError("must be a number, not true/false")
    return value


Number = Annotated[float, BeforeValidator(_finite), Strict(False), Field(allow_inf_nan=False)]
Fraction = Annotated[float, BeforeValidator(_finite), Field(gt=0, lt=1)]
Probability = Annotated[float, BeforeValidator(_finite), Field(ge=0, le=1)]
PartialDate = Annotated[
    str,
    BeforeValidator(lambda value: str(value) if isinstance(value, int) else value),
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    Field(description="ISO 8601 date, month or year: 2023, 2023-04, 2023-04-20"),
]

_QUALIFIER_SPELLINGS = {"≤": "<=", "≥": ">=", "not reached": "not_reached", "=<": "<=", "=>": ">="}


def _qualifier(value: Any) -> Any:
    return _QUALIFIER_SPELLINGS.get(value, value) if isinstance(value, str) else value


Qualifier = Annotated[ValueQualifier, BeforeValidator(_qualifier)]


def _grade(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = re.sub(r"\s|grade", "", value.lower().replace("≥", ">="))
        value = re.sub(r"[\u2010-\u2015\u2212]|to", "-", value)  # 3–4, 3 to 4: 3-4
        if value not in ("", *AE_GRADES):
            raise ValueError(
                "a CTCAE grade 1-5, '>=N' for grade N or higher, or a range such as '3-4'"
            )
    return value


Grade = Annotated[str, BeforeValidator(_grade)]


class Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_by_name=True, validate_by_alias=True
    )

    def checked_copy(self, changes: dict[str, Any], given: Iterable[str]) -> Self:
        """A copy of this validated record with `changes` set, without validating it again:
        for values the caller has checked against the same rules itself. `given` are the
        fields the record would have been built from (pydantic's fields set). A registry
        record has thousands of rows that differ from one validated row in a few checked
        fields (one adverse-event term's counts in each arm); validating each in full cost
        the importer a fifth of its mapping time."""
        cls = type(self)
        copied = cls.__new__(cls)
        values = self.__dict__.copy()
        values.update(changes)
        object.__setattr__(copied, "__dict__", values)
        object.__setattr__(copied, "__pydantic_fields_set__", set(given))
        object.__setattr__(copied, "__pydantic_extra__", None)
        object.__setattr__(copied, "__pydantic_private__", None)
        return copied


class Cited(Record):
    """A row that states something: it names its source and the words that state it."""

    source: Key = Field(description="Key of the source that states this.")
    quote: Text | None = Field(
        None, description="Short verbatim words of the source (required when it is a document)."
    )
    locator: Text | None = Field(
        None, description="Page or section of a document, or JSON path in a registry record."
    )


class FieldQuotes(Record):
    """A row whose fields may each be backed by their own quote."""

    quotes: dict[str, Text] = Field(
        default_factory=dict,
        description="A verbatim quote for each described field: {field: quote}.",
    )

    @model_validator(mode="after")
    def _quotes_name_fields(self) -> FieldQuotes:
        unknown = sorted(set(self.quotes) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"quotes names fields that do not exist: {', '.join(unknown)}")
        return self


class Described(Cited, FieldQuotes):
    """A cited row with per-field quotes: trials, arms, endpoints."""
