"""Checks of a registry record against its publications: outcome switching and numbers that
differ, as warnings (see `reconcile`)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity
from evidencedb.analysis.reconcile import reconcile
from evidencedb.enums import SourceOrigin
from evidencedb.store.history_models import TrialVersion
from evidencedb.store.models import Endpoint, Trial
from evidencedb.store.source_models import Source

_SWITCHED = {
    "not_reported": "registered as {registered}, not reported in the publication",
    "not_registered": "reported ({reported}) but never registered",
    "role_changed": "registered as {registered}, reported as {reported}",
}


def reconciled_trials(connection: Connection) -> list[str]:
    """Keys of the trials that hold both a registry record's versions and curated endpoints."""
    curated = (
        select(Endpoint.trial_id)
        .join(Source, Source.id == Endpoint.source_id)
        .where(Source.origin == SourceOrigin.CURATED)
    )
    statement = (
        select(Trial.key)
        .where(Trial.id.in_(select(TrialVersion.trial_id)))
        .where(Trial.id.in_(curated))
        .order_by(Trial.key)
    )
    return list(connection.scalars(statement))


def registry_disagreements(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """Outcome switching (an outcome not reported, not registered, or in another role) and
    values that differ between the registry record and the publication."""
    for trial in reconciled_trials(connection):
        found = reconcile(connection, trial)
        for outcome in found.outcomes:
            template = _SWITCHED.get(outcome["status"])
            if template is not None:
                message = template.format(
                    registered=outcome["registered_role"], reported=outcome["reported_role"]
                )
                row = f"{trial}/{outcome['endpoint_key']}"
                yield Finding(Severity.WARNING, "outcome_switching", "endpoints", row, message)
        for value in found.values:
            if value["status"] != "differ":
                continue
            parts = [value["endpoint_key"], value["arm_key"], value["subgroup"], value["category"]]
            row = "/".join([trial, *(part for part in parts if part)])
            message = (
                f"{value['quantity']}: the registry says {value['registry_value']:g}, "
                f"the publication {value['publication_value']:g}"
            )
            yield Finding(
                Severity.WARNING, "registry_value_differs", _TABLES[value["quantity"]], row, message
            )


_TABLES = {"result": "results", "arm_size": "arms", "enrollment": "trials"}
