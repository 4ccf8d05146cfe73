"""Registry facts about who was enrolled: baseline measurements and participant flow per arm.

Registry data as published: a value that is not a number is None with the registry's text
kept in `value_raw` (`count_raw`, `spread_raw`), never a reason to refuse the record.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

from evidencedb.enums import FlowKind, SpreadType
from evidencedb.records.base import Cited, Count, Key, Number, Text


class BaselineMeasurementRecord(Cited):
    arm: Key
    characteristic: Text
    class_title: Annotated[str, Strict()] = Field("", alias="class")
    category: Annotated[str, Strict()] = ""
    description: Text | None = None
    parameter_type: Text | None = None
    value: Number | None = None
    value_raw: Text | None = None
    unit: Text | None = None
    spread: Number | None = None
    spread_type: SpreadType | None = None
    spread_lower: Number | None = None
    spread_upper: Number | None = None
    spread_raw: Text | None = None
    n: Count | None = None
    n_units: Text | None = None
    note: Text | None = None


class FlowRecord(Cited):
    arm: Key
    period: Annotated[str, Strict()] = ""
    kind: FlowKind
    label: Text
    count: Count | None = None
    count_raw: Text | None = None
    note: Text | None = None
