"""Removing a trial or a source with every row that states something about it, in one go.

The database's foreign keys do most of the work: a trial's arms, endpoints and facts go with
it (ON DELETE CASCADE). A source is RESTRICTed by every row that cites it, so its removal
deletes those rows first: the facts that cite it, the arms, endpoints and trials it describes
(and with them their facts), and its links to trials. An intervention, shared by trials,
stays: it only loses the description this source gave. Like every operation this takes a
connection and never commits; what was deleted is counted per table, cascades included.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Table, delete, func, select, update

from evidencedb.errors import EvidenceError, NotFound
from evidencedb.loader.report import LoadReport, TableChanges
from evidencedb.store.models import Arm, Trial, metadata, table_of
from evidencedb.store.source_models import Source, TrialSource

_PROVENANCE = ("source_id", "quote", "locator", "field_quotes")


def remove_trial(connection: Connection, key: str) -> LoadReport:
    """Delete the trial `key` with its identifiers, arms, endpoints and facts. Refused while
    another trial's arm is a historical or external control taken from it."""
    trials = table_of(Trial)
    trial_id = _id_of(connection, trials, key, "trial", "`evidencedb trials` lists them")
    arms = table_of(Arm)
    borrowing = connection.execute(
        select(trials.c.key)
        .distinct()
        .join(arms, arms.c.trial_id == trials.c.id)
        .where(arms.c.source_trial_id == trial_id, arms.c.trial_id != trial_id)
        .order_by(trials.c.key)
    ).scalars()
    others = list(borrowing)
    if others:
        raise EvidenceError(
            f"trial {key!r} is the source of a control arm of {_listed(others)}; remove those first"
        )

    def delete_trial() -> dict[str, int]:
        _delete_trials(connection, [trial_id])
        return {}

    return _counted(connection, delete_trial, [key])


def remove_source(connection: Connection, key: str, *, cascade: bool = False) -> LoadReport:
    """Delete the source `key` and every row that cites it. Rows of the trials it reports on
    (`trial_sources`) go with it; rows of other trials that cite it refuse the removal unless
    `cascade`, which deletes them too."""
    sources = table_of(Source)
    source_id = _id_of(connection, sources, key, "source", "`evidencedb sql` can list them")
    links = table_of(TrialSource)
    reported = set(
        connection.execute(select(links.c.trial_id).where(links.c.source_id == source_id))
        .scalars()
        .all()
    )
    citing = _citing_tables(sources)
    trials = table_of(Trial)
    described = select(trials.c.id).where(trials.c.source_id == source_id)
    cited_in = set(connection.execute(described).scalars())
    for table in citing:
        if "trial_id" in table.c:
            found = select(table.c.trial_id).where(table.c.source_id == source_id).distinct()
            cited_in.update(connection.execute(found).scalars())
    others = sorted(_keys_of_trials(connection, cited_in - reported))
    if others and not cascade:
        raise EvidenceError(
            f"source {key!r} is still cited by facts of {_listed(others)}, which it does not "
            "report on; remove those trials first, or use --cascade to delete those facts too"
        )

    def delete_rows() -> dict[str, int]:
        updated: dict[str, int] = {}
        _delete_trials(connection, list(connection.execute(described).scalars()))
        for table in citing:
            if "trial_id" in table.c:
                connection.execute(delete(table).where(table.c.source_id == source_id))
            else:  # shared across trials: keep the row, drop this source's description of it
                cleared = {name: None for name in _PROVENANCE if name in table.c}
                statement = update(table).where(table.c.source_id == source_id).values(cleared)
                updated[table.name] = connection.execute(statement).rowcount
        connection.execute(delete(sources).where(sources.c.id == source_id))
        return updated

    return _counted(connection, delete_rows, _keys_of_trials(connection, cited_in))


def _citing_tables(sources: Table) -> list[Table]:
    """The tables with a `source_id` pointing at sources, children before parents."""
    return [
        table
        for table in reversed(metadata.sorted_tables)
        if "source_id" in table.c
        and table is not sources
        and any(key.column.table is sources for key in table.c.source_id.foreign_keys)
        and table.name != "trials"
    ]


def _delete_trials(connection: Connection, trial_ids: list[int]) -> None:
    if trial_ids:
        trials = table_of(Trial)
        connection.execute(delete(trials).where(trials.c.id.in_(trial_ids)))


def _counted(
    connection: Connection, action: Callable[[], dict[str, int]], trial_keys: list[str]
) -> LoadReport:
    """Run `action` and report the rows it deleted per table, cascades included, and the
    rows it says it updated."""
    before = _counts(connection)
    updated = action()
    after = _counts(connection)
    report = LoadReport(trials=sorted(trial_keys))
    for name, count in before.items():
        changes = TableChanges(updated=updated.get(name, 0), deleted=count - after[name])
        if changes.updated or changes.deleted:
            report.count(name, changes)
    return report


def _counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }


def _id_of(connection: Connection, table: Table, key: str, what: str, hint: str) -> int:
    found = connection.execute(select(table.c.id).where(table.c.key == key)).scalar()
    if found is None:
        raise NotFound(f"no {what} with key {key!r}; {hint}")
    return int(found)


def _keys_of_trials(connection: Connection, trial_ids: set[int]) -> list[str]:
    if not trial_ids:
        return []
    trials = table_of(Trial)
    keys = connection.execute(select(trials.c.key).where(trials.c.id.in_(sorted(trial_ids))))
    return sorted(keys.scalars())


def _listed(keys: list[str]) -> str:
    shown = ", ".join(repr(key) for key in keys[:5])
    more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
    return f"trial(s) {shown}{more}"
