"""One trial, two sources: a registry record's rows attached to the curated trial of its NCT id.

A seed file's trial that lists an NCT id is the trial of that registry record. The record's
facts attach to it, citing the record, beside the publication's: its arms and outcomes that
are the curated ones (`analysis.pairing.pair_items`: the seed file's `registry_match`, else
equal titles) carry their facts on the curated rows; the others stay as rows of the record,
keyed `ctgov:<key>`. The curated description of the trial, its arms and endpoints is never
rewritten by the record.

Either order gives the same rows. Importing after loading rewrites the record's bundle
before it is written (`attach_registry_bundles`). Loading after importing takes over the
imported trial (`adopt_registry_trials`, before the seed file's rows are written) and then
moves the record's facts onto the curated arms and endpoints (`link_registry_rows`, after).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, Text, delete, literal, select, update

from evidencedb.analysis.pairing import REGISTRY_KEY_PREFIX, Item, pair_items
from evidencedb.enums import Registry, SourceOrigin
from evidencedb.errors import ValidationFailed
from evidencedb.records.bundle import Bundle
from evidencedb.records.trial_file import TrialFile
from evidencedb.store.baseline_models import BaselineMeasurement, ParticipantFlow
from evidencedb.store.chunks import rows_where_in
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import Arm, ArmIntervention, Endpoint, Trial, TrialIdentifier, table_of
from evidencedb.store.source_models import Source


def registry_key(key: str) -> str:
    """The key of a record's arm or endpoint that is not one of the curated trial's."""
    return f"{REGISTRY_KEY_PREFIX}{key}"


def nct_ids(bundle: Bundle) -> list[str]:
    return [i.value for i in bundle.data.trial.identifiers if i.registry == Registry.NCT]


@dataclasses.dataclass(frozen=True)
class CuratedTrial:
    key: str
    arms: list[Item]
    endpoints: list[Item]


def _sources_of(origin: SourceOrigin) -> Any:
    return select(Source.id).where(Source.origin == origin).scalar_subquery()


def _items(connection: Connection, table: Table, title: str, trial_ids: list[int]) -> Any:
    """(trial id, Item) of the curated rows of `table` (arms or endpoints) of these trials."""
    statement = select(table.c.trial_id, table.c.key, table.c[title], table.c.registry_match).where(
        table.c.source_id.in_(_sources_of(SourceOrigin.CURATED))
    )
    for trial_id, key, name, match in rows_where_in(
        connection, statement, table.c.trial_id, trial_ids
    ):
        yield trial_id, Item(key, name, match)


def curated_trials(connection: Connection, ncts: Sequence[str]) -> dict[str, CuratedTrial]:
    """NCT id -> the curated trial that lists it (a seed file's trial), with its arms and
    endpoints as pairing sees them."""
    holders = (
        select(TrialIdentifier.value, Trial.id, Trial.key)
        .join(Trial, Trial.id == TrialIdentifier.trial_id)
        .join(Source, Source.id == Trial.source_id)
        .where(TrialIdentifier.registry_name == Registry.NCT)
        .where(Source.origin == SourceOrigin.CURATED)
    )
    found = {
        nct: (trial_id, key)
        for nct, trial_id, key in rows_where_in(connection, holders, TrialIdentifier.value, ncts)
    }
    ids = [trial_id for trial_id, _ in found.values()]
    arms: dict[int, list[Item]] = {i: [] for i in ids}
    endpoints: dict[int, list[Item]] = {i: [] for i in ids}
    for trial_id, item in _items(connection, table_of(Arm), "label", ids):
        arms[trial_id].append(item)
    for trial_id, item in _items(connection, table_of(Endpoint), "name", ids):
        endpoints[trial_id].append(item)
    return {
        nct: CuratedTrial(key, arms[trial_id], endpoints[trial_id])
        for nct, (trial_id, key) in found.items()
    }


# Importing after loading ---------------------------------------------------------------------


def attach_registry_bundles(connection: Connection, bundles: Sequence[Bundle]) -> list[Bundle]:
    """The bundles, each registry record of a curated trial rewritten into that trial."""
    registry = [b for b in bundles if b.origin == SourceOrigin.CTGOV]
    curated = curated_trials(connection, [nct for b in registry for nct in nct_ids(b)])
    if not curated:
        return list(bundles)
    attached = []
    for bundle in bundles:
        trial = next((curated[n] for n in nct_ids(bundle) if n in curated), None)
        if bundle.origin == SourceOrigin.CTGOV and trial is not None:
            bundle = dataclasses.replace(bundle, data=attached_data(bundle.data, trial))
        attached.append(bundle)
    return attached


def new_keys(pairs: dict[str, str], keys: Sequence[str]) -> dict[str, str]:
    """Each registry key -> the curated key it is paired with, else its `ctgov:` key."""
    return {key: pairs.get(key, registry_key(key)) for key in keys}


def attached_data(data: TrialFile, trial: CuratedTrial) -> TrialFile:
    """A registry record's data as rows of the curated trial."""
    arm_pairs = pair_items(trial.arms, [Item(a.key, a.label) for a in data.arms])
    arms = new_keys(arm_pairs, [a.key for a in data.arms])
    endpoint_items = [Item(e.key, e.name) for e in data.endpoints]
    endpoints = new_keys(
        pair_items(trial.endpoints, endpoint_items), [e.key for e in data.endpoints]
    )

    def arm(key: str | None) -> str | None:
        return None if key is None else arms[key]

    return data.model_copy(
        update={
            "trial": data.trial.model_copy(update={"key": trial.key}),
            "arms": [a.model_copy(update={"key": arms[a.key]}) for a in data.arms],
            "endpoints": [e.model_copy(update={"key": endpoints[e.key]}) for e in data.endpoints],
            "results": [
                r.model_copy(update={"arm": arms[r.arm], "endpoint": endpoints[r.endpoint]})
                for r in data.results
            ],
            "comparisons": [
                c.model_copy(
                    update={
                        "arm": arms[c.arm],
                        "comparator": arm(c.comparator),
                        "endpoint": endpoints[c.endpoint],
                        "groups": [arms[g] for g in c.groups],
                    }
                )
                for c in data.comparisons
            ],
            **{
                section: [row.model_copy(update={"arm": arms[row.arm]}) for row in rows]
                for section, rows in (
                    ("adverse_events", data.adverse_events),
                    ("baseline_measurements", data.baseline_measurements),
                    ("participant_flow", data.participant_flow),
                )
            },
        }
    )


# Loading after importing ---------------------------------------------------------------------


def adopt_registry_trials(
    connection: Connection, bundles: Sequence[Bundle], source_ids: dict[str, int]
) -> list[int]:
    """Curated trials take over the imported trial of their NCT id: it gets the curated key,
    its arms and endpoints their `ctgov:` keys, and the identifiers the seed file states
    become the seed file's. Returns the ids of the trials taken over."""
    curated = {nct: b for b in bundles if b.origin == SourceOrigin.CURATED for nct in nct_ids(b)}
    imported = (
        select(TrialIdentifier.value, Trial.id)
        .join(Trial, Trial.id == TrialIdentifier.trial_id)
        .join(Source, Source.id == Trial.source_id)
        .where(TrialIdentifier.registry_name == Registry.NCT)
        .where(Source.origin == SourceOrigin.CTGOV)
    )
    registry_sources = _sources_of(SourceOrigin.CTGOV)
    adopted = []
    for nct, trial_id in rows_where_in(connection, imported, TrialIdentifier.value, curated):
        data = curated[nct].data
        taken = connection.scalar(select(Trial.id).where(Trial.key == data.trial.key))
        if taken is not None and taken != trial_id:
            message = (
                f"{nct} is the imported trial {nct!r} while {data.trial.key!r} is another "
                f"trial: remove one of them (evidencedb remove trial KEY) and load again"
            )
            raise ValidationFailed([curated[nct].problem(("trial", "identifiers"), message)])
        connection.execute(update(Trial).where(Trial.id == trial_id).values(key=data.trial.key))
        for table in (table_of(Arm), table_of(Endpoint)):
            connection.execute(
                update(table)
                .where(table.c.trial_id == trial_id)
                .where(table.c.source_id.in_(registry_sources))
                .values(key=literal(REGISTRY_KEY_PREFIX, Text) + table.c.key)
            )
        # An identifier that both state becomes the seed file's (which the load then
        # describes), in place: the trial's identifiers keep the order they had.
        for identifier in data.trial.identifiers:
            connection.execute(
                update(TrialIdentifier)
                .where(TrialIdentifier.trial_id == trial_id)
                .where(TrialIdentifier.registry_name == identifier.registry)
                .where(TrialIdentifier.value == identifier.value)
                .where(TrialIdentifier.source_id.in_(registry_sources))
                .values(source_id=source_ids[identifier.source or data.trial.source])
            )
        adopted.append(trial_id)
    return adopted


def trials_with_registry_rows(connection: Connection, trial_keys: Sequence[str]) -> list[int]:
    """Of these trials, those that hold rows of a registry record."""
    statement = (
        select(Trial.id)
        .join(Arm, Arm.trial_id == Trial.id)
        .where(Arm.source_id.in_(_sources_of(SourceOrigin.CTGOV)))
        .distinct()
    )
    found = {
        trial_id for (trial_id,) in rows_where_in(connection, statement, Trial.key, trial_keys)
    }
    statement = (
        select(Trial.id)
        .join(Endpoint, Endpoint.trial_id == Trial.id)
        .where(Endpoint.source_id.in_(_sources_of(SourceOrigin.CTGOV)))
        .distinct()
    )
    found |= {
        trial_id for (trial_id,) in rows_where_in(connection, statement, Trial.key, trial_keys)
    }
    return sorted(found)


def link_registry_rows(
    connection: Connection, trial_ids: Sequence[int], *, adopted: Sequence[int] = ()
) -> None:
    """Move the facts of a record's arms and endpoints that are curated ones onto the curated
    rows, and delete the record's rows left without facts. In the trials just `adopted`, the
    record's comparisons name their groups by the arms' keys in the trial."""
    if not trial_ids:
        return
    arm_links = _Links(connection, table_of(Arm), "label", trial_ids)
    endpoint_links = _Links(connection, table_of(Endpoint), "name", trial_ids)
    moves = [
        (table_of(Result), "arm_id", arm_links),
        (table_of(Comparison), "arm_id", arm_links),
        (table_of(Comparison), "comparator_arm_id", arm_links),
        (table_of(AdverseEvent), "arm_id", arm_links),
        (table_of(BaselineMeasurement), "arm_id", arm_links),
        (table_of(ParticipantFlow), "arm_id", arm_links),
        (table_of(ArmIntervention), "arm_id", arm_links),
        (table_of(Result), "endpoint_id", endpoint_links),
        (table_of(Comparison), "endpoint_id", endpoint_links),
    ]
    for table, column, links in moves:
        for old, new in links.ids.items():
            connection.execute(update(table).where(table.c[column] == old).values({column: new}))
    if adopted:
        _rename_groups(connection, adopted, arm_links.keys)
    for table, links in ((table_of(Arm), arm_links), (table_of(Endpoint), endpoint_links)):
        if links.ids:
            connection.execute(delete(table).where(table.c.id.in_(list(links.ids))))


class _Links:
    """The rows of `table` (arms or endpoints) of a record that pair with curated rows:
    `ids` registry row id -> curated row id, `keys` (trial id, the record's own key) ->
    the key of the row that stands for it in the trial."""

    def __init__(
        self, connection: Connection, table: Table, title: str, trial_ids: Sequence[int]
    ) -> None:
        statement = select(
            table.c.trial_id,
            table.c.id,
            table.c.key,
            table.c[title].label("title"),
            table.c.registry_match,
            Source.origin,
        ).join(Source, Source.id == table.c.source_id)
        rows = list(rows_where_in(connection, statement, table.c.trial_id, list(trial_ids)))
        self.ids: dict[int, int] = {}
        self.keys: dict[tuple[int, str], str] = {}
        for trial_id in trial_ids:
            of_trial = [row for row in rows if row.trial_id == trial_id]
            curated = {r.key: r for r in of_trial if r.origin == SourceOrigin.CURATED}
            registry = {
                r.key.removeprefix(REGISTRY_KEY_PREFIX): r
                for r in of_trial
                if r.origin == SourceOrigin.CTGOV and r.key.startswith(REGISTRY_KEY_PREFIX)
            }
            pairs = pair_items(
                [Item(r.key, r.title, r.registry_match) for r in curated.values()],
                [Item(key, r.title) for key, r in registry.items()],
            )
            for key, row in registry.items():
                self.keys[(trial_id, key)] = pairs.get(key, row.key)
            self.ids.update({registry[r].id: curated[c].id for r, c in pairs.items()})


def _rename_groups(
    connection: Connection, trial_ids: Sequence[int], keys: dict[tuple[int, str], str]
) -> None:
    table = table_of(Comparison)
    statement = select(table.c.id, table.c.trial_id, table.c.group_keys).where(
        table.c.group_keys.is_not(None),
        table.c.source_id.in_(_sources_of(SourceOrigin.CTGOV)),
    )
    for row_id, trial_id, group_keys in rows_where_in(
        connection, statement, table.c.trial_id, list(trial_ids)
    ):
        renamed = "; ".join(keys.get((trial_id, k), k) for k in group_keys.split("; "))
        if renamed != group_keys:
            connection.execute(update(table).where(table.c.id == row_id).values(group_keys=renamed))
