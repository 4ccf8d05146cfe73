"""The load operation: validated bundles (seed files, registry records) through the one loader.

Like every operation it takes a connection and never commits: the caller opens the database
(`store.database.writing`) and owns the transaction, so a dry run is its rollback.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from evidencedb.loader.load import load
from evidencedb.loader.meta_analyses import saved_analyses, write_definitions
from evidencedb.loader.report import LoadReport
from evidencedb.records.analysis_file import AnalysisBundle
from evidencedb.records.bundle import Bundle


def load_bundles(
    connection: Connection, bundles: Sequence[Bundle], analyses: Sequence[AnalysisBundle] = ()
) -> LoadReport:
    """Write every bundle, all or nothing within the caller's transaction; an edited trial's
    facts replace the old ones. References are resolved against what the database holds.

    Saved analyses are written after the trials (their studies must exist, in this load or
    the database: a problem refuses the whole load), and every stored analysis is recomputed
    from the facts as they now are, like the derived comparisons."""
    report = load(connection, bundles)
    write_definitions(connection, analyses, report)
    if saved_analyses(connection):
        # Imported here: numpy and scipy cost a load without saved analyses nothing.
        from evidencedb.operations.saved_meta import refresh_saved_analyses

        refresh_saved_analyses(connection)
    return report
