"""Synchronising one origin's trials: their rows inserted, updated and deleted by natural key.

A bundle owns its trial's rows that come from sources of its origin (curated seed files or a
registry importer): a seed file never deletes what a registry import wrote, and the reverse.
Rows are matched by natural key, so a re-load changes nothing, an edited file updates the rows
that changed, inserts the new ones and deletes the ones it no longer states; ids are stable.
Trials new to the database skip the natural-key lookups of their rows, since they have none yet.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, or_, select

from evidencedb.analysis.derive import derived_comparisons, not_derived
from evidencedb.enums import SourceOrigin
from evidencedb.loader.baseline_rows import baseline_rows, flow_rows
from evidencedb.loader.bulk import (
    differs,
    insert_returning_ids,
    insert_rows,
    key_getter,
    update_rows,
    upsert_by_key,
)
from evidencedb.loader.report import LoadReport, TableChanges
from evidencedb.loader.resolution import ids_by_key
from evidencedb.records.bundle import Bundle
from evidencedb.store.baseline_models import BaselineMeasurement, ParticipantFlow
from evidencedb.store.chunks import in_chunks, rows_where_in
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import Arm, ArmIntervention, Endpoint, Trial, TrialIdentifier, table_of
from evidencedb.store.source_models import Source, TrialSource


class TrialSync:
    """Writes the trials of one origin and synchronises their rows of that origin."""

    def __init__(
        self,
        connection: Connection,
        report: LoadReport,
        origin: SourceOrigin,
        bundles: list[Bundle],
        source_ids: dict[str, int],
        intervention_ids: dict[str, int],
    ) -> None:
        self.connection = connection
        self.report = report
        self.origin = origin
        self.bundles = bundles
        self.source_ids = source_ids
        self.intervention_ids = intervention_ids
        self.trial_ids: dict[str, int] = {}
        # Trials inserted by this load: they have no rows yet, so nothing to look up for them.
        self.new_trial_ids: set[int] = set()
        # The sources whose rows this sync owns.
        self.owned = select(Source.id).where(Source.origin == origin).scalar_subquery()

    def run(self) -> None:
        self.trial_ids = self._upsert_trials()
        ids = list(self.trial_ids.values())
        self.report.trials.extend(self.trial_ids)
        owned = self.owned
        self._sync_identifiers(ids, owned)
        self._sync(
            table_of(TrialSource),
            ("trial_id", "source_id"),
            [
                {
                    "trial_id": self.trial_ids[b.data.trial.key],
                    "source_id": self.source_ids[link.source],
                    "relation": link.relation,
                }
                for b in self.bundles
                for link in b.data.trial.sources
            ],
            ids,
            owned,
        )
        arm_ids = self._sync_described(table_of(Arm), self._arm_rows(), ids, owned)
        endpoint_ids = self._sync_described(
            table_of(Endpoint), self._described_rows("endpoints"), ids, owned
        )
        self._sync_arm_interventions(ids, arm_ids)
        self._sync_facts(ids, owned, arm_ids, endpoint_ids)

    # Trials ------------------------------------------------------------------------------

    def _upsert_trials(self) -> dict[str, int]:
        """Insert new trials and update their descriptions, except that a registry import
        never rewrites a trial that a seed file describes (`registry_links`)."""
        keys = [bundle.data.trial.key for bundle in self.bundles]
        if self.origin == SourceOrigin.CURATED:
            keys = []  # a seed file describes its trial whoever wrote the row before
        written_by_other_origin = (
            select(Trial.key, Trial.id)
            .join(Source, Source.id == Trial.source_id)
            .where(Source.origin != self.origin)
        )
        other_origin = {
            key: id_
            for key, id_ in rows_where_in(self.connection, written_by_other_origin, Trial.key, keys)
        }
        rows = []
        for bundle in self.bundles:
            if bundle.data.trial.key in other_origin:
                continue
            trial = bundle.data.trial
            row = trial.model_dump(exclude={"identifiers", "sources", "countries", "quotes"})
            row["source_id"] = self.source_ids[row.pop("source")]
            row["countries"] = "; ".join(trial.countries) or None
            row["field_quotes"] = trial.quotes or None
            rows.append(row)
        table = table_of(Trial)
        upserted = upsert_by_key(self.connection, table, rows)
        self.report.count(table.name, upserted.changes)
        self.new_trial_ids = {upserted.ids[key] for key in upserted.inserted}
        self.report.new_trials.update(upserted.inserted)
        return upserted.ids | other_origin

    # Generic natural-key synchronisation --------------------------------------------------

    def _sync(
        self,
        table: Table,
        key_columns: tuple[str, ...],
        desired: list[dict[str, Any]],
        trial_ids: list[int],
        owned_sources: Any,
        *,
        returning: bool = False,
        scope: ColumnElement[bool] | None = None,
        facts: bool = False,
    ) -> dict[tuple[Any, ...], int]:
        """Make the table's rows for these trials (from sources of this origin, or within
        `scope`) equal `desired`, matching rows by `key_columns`. Returns natural key -> id.
        Changes to `facts` are also counted per trial (what a re-import changed)."""
        existing: dict[tuple[Any, ...], Any] = {}
        old_trial_ids = [id_ for id_ in trial_ids if id_ not in self.new_trial_ids]
        owned = scope if scope is not None else table.c.source_id.in_(owned_sources)
        stored = rows_where_in(
            self.connection, select(table).where(owned), table.c.trial_id, old_trial_ids
        )
        natural_key = key_getter(key_columns)
        for row in stored:
            existing[natural_key(row._mapping)] = row
        ids = {key: row.id for key, row in existing.items()}
        wanted = {natural_key(desired_row): desired_row for desired_row in desired}
        obsolete = [row.id for key, row in existing.items() if key not in wanted]
        for chunk in in_chunks(obsolete):
            self.connection.execute(delete(table).where(table.c.id.in_(chunk)))
        inserts = [row for key, row in wanted.items() if key not in existing]
        updates = [
            (existing[key].id, row)
            for key, row in wanted.items()
            if key in existing and differs(existing[key], row)
        ]
        if updates:
            update_rows(self.connection, table, updates)
        if inserts:
            if returning:
                ids.update(insert_returning_ids(self.connection, table, inserts, key_columns))
            else:
                insert_rows(self.connection, table, inserts)
        self.report.count(table.name, TableChanges(len(inserts), len(updates), len(obsolete)))
        if facts:  # what a re-import changed, per trial (new trials' facts are all new)
            self.report.count_trial_facts(
                {id_: key for key, id_ in self.trial_ids.items() if id_ not in self.new_trial_ids},
                [row["trial_id"] for row in inserts],
                [row["trial_id"] for _, row in updates],
                [row.trial_id for key, row in existing.items() if key not in wanted],
            )
        return {key: id_ for key, id_ in ids.items() if key in wanted}

    def _sync_described(
        self, table: Table, desired: list[dict[str, Any]], trial_ids: list[int], owned: Any
    ) -> dict[tuple[Any, ...], int]:
        """Arms or endpoints: synchronised by key, except that a registry record's row that
        is a curated one (same key: `registry_links`) is left as the seed file wrote it and
        only its id is taken."""
        curated: dict[tuple[Any, ...], int] = {}
        if self.origin != SourceOrigin.CURATED:
            old_trial_ids = [id_ for id_ in trial_ids if id_ not in self.new_trial_ids]
            of_others = select(table.c.trial_id, table.c.key, table.c.id).where(
                table.c.source_id.not_in(owned)
            )
            curated = {
                (trial_id, key): id_
                for trial_id, key, id_ in rows_where_in(
                    self.connection, of_others, table.c.trial_id, old_trial_ids
                )
            }
            desired = [row for row in desired if (row["trial_id"], row["key"]) not in curated]
        ids = self._sync(table, ("trial_id", "key"), desired, trial_ids, owned, returning=True)
        return curated | ids

    # Rows of each table ---------------------------------------------------------------------

    def _trial_id(self, bundle: Bundle) -> int:
        return self.trial_ids[bundle.data.trial.key]

    def _described_rows(self, section: str) -> list[dict[str, Any]]:
        rows = []
        for bundle in self.bundles:
            for record in getattr(bundle.data, section):
                row = record.model_dump(exclude={"quotes", "interventions", "source_trial"})
                row["trial_id"] = self._trial_id(bundle)
                row["source_id"] = self.source_ids[row.pop("source")]
                row["field_quotes"] = record.quotes or None
                rows.append(row)
        return rows

    def _arm_rows(self) -> list[dict[str, Any]]:
        rows = self._described_rows("arms")
        control_keys = {
            arm.source_trial for b in self.bundles for arm in b.data.arms if arm.source_trial
        }
        trial_ids = dict(self.trial_ids)
        trial_ids |= ids_by_key(self.connection, table_of(Trial), control_keys - set(trial_ids))
        arms = [arm for bundle in self.bundles for arm in bundle.data.arms]
        for row, arm in zip(rows, arms, strict=True):
            row["source_trial_id"] = trial_ids[arm.source_trial] if arm.source_trial else None
        return rows

    def _sync_identifiers(self, trial_ids: list[int], owned: Any) -> None:
        table = table_of(TrialIdentifier)
        old_trial_ids = [id_ for id_ in trial_ids if id_ not in self.new_trial_ids]
        of_other_origin = select(table.c.registry, table.c.value).where(
            table.c.source_id.not_in(owned)
        )
        held_elsewhere = {
            (str(registry), value)
            for registry, value in rows_where_in(
                self.connection, of_other_origin, table.c.trial_id, old_trial_ids
            )
        }
        desired = []
        for bundle in self.bundles:
            trial = bundle.data.trial
            for identifier in trial.identifiers:
                if (identifier.registry.value, identifier.value) in held_elsewhere:
                    continue  # the same identifier, already stated by the other origin
                desired.append(
                    {
                        "trial_id": self._trial_id(bundle),
                        "registry": identifier.registry,
                        "value": identifier.value,
                        "source_id": self.source_ids[identifier.source or trial.source],
                        "quote": identifier.quote,
                        "locator": identifier.locator,
                    }
                )
        self._sync(table, ("trial_id", "registry", "value"), desired, trial_ids, owned)

    def _sync_arm_interventions(
        self, trial_ids: list[int], arm_ids: dict[tuple[Any, ...], int]
    ) -> None:
        desired = []
        for bundle in self.bundles:
            trial_id = self._trial_id(bundle)
            for arm in bundle.data.arms:
                for given in arm.interventions:
                    desired.append(
                        {
                            "trial_id": trial_id,
                            "arm_id": arm_ids[(trial_id, arm.key)],
                            "intervention_id": self.intervention_ids[given.intervention],
                            "dose": given.dose,
                            "route": given.route,
                            "schedule": given.schedule,
                            "timing": given.timing,
                            "source_id": self.source_ids[given.source] if given.source else None,
                            "quote": given.quote,
                            "locator": given.locator,
                        }
                    )
        table = table_of(ArmIntervention)
        # Of an arm that two origins describe, each keeps its own interventions.
        of_origin: ColumnElement[bool] = table.c.source_id.in_(self.owned)
        if self.origin == SourceOrigin.CURATED:
            of_origin = or_(of_origin, table.c.source_id.is_(None))
        scope = and_(table.c.arm_id.in_(list(arm_ids.values()) or [-1]), of_origin)
        self._sync(
            table, ("trial_id", "arm_id", "intervention_id"), desired, trial_ids, None, scope=scope
        )

    def _sync_facts(
        self,
        trial_ids: list[int],
        owned: Any,
        arm_ids: dict[tuple[Any, ...], int],
        endpoint_ids: dict[tuple[Any, ...], int],
    ) -> None:
        results, comparisons, events, baseline, flow = [], [], [], [], []
        for bundle in self.bundles:
            trial_id = self._trial_id(bundle)
            baseline += baseline_rows(bundle.data, trial_id, arm_ids, self.source_ids)
            flow += flow_rows(bundle.data, trial_id, arm_ids, self.source_ids)

            def arm(key: str | None, trial_id: int = trial_id) -> int | None:
                return None if key is None else arm_ids[(trial_id, key)]

            # A copy of the validated fields (what model_dump gives for these flat records,
            # without its cost per row).
            for record in bundle.data.results:
                row = dict(record.__dict__)
                row.update(
                    trial_id=trial_id,
                    arm_id=arm(row.pop("arm")),
                    endpoint_id=endpoint_ids[(trial_id, row.pop("endpoint"))],
                    source_id=self.source_ids[row.pop("source")],
                )
                results.append(row)
            # Derived rows are recomputed from the results on every load; the natural-key
            # sync below makes that idempotent and replaces them when a result changes. A
            # curator is told why one is missing (registry records would drown the report).
            if self.origin == SourceOrigin.CURATED:
                self.report.warnings += [
                    f"{bundle.file}: {reason}" for reason in not_derived(bundle.data)
                ]
            for comparison in [*bundle.data.comparisons, *derived_comparisons(bundle.data)]:
                row = dict(comparison.__dict__)  # model_dump's fields, without its cost
                row.update(
                    trial_id=trial_id,
                    arm_id=arm(row.pop("arm")),
                    comparator_arm_id=arm(row.pop("comparator")),
                    endpoint_id=endpoint_ids[(trial_id, row.pop("endpoint"))],
                    source_id=self.source_ids[row.pop("source")],
                    group_keys="; ".join(row.pop("groups")) or None,
                )
                comparisons.append(row)
            for event in bundle.data.adverse_events:
                row = dict(event.__dict__)
                row.update(
                    trial_id=trial_id,
                    arm_id=arm(row.pop("arm")),
                    source_id=self.source_ids[row.pop("source")],
                )
                events.append(row)
        self.report.facts += len(results) + len(comparisons) + len(events)
        self.report.facts += len(baseline) + len(flow)
        self._sync(
            table_of(Result),
            ("trial_id", "endpoint_id", "arm_id", "subgroup", "category", "source_id"),
            results,
            trial_ids,
            owned,
            facts=True,
        )
        self._sync(
            table_of(Comparison),
            (
                "trial_id",
                "endpoint_id",
                "arm_id",
                "comparator_arm_id",
                "measure",
                "origin",
                "label",
                "source_id",
            ),
            comparisons,
            trial_ids,
            owned,
            facts=True,
        )
        self._sync(
            table_of(AdverseEvent),
            ("trial_id", "arm_id", "term", "organ_system", "category", "grade", "source_id"),
            events,
            trial_ids,
            owned,
            facts=True,
        )
        self._sync(
            table_of(BaselineMeasurement),
            ("trial_id", "arm_id", "characteristic", "class", "category", "source_id"),
            baseline,
            trial_ids,
            owned,
            facts=True,
        )
        self._sync(
            table_of(ParticipantFlow),
            ("trial_id", "arm_id", "period", "kind", "label", "source_id"),
            flow,
            trial_ids,
            owned,
            facts=True,
        )
