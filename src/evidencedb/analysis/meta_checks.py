"""Checks of saved meta-analyses: an input fact that changed or disappeared since the last load.

Every load recomputes the saved analyses, so their stored lineage (the facts each study was
computed from, with the values used) matches the database right after it. A database changed
since by other means -- `remove trial`, an import, SQL -- may no longer hold a fact, or hold
another value: the stored pooled result is then stale until the next load.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity
from evidencedb.store.fact_models import Comparison, Result
from evidencedb.store.meta_models import MetaAnalysis, MetaAnalysisStudy
from evidencedb.store.models import table_of

_FACT_TABLES = {"results": table_of(Result), "comparisons": table_of(Comparison)}
_CHECK = "meta_analysis_input_changed"


def stale_meta_analysis_inputs(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A saved analysis's study whose input fact is gone, or has another value now."""
    statement = (
        select(MetaAnalysis.key, MetaAnalysisStudy.trial_key, MetaAnalysisStudy.facts)
        .join(MetaAnalysis, MetaAnalysis.id == MetaAnalysisStudy.meta_analysis_id)
        .where(MetaAnalysisStudy.facts.is_not(None))
        .order_by(MetaAnalysis.key, MetaAnalysisStudy.position)
    )
    for analysis, trial, facts in connection.execute(statement):
        gone: set[tuple[str, int]] = set()  # a row that is gone is one finding, not one a field
        for fact in facts or []:
            if (fact["table"], fact["id"]) in gone:
                continue
            message = _difference(connection, fact)
            if message is not None and message.endswith("no longer exists"):
                gone.add((fact["table"], fact["id"]))
            if message is not None:
                yield Finding(
                    Severity.WARNING,
                    _CHECK,
                    "meta_analysis_studies",
                    f"{analysis}/{trial}",
                    f"{message}; load the seed files again to recompute the analysis",
                    fact.get("source_key"),
                )


def _difference(connection: Connection, fact: dict[str, Any]) -> str | None:
    table = _FACT_TABLES.get(fact["table"])
    if table is None or fact["field"] not in table.c:
        return f"{fact['table']} #{fact['id']} cannot be read"
    current = connection.execute(
        select(table.c[fact["field"]]).where(table.c.id == fact["id"])
    ).first()
    where = f"{fact['table']} #{fact['id']} {fact['field']}"
    if current is None:
        return f"{where} (was {fact['value']}) no longer exists"
    if current[0] != fact["value"]:
        return f"{where} was {fact['value']} and is now {current[0]}"
    return None
