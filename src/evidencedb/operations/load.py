"""The load operation: validated bundles (seed files, registry records) through the one loader.

Like every operation it takes a connection and never commits: the caller opens the database
(`store.database.writing`) and owns the transaction, so a dry run is its rollback.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from evidencedb.loader.load import load
from evidencedb.loader.report import LoadReport
from evidencedb.records.bundle import Bundle


def load_bundles(connection: Connection, bundles: Sequence[Bundle]) -> LoadReport:
    """Write every bundle, all or nothing within the caller's transaction; an edited trial's
    facts replace the old ones. References are resolved against what the database holds."""
    return load(connection, bundles)
