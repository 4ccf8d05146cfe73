"""The column shapes every table shares: the declarative base, enum and column types, CHECKs."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, Double, Enum, Integer, MetaData, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Constraint names come from here, so the migrations name every index, key and CHECK alike
# on every database (and `op.f()` in a migration reproduces them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_type(enum: type[StrEnum], name: str) -> Enum:
    """A portable enum: VARCHAR plus a named CHECK listing the values, stored as the values."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """The declarative base of every table; its metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        str: Text(),
        float: Double(),
        dict[str, Any]: JSON(),
    }


# Column shapes that repeat across tables.
IntPK = Annotated[int, mapped_column(Integer, primary_key=True, comment="Surrogate primary key.")]
Key = Annotated[str, mapped_column(comment="Natural key, stable across loads.")]
OptionalText = Annotated[str | None, mapped_column()]
EmptyText = Annotated[str, mapped_column(server_default="", default="")]
Count = Annotated[int | None, mapped_column(Integer)]
Number = Annotated[float | None, mapped_column(Double)]


def non_negative_checks(*columns: str) -> list[CheckConstraint]:
    """One CHECK per column that it is not below zero, named `<column>_non_negative`."""
    return [CheckConstraint(f"{column} >= 0", name=f"{column}_non_negative") for column in columns]


def confidence_interval_checks() -> list[CheckConstraint]:
    """The CHECKs of a row with a confidence interval: limits in order, level a fraction."""
    return [
        CheckConstraint("ci_lower <= ci_upper", name="ci_ordered"),
        CheckConstraint("ci_level > 0 AND ci_level < 1", name="ci_level_fraction"),
    ]


class ProvenanceMixin:
    """Where a row's words came from. The source is part of every fact's natural key."""

    quote: Mapped[str | None] = mapped_column(
        comment="Short verbatim words of the source that state this row (required for documents)."
    )
    locator: Mapped[str | None] = mapped_column(
        comment="Page or section of a document, or the JSON path of a registry record's field."
    )
