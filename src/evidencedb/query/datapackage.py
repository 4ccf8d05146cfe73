"""The export folder's `datapackage.json`: a Frictionless Data Package of every CSV file written.

Each file is a tabular resource whose Table Schema gives every field its type (from the
column's SQLAlchemy type: integer, number, boolean, a string with its allowed values for an
enum), `required` where the database says NOT NULL and the CSV can tell (a text column's empty
string and NULL are both an empty cell), the primary key, and each foreign key with the
resource and fields it points at, so that `frictionless validate DIR/datapackage.json` checks
the whole folder, the references between files included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Float, ForeignKeyConstraint, Integer, Numeric, Table
from sqlalchemy import Enum as SAEnum

from evidencedb.store.models import metadata

if TYPE_CHECKING:
    from evidencedb.query.export import Export, ExportColumn

DATAPACKAGE = "datapackage.json"
PROFILE = "tabular-data-package"


def datapackage(items: Sequence[Export], dictionary: str, *, bom: bool) -> dict[str, Any]:
    """The descriptor of a folder holding `<name>.csv` for each export of `items` and the data
    dictionary `<dictionary>.csv`, written with a UTF-8 BOM when `bom`."""
    resources = [_resource(item.name, _schema(item), bom=bom) for item in items]
    resources.append(_resource(dictionary, _DICTIONARY_SCHEMA, bom=bom))
    return {
        "profile": PROFILE,
        "name": "evidencedb-export",
        "title": "evidencedb export: tables, flat views and data dictionary",
        "resources": resources,
    }


_DICTIONARY_SCHEMA = {
    "fields": [
        {"name": "name", "type": "string", "description": "File (table or view) of the column."},
        {"name": "column", "type": "string", "description": "Name of the column."},
        {"name": "type", "type": "string", "description": "Type of its values."},
        {
            "name": "nullable",
            "type": "string",
            "constraints": {"enum": ["yes", "no"]},
            "description": "Whether a cell may be empty (NULL).",
        },
        {"name": "description", "type": "string", "description": "What the column holds."},
    ],
    "primaryKey": ["name", "column"],
}


def _resource(name: str, schema: dict[str, Any], *, bom: bool) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig" if bom else "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": schema,
    }


def _schema(item: Export) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": [_field(column) for column in item.columns]}
    table = metadata.tables.get(item.name)
    if table is not None:  # a table; a flat view has neither key
        schema["primaryKey"] = [column.name for column in table.primary_key.columns]
        foreign_keys = [_foreign_key(table, constraint) for constraint in _by_name(table)]
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
    return schema


def _field(column: ExportColumn) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name, "description": column.description}
    column_type = column.type
    constraints: dict[str, Any] = {}
    if isinstance(column_type, SAEnum):
        field["type"] = "string"
        constraints["enum"] = list(column_type.enums)
    elif isinstance(column_type, Boolean):
        field.update(type="boolean", trueValues=["true"], falseValues=["false"])
    elif isinstance(column_type, Integer):
        field["type"] = "integer"
    elif isinstance(column_type, Float | Numeric):
        field["type"] = "number"
    elif isinstance(column_type, JSON):
        field.update(type="any", format="default")  # JSON text: an object or a list
    else:
        field["type"] = "string"
    if not column.nullable and field["type"] not in ("string", "any"):
        constraints["required"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def _by_name(table: Table) -> list[ForeignKeyConstraint]:
    return sorted(table.foreign_key_constraints, key=lambda constraint: str(constraint.name))


def _foreign_key(table: Table, constraint: ForeignKeyConstraint) -> dict[str, Any]:
    """A foreign key as a Table Schema writes it. Frictionless checks a composite key whose
    cells are not all empty, where SQL checks none with an empty one (`(trial_id,
    comparator_arm_id)` with no comparator arm): such a key is written as its part that
    points at the referred table's primary key, which is unique on its own."""
    pairs = [(element.parent.name, element.column.name) for element in constraint.elements]
    referred = constraint.referred_table
    primary = {column.name for column in referred.primary_key.columns}
    if len(pairs) > 1 and any(column.nullable for column in constraint.columns):
        pairs = [pair for pair in pairs if pair[1] in primary] or pairs
    return {
        "fields": [local for local, _ in pairs],
        "reference": {
            # A reference to the same file is written with an empty resource name.
            "resource": "" if referred.name == table.name else referred.name,
            "fields": [remote for _, remote in pairs],
        },
    }
