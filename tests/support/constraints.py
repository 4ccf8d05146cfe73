"""An independent check of every rule the design says the database enforces, to prove that an
accepted input broke none."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, UniqueConstraint, select, text

from evidencedb.enums import AE_GRADES
from evidencedb.store.database import open_engine
from evidencedb.store.models import metadata
from tests.support.databases import TestDatabase

COUNTS = {
    "enrollment",
    "n_enrolled",
    "n_analyzed",
    "numerator",
    "denominator",
    "participants_affected",
    "participants_at_risk",
    "event_count",
}
RATIOS = {"hazard_ratio", "risk_ratio", "odds_ratio"}
FACT_TABLES = ("results", "comparisons", "adverse_events")


def _rows(database: TestDatabase) -> dict[str, list[dict[str, Any]]]:
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        return {
            table.name: [
                dict(row._mapping) for row in connection.execute(select(table).order_by(table.c.id))
            ]
            for table in metadata.sorted_tables
        }


def constraint_violations(database: TestDatabase) -> list[str]:
    """Every way the stored rows break a rule of the design, checked three times over:

    1. each CHECK constraint of the models, evaluated as a query over the stored rows;
    2. on SQLite, which types loosely, the storage class of every value, foreign keys and
       `PRAGMA integrity_check`;
    3. the design's rules restated in Python over the rows (counts, fractions, percentages,
       intervals, grades, references, natural keys, provenance), independent of the schema.
    """
    found: list[str] = []
    with open_engine(database.url, write=False) as engine, engine.connect() as connection:
        dialect = connection.dialect
        for table in metadata.sorted_tables:
            for constraint in table.constraints:
                if not isinstance(constraint, CheckConstraint):
                    continue
                condition = str(
                    constraint.sqltext.compile(
                        dialect=dialect, compile_kwargs={"literal_binds": True}
                    )
                )
                bad = connection.execute(
                    text(f"SELECT count(*) FROM {table.name} WHERE NOT ({condition})")
                ).scalar_one()
                if bad:
                    found.append(f"{table.name}: {bad} row(s) break CHECK {condition}")
        if dialect.name == "sqlite":
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            if integrity != ["ok"]:
                found.append(f"integrity_check: {integrity}")
            orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if orphans:
                found.append(f"foreign_key_check: {orphans[:5]}")
            found += _sqlite_storage_classes(connection)
    rows = _rows(database)
    found += _python_rules(rows)
    return found


def _sqlite_storage_classes(connection: Any) -> list[str]:
    from sqlalchemy import Boolean, Double, Float, Integer

    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Boolean | Integer):
                allowed = "('integer', 'null')"
            elif isinstance(column.type, Double | Float):
                allowed = "('real', 'integer', 'null')"
            else:
                allowed = "('text', 'null')"
            bad = connection.exec_driver_sql(
                f"SELECT count(*) FROM {table.name} WHERE typeof({column.name}) NOT IN {allowed}"
            ).scalar_one()
            if bad:
                found.append(f"{table.name}.{column.name}: {bad} value(s) of the wrong type")
    return found


def _python_rules(rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    found: list[str] = []

    def bad(table: str, row: dict[str, Any], rule: str) -> None:
        found.append(f"{table} id={row.get('id')}: {rule}")

    for table in metadata.sorted_tables:
        name = table.name
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                columns = [column.name for column in constraint.columns]
                keys = Counter(tuple(row[c] for c in columns) for row in rows[name])
                for key, count in keys.items():
                    if count > 1:
                        found.append(f"{name}: natural key {columns}={key} appears {count} times")
            if isinstance(constraint, ForeignKeyConstraint):
                local = [element.parent.name for element in constraint.elements]
                remote = [element.column.name for element in constraint.elements]
                target = constraint.referred_table.name
                present = {tuple(row[c] for c in remote) for row in rows[target]}
                for row in rows[name]:
                    key = tuple(row[c] for c in local)
                    if None not in key and key not in present:
                        bad(name, row, f"{local} -> {target}{remote} {key} does not exist")
        for row in rows[name]:
            for column in table.columns:
                value = row[column.name]
                if value is None and not column.nullable:
                    bad(name, row, f"{column.name} is NULL")
                if isinstance(value, float) and not math.isfinite(value):
                    bad(name, row, f"{column.name} is {value}")
                if column.name in COUNTS and value is not None and value < 0:
                    bad(name, row, f"{column.name} = {value} < 0")
            _interval(name, row, bad)
    kinds = {row["id"]: str(row["kind"]) for row in rows["sources"]}
    for row in rows["results"]:
        numerator, denominator = row["numerator"], row["denominator"]
        if numerator is not None and denominator is not None and numerator > denominator:
            bad("results", row, "numerator above denominator")
        if row["unit"] == "%":
            for column in ("value", "ci_lower", "ci_upper"):
                if row[column] is not None and not 0 <= row[column] <= 100:
                    bad("results", row, f"{column} {row[column]} is not a percentage")
    for row in rows["comparisons"]:
        if row["p_value"] is not None and not 0 <= row["p_value"] <= 1:
            bad("comparisons", row, f"p_value {row['p_value']}")
        if str(row["measure"]) in RATIOS:  # an estimate above 0, a lower bound of 0 or more
            if row["value"] is not None and row["value"] <= 0:
                bad("comparisons", row, f"ratio of {row['value']}")
            if row["ci_lower"] is not None and row["ci_lower"] < 0:
                bad("comparisons", row, f"ratio with a lower bound of {row['ci_lower']}")
    for row in rows["adverse_events"]:
        affected, at_risk = row["participants_affected"], row["participants_at_risk"]
        if affected is not None and at_risk is not None and affected > at_risk:
            bad("adverse_events", row, "more participants affected than at risk")
        if row["grade"] not in ("", *AE_GRADES):
            bad("adverse_events", row, f"grade {row['grade']!r}")
        percent = row.get("participants_affected_percent")
        if percent is not None and not 0 <= percent <= 100:
            bad("adverse_events", row, f"{percent}% of participants")
    for name in FACT_TABLES:
        for row in rows[name]:
            if row["source_id"] is None:
                bad(name, row, "no source")
                continue
            is_document = kinds[row["source_id"]] != "registry_record"
            reported = str(row.get("origin", "reported")) == "reported"
            if is_document and reported and not row["quote"]:
                bad(name, row, "a fact from a document without its quote")
    return found


def _interval(name: str, row: dict[str, Any], bad: Any) -> None:
    lower, upper, level = row.get("ci_lower"), row.get("ci_upper"), row.get("ci_level")
    if lower is not None and upper is not None and lower > upper:
        bad(name, row, f"ci_lower {lower} above ci_upper {upper}")
    if level is not None and not 0 < level < 1:
        bad(name, row, f"ci_level {level} is not a fraction")
