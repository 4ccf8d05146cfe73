"""Records by the batch, packed as tables to cross a process boundary.

A large import maps its records in one process and writes them in another, and each batch
crosses between them as a pickle (`registries.ctgov.background`). Pickled one by one, every
record is a dict of its field names and values restored through pydantic's `__setstate__`;
a batch of heavy records holds tens of thousands of them, and unpickling them took the writing
process a fifth of its time. Packed, a list is its class, its field names once and a tuple
of values per record, which pickle reads at the speed of plain tuples; unpacking rebuilds
each record as it was, without validating it again (it was validated where it was made).

A batch is hundreds of thousands of objects that all live until it is written, and Python's
cyclic garbage collector traversed them again and again as they were made: a third of the CPU
time of both the mapping and the writing process. Neither makes reference cycles, so the
collector waits until the batch is done (`records.collector.collector_paused`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evidencedb.records.base import Record


@dataclass(frozen=True)
class PackedRecords:
    """Records of one class as rows of values, in the order of `names`. `fields_sets` holds
    each distinct set of fields the records were built from, `fields_set_of` the index of
    each record's (pydantic keeps it: `model_fields_set`)."""

    model: type[Record]
    names: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    fields_sets: list[frozenset[str]]
    fields_set_of: list[int]


def pack(records: Sequence[Record]) -> PackedRecords | Sequence[Record]:
    """`records` as a table, or as they are when they are not all plain records of one
    class (nothing to pack, or a record with extra or private values)."""
    if not records:
        return records
    model = type(records[0])
    names = tuple(records[0].__dict__)
    rows: list[tuple[Any, ...]] = []
    fields_sets: dict[frozenset[str], int] = {}
    fields_set_of: list[int] = []
    for record in records:
        values = record.__dict__
        if (
            type(record) is not model
            or record.__pydantic_extra__
            or record.__pydantic_private__
            or tuple(values) != names
        ):
            return records
        rows.append(tuple(values.values()))
        given = frozenset(record.__pydantic_fields_set__)
        fields_set_of.append(fields_sets.setdefault(given, len(fields_sets)))
    return PackedRecords(model, names, rows, list(fields_sets), fields_set_of)


def unpack(packed: PackedRecords | Sequence[Record]) -> list[Record]:
    """The records `pack` was given, equal to them field by field."""
    if not isinstance(packed, PackedRecords):
        return list(packed)
    model, names = packed.model, packed.names
    new, set_attribute = model.__new__, object.__setattr__
    records = []
    for values, which in zip(packed.rows, packed.fields_set_of, strict=True):
        record = new(model)
        set_attribute(record, "__dict__", dict(zip(names, values, strict=True)))
        set_attribute(record, "__pydantic_fields_set__", set(packed.fields_sets[which]))
        set_attribute(record, "__pydantic_extra__", None)
        set_attribute(record, "__pydantic_private__", None)
        records.append(record)
    return records
