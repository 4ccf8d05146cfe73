"""The load operation: validated bundles (seed files, registry records) through the one loader.

Like every operation it takes a connection and never commits: the caller opens the database
(`store.database.writing`) and owns the transaction, so a dry run is its rollback.

`evidencedb validate` and `evidencedb load` check seed files along one path
(`check_seed_files`): the files' own problems and those of their references, against each
other and the database, all reported in one pass; `load` then writes what `validate` passed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from evidencedb.errors import ValidationFailed
from evidencedb.loader.load import load
from evidencedb.loader.meta_analyses import saved_analyses, write_definitions
from evidencedb.loader.report import LoadReport
from evidencedb.loader.resolution import Resolution, resolve
from evidencedb.records.analysis_file import AnalysisBundle
from evidencedb.records.bundle import Bundle
from evidencedb.seedfiles.reading import SeedReading


def load_bundles(
    connection: Connection, bundles: Sequence[Bundle], analyses: Sequence[AnalysisBundle] = ()
) -> LoadReport:
    """Write every bundle, all or nothing within the caller's transaction; an edited trial's
    facts replace the old ones. References are resolved against what the database holds.

    Saved analyses are written after the trials (their studies must exist, in this load or
    the database: a problem refuses the whole load), and every stored analysis is recomputed
    from the facts as they now are, like the derived comparisons."""
    return _with_analyses(connection, load(connection, bundles), analyses)


def check_seed_files(connection: Connection | None, reading: SeedReading) -> Resolution:
    """Every problem of the seed files read: their own (schema, duplicates, unknown arms and
    endpoints) and their references (sources, interventions, trials, quotes in documents),
    looked up in the database too when there is one. Raises ValidationFailed with them all."""
    problems = list(reading.problems)
    try:
        resolution = resolve(connection, reading.bundles, reading.unvalidated)
    except ValidationFailed as failure:
        problems.extend(failure.problems)
    if problems:
        raise ValidationFailed(problems)
    return resolution


def load_seed_files(connection: Connection, reading: SeedReading) -> LoadReport:
    """Check the seed files read (`check_seed_files`), then write them, saved analyses too."""
    report = load(connection, reading.bundles, check_seed_files(connection, reading))
    return _with_analyses(connection, report, reading.analyses)


def _with_analyses(
    connection: Connection, report: LoadReport, analyses: Sequence[AnalysisBundle]
) -> LoadReport:
    write_definitions(connection, analyses, report)
    if saved_analyses(connection):
        # Imported here: numpy and scipy cost a load without saved analyses nothing.
        from evidencedb.operations.saved_meta import refresh_saved_analyses

        refresh_saved_analyses(connection)
    return report
