"""Registry versions: each imported version of a record kept in `trial_versions`, by date.

A version is stored whether or not its facts are: an older version read after a newer one
adds its row to the history and changes no fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from evidencedb.enums import Registry
from evidencedb.loader.bulk import differs, insert_rows, update_rows
from evidencedb.loader.registry_links import nct_ids
from evidencedb.loader.report import LoadReport, TableChanges
from evidencedb.loader.resolution import ids_by_key
from evidencedb.records.bundle import Bundle
from evidencedb.store.chunks import rows_where_in
from evidencedb.store.history_models import TrialVersion
from evidencedb.store.models import TrialIdentifier, table_of
from evidencedb.store.source_models import Source


def write_versions(connection: Connection, bundles: Sequence[Bundle], report: LoadReport) -> None:
    """Store the registry version of every bundle that is one, in the trial that holds its
    NCT id (written before, by this load or an earlier one)."""
    versioned = [(b, nct_ids(b)[0]) for b in bundles if b.registry_version and nct_ids(b)]
    if not versioned:
        return
    holders = select(TrialIdentifier.value, TrialIdentifier.trial_id).where(
        TrialIdentifier.registry_name == Registry.NCT
    )
    ncts = sorted({nct for _, nct in versioned})
    trial_ids = dict(rows_where_in(connection, holders, TrialIdentifier.value, ncts))
    source_ids = ids_by_key(
        connection, table_of(Source), {b.data.trial.source for b, _ in versioned}
    )
    desired: dict[tuple[Any, ...], dict[str, Any]] = {}
    for bundle, nct in versioned:
        assert bundle.registry_version is not None
        if nct not in trial_ids or bundle.data.trial.source not in source_ids:
            continue  # an older version of a record that was not written: nothing to attach to
        row = bundle.registry_version.model_dump(mode="json")
        row.update(trial_id=trial_ids[nct], source_id=source_ids[bundle.data.trial.source])
        desired[(row["trial_id"], row["version_date"], row["source_id"])] = row
    table = table_of(TrialVersion)
    stored = {
        (row.trial_id, row.version_date, row.source_id): row
        for row in rows_where_in(
            connection, select(table), table.c.trial_id, sorted({k[0] for k in desired})
        )
    }
    inserts = [row for key, row in desired.items() if key not in stored]
    updates = [
        (stored[key].id, row)
        for key, row in desired.items()
        if key in stored and differs(stored[key], row)
    ]
    if inserts:
        insert_rows(connection, table, inserts)
    if updates:
        update_rows(connection, table, updates)
    report.count(table.name, TableChanges(inserted=len(inserts), updated=len(updates)))
