"""The one writer's entry point: validated bundles in, rows out, in the caller's transaction.

Loading is all-or-nothing and idempotent: every reference is resolved, against the bundles of
this load and the database, before the first row is written (`resolution`); then the sources
and interventions the bundles declare are upserted by key, and each origin's trials are
synchronised (`sync`); a registry record and the seed file of its trial become one trial
(`registry_links`), and each registry version is kept (`versions`). Nothing here commits:
the command owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from evidencedb.enums import SourceOrigin
from evidencedb.loader.bulk import update_rows, upsert_by_key
from evidencedb.loader.registry_links import (
    adopt_registry_trials,
    attach_registry_bundles,
    link_registry_rows,
    trials_with_registry_rows,
)
from evidencedb.loader.report import LoadReport, TableChanges
from evidencedb.loader.resolution import Resolution, ids_by_key, resolve
from evidencedb.loader.sync import TrialSync
from evidencedb.loader.versions import write_versions
from evidencedb.records.bundle import Bundle
from evidencedb.records.trial import InterventionRecord
from evidencedb.store.chunks import rows_where_in
from evidencedb.store.models import Intervention, table_of
from evidencedb.store.source_models import Source


def load(
    connection: Connection, bundles: Sequence[Bundle], resolution: Resolution | None = None
) -> LoadReport:
    """Check every reference of `bundles` (unless the caller did: `resolution`, of the same
    bundles), then write them. Raises ValidationFailed first if anything is wrong, having
    written nothing."""
    attached = attach_registry_bundles(connection, bundles)
    if resolution is None or any(a is not b for a, b in zip(attached, bundles, strict=True)):
        resolution = resolve(connection, attached)  # registry records were rewritten
    bundles = attached
    report = LoadReport(warnings=list(resolution.warnings))
    source_ids = _upsert_sources(connection, resolution, report)
    intervention_ids = _upsert_interventions(connection, bundles, resolution, source_ids, report)
    adopted = adopt_registry_trials(connection, bundles, source_ids)
    by_origin: dict[SourceOrigin, list[Bundle]] = defaultdict(list)
    for bundle in bundles:
        by_origin[bundle.origin].append(bundle)
    for origin, of_origin in by_origin.items():
        sync = TrialSync(connection, report, origin, of_origin, source_ids, intervention_ids)
        sync.run()
    curated = [b.data.trial.key for b in by_origin.get(SourceOrigin.CURATED, [])]
    link_registry_rows(connection, trials_with_registry_rows(connection, curated), adopted=adopted)
    write_versions(connection, bundles, report)
    return report


def _upsert_sources(
    connection: Connection, resolution: Resolution, report: LoadReport
) -> dict[str, int]:
    """Write the sources the bundles declare; the ids of every source they cite."""
    table = table_of(Source)
    declared = [record for record, _ in resolution.sources.values()]
    rows = []
    for record in declared:
        row = record.model_dump(exclude={"reports_on"})
        row["origin"] = resolution.sources[record.key][1].origin
        row |= resolution.documents.get(
            record.key, {"document_path": None, "document_sha256": None}
        )
        rows.append(row)
    upserted = upsert_by_key(connection, table, rows)
    report.count(table.name, upserted.changes)
    ids = upserted.ids | ids_by_key(
        connection, table, set(resolution.source_kinds) - set(upserted.ids)
    )
    # reports_on points between sources, so it is set once every source has its id.
    links: dict[int, int | None] = {
        ids[record.key]: ids[record.reports_on] if record.reports_on else None
        for record in declared
    }
    links_stored = select(table.c.id, table.c.reports_on_id)
    current = {
        source_id: target
        for source_id, target in rows_where_in(connection, links_stored, table.c.id, links)
    }
    changed = {
        source_id: target for source_id, target in links.items() if current[source_id] != target
    }
    if changed:
        update_rows(
            connection, table, [(id_, {"reports_on_id": target}) for id_, target in changed.items()]
        )
        # A source inserted just now is not "updated" by getting its link.
        inserted = {upserted.ids[key] for key in upserted.inserted}
        report.count(table.name, TableChanges(updated=len(changed.keys() - inserted)))
    return ids


def _upsert_interventions(
    connection: Connection,
    bundles: Sequence[Bundle],
    resolution: Resolution,
    source_ids: dict[str, int],
    report: LoadReport,
) -> dict[str, int]:
    """Write the interventions the bundles declare; the ids of every intervention they give."""
    table = table_of(Intervention)
    rows = [
        _intervention_row(record, source_ids) for record, _ in resolution.interventions.values()
    ]
    upserted = upsert_by_key(connection, table, rows)
    report.count(table.name, upserted.changes)
    given = {g.intervention for b in bundles for a in b.data.arms for g in a.interventions}
    return upserted.ids | ids_by_key(connection, table, given)


def _intervention_row(record: InterventionRecord, source_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "key": record.key,
        "name": record.name,
        "kind": record.kind,
        "target": record.target,
        "intervention_class": record.intervention_class,
        "description": record.description,
        "source_id": source_ids.get(record.source) if record.source else None,
        "quote": record.quote,
        "locator": record.locator,
        "field_quotes": record.quotes or None,
    }
