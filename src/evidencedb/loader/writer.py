"""The one writer: validated bundles in, rows out, inside the caller's transaction.

Loading is all-or-nothing and idempotent:
- every reference is resolved, against the bundles of this load and the database, before the
  first row is written; any problem raises `ValidationFailed` and nothing is written;
- rows are matched by natural key, so a re-load updates nothing, an edited file updates the rows
  that changed, inserts the new ones and deletes the ones it no longer states; ids are stable.

A bundle owns its trial's rows that come from sources of its origin (curated seed files or a
registry importer): a seed file never deletes what a registry import wrote, and the reverse.

The loader never uses per-object ORM flushes and never commits: the command owns the
transaction. Where ids are needed (trials, arms, endpoints) it writes with multi-row
INSERT ... RETURNING; rows whose ids nobody needs (identifiers, arm interventions, facts) go
through the driver: executemany of tuples on SQLite, COPY on PostgreSQL, in the same transaction
and under the same constraints. Trials new to the database skip the natural-key lookups of their
rows, since they have none yet.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import Enum as SAEnum

from evidencedb.analysis.derive import derived_comparisons
from evidencedb.enums import Registry, SourceKind, SourceOrigin
from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.base import Cited
from evidencedb.records.bundle import Bundle
from evidencedb.records.location import Location
from evidencedb.records.quotes import normalise_text, read_document
from evidencedb.records.trial import InterventionRecord, SourceRecord
from evidencedb.records.trial_file import TrialFile
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import (
    Arm,
    ArmIntervention,
    Endpoint,
    Intervention,
    Source,
    Trial,
    TrialIdentifier,
    TrialSource,
    table_of,
)

CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


@dataclass
class TableChanges:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    def __iadd__(self, other: TableChanges) -> TableChanges:
        self.inserted += other.inserted
        self.updated += other.updated
        self.deleted += other.deleted
        return self


@dataclass
class LoadReport:
    trials: list[str] = field(default_factory=list)
    changes: dict[str, TableChanges] = field(default_factory=lambda: defaultdict(TableChanges))
    warnings: list[str] = field(default_factory=list)
    facts: int = 0

    def merge(self, other: LoadReport) -> None:
        self.trials.extend(other.trials)
        for name, counts in other.changes.items():
            self.changes[name] += counts
        self.warnings.extend(other.warnings)
        self.facts += other.facts


def load(connection: Connection, bundles: Sequence[Bundle]) -> LoadReport:
    """Check every reference of `bundles`, then write them. Raises ValidationFailed first if
    anything is wrong, having written nothing."""
    resolution = _Resolution(connection, bundles)
    resolution.check()
    return _Writer(connection, bundles, resolution).write()


# --------------------------------------------------------------------------------------------
# Resolution: every problem that needs more than one file, found before anything is written.


def _citations(data: TrialFile) -> Iterator[tuple[Location, str | None, Cited | Any]]:
    """Every place in a file that names a source: (location of the row, source key, row)."""
    yield ("trial",), data.trial.source, data.trial
    for i, identifier in enumerate(data.trial.identifiers):
        yield ("trial", "identifiers", i), identifier.source, identifier
    for i, item in enumerate(data.interventions):
        yield ("interventions", i), item.source, item
    for i, arm in enumerate(data.arms):
        yield ("arms", i), arm.source, arm
        for j, given in enumerate(arm.interventions):
            yield ("arms", i, "interventions", j), given.source, given
    for section in ("endpoints", "results", "comparisons", "adverse_events"):
        for i, row in enumerate(getattr(data, section)):
            yield (section, i), row.source, row


class _Resolution:
    def __init__(self, connection: Connection, bundles: Sequence[Bundle]) -> None:
        self.connection = connection
        self.bundles = bundles
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.sources: dict[str, tuple[SourceRecord, Bundle]] = {}
        self.interventions: dict[str, tuple[InterventionRecord, Bundle]] = {}
        self.trial_keys: dict[str, Bundle] = {}
        self.source_kinds: dict[str, SourceKind] = {}

    def check(self) -> None:
        self._collect_declarations()
        self._check_sources()
        self._check_other_references()
        self._check_identifiers()
        if self.problems:
            raise ValidationFailed(self.problems)

    def _collect_declarations(self) -> None:
        for bundle in self.bundles:
            data = bundle.data
            for i, source in enumerate(data.sources):
                self._declare(self.sources, source, bundle, ("sources", i), "source")
            for i, item in enumerate(data.interventions):
                self._declare(
                    self.interventions, item, bundle, ("interventions", i), "intervention"
                )
            if data.trial.key in self.trial_keys:
                other = self.trial_keys[data.trial.key].file
                message = f"trial {data.trial.key!r} is also in {other}; one file per trial"
                self.problems.append(bundle.problem(("trial", "key"), message))
            self.trial_keys[data.trial.key] = bundle

    def _declare(
        self,
        registry: dict[str, Any],
        record: SourceRecord | InterventionRecord,
        bundle: Bundle,
        location: Location,
        what: str,
    ) -> None:
        previous = registry.get(record.key)
        if previous is None:
            registry[record.key] = (record, bundle)
        elif previous[0] != record:
            message = f"{what} {record.key!r} is declared differently in {previous[1].file}"
            self.problems.append(bundle.problem((*location, "key"), message))

    def _existing(self, table: Table, keys: Iterable[str], *columns: Any) -> dict[str, Any]:
        wanted = sorted(set(keys))
        found: dict[str, Any] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            rows = self.connection.execute(
                select(table.c.key, *columns).where(table.c.key.in_(chunk))
            )
            found.update((row[0], row) for row in rows)
        return found

    def _check_sources(self) -> None:
        cited = {key for b in self.bundles for _, key, _ in _citations(b.data) if key}
        cited |= {s.reports_on for s, _ in self.sources.values() if s.reports_on}
        cited |= {ts.source for b in self.bundles for ts in b.data.trial.sources}
        in_db = self._existing(table_of(Source), cited - set(self.sources), Source.kind)
        self.source_kinds = {key: row.kind for key, row in in_db.items()}
        self.source_kinds.update({key: s.kind for key, (s, _) in self.sources.items()})
        documents = self._documents()
        for bundle in self.bundles:
            for location, key, row in _citations(bundle.data):
                if key is not None:
                    self._check_citation(bundle, location, key, row, documents)
            for i, link in enumerate(bundle.data.trial.sources):
                self._require_source(bundle, ("trial", "sources", i, "source"), link.source)
            for i, source in enumerate(bundle.data.sources):
                if source.reports_on is not None:
                    self._require_source(bundle, ("sources", i, "reports_on"), source.reports_on)

    def _require_source(self, bundle: Bundle, location: Location, key: str) -> bool:
        if key in self.source_kinds:
            return True
        message = f"unknown source {key!r}: declare it under `sources:` or load the file that does"
        self.problems.append(bundle.problem(location, message))
        return False

    def _check_citation(
        self,
        bundle: Bundle,
        location: Location,
        key: str,
        row: Any,
        documents: dict[str, str | None],
    ) -> None:
        if not self._require_source(bundle, (*location, "source"), key):
            return
        if self.source_kinds[key] == SourceKind.REGISTRY_RECORD:
            return
        if not row.quote:
            message = f"a fact from the document {key!r} needs the quote that states it"
            self.problems.append(bundle.problem((*location, "quote"), message))
            return
        text = documents.get(key)
        if text is None:
            return
        quotes = [((*location, "quote"), row.quote)]
        quotes += [((*location, "quotes", f), q) for f, q in getattr(row, "quotes", {}).items()]
        for quote_location, quote in quotes:
            if normalise_text(quote) not in text:
                message = f"quote not found in the text of source {key!r}: {quote!r}"
                self.problems.append(bundle.problem(quote_location, message))

    def _documents(self) -> dict[str, str | None]:
        """Normalised text of each declared source whose document file is at hand."""
        texts: dict[str, str | None] = {}
        for key, (source, bundle) in self.sources.items():
            if source.document is None or bundle.base_dir is None:
                continue
            path = bundle.base_dir / source.document
            texts[key] = read_document(path)
            if texts[key] is None:
                self.warnings.append(
                    f"{bundle.file}: document of source {key!r} cannot be read at {path}; "
                    "its quotes were not checked against it"
                )
        return texts

    def _check_other_references(self) -> None:
        referenced = {
            given.intervention
            for bundle in self.bundles
            for arm in bundle.data.arms
            for given in arm.interventions
        }
        known_interventions = set(self.interventions) | set(
            self._existing(table_of(Intervention), referenced - set(self.interventions))
        )
        control_trials = {
            arm.source_trial for b in self.bundles for arm in b.data.arms if arm.source_trial
        }
        known_trials = set(self.trial_keys) | set(
            self._existing(table_of(Trial), control_trials - set(self.trial_keys))
        )
        for bundle in self.bundles:
            for i, arm in enumerate(bundle.data.arms):
                if arm.source_trial is not None and arm.source_trial not in known_trials:
                    message = (
                        f"unknown trial {arm.source_trial!r}: load its seed file in the same "
                        "command or before this one"
                    )
                    self.problems.append(bundle.problem(("arms", i, "source_trial"), message))
                for j, given in enumerate(arm.interventions):
                    if given.intervention not in known_interventions:
                        message = (
                            f"unknown intervention {given.intervention!r}: declare it under "
                            "`interventions:` or load the file that does"
                        )
                        location = ("arms", i, "interventions", j, "intervention")
                        self.problems.append(bundle.problem(location, message))

    def _check_identifiers(self) -> None:
        claimed: dict[tuple[str, str], tuple[str, Bundle]] = {}
        for bundle in self.bundles:
            trial = bundle.data.trial.key
            for i, identifier in enumerate(bundle.data.trial.identifiers):
                if identifier.registry != Registry.NCT:
                    continue  # only an NCT id must name one trial (see models.TrialIdentifier)
                pair = (identifier.registry.value, identifier.value)
                other = claimed.get(pair)
                if other is not None and other[0] != trial:
                    message = f"identifier {identifier.value} is also given to trial {other[0]!r}"
                    self.problems.append(bundle.problem(("trial", "identifiers", i), message))
                claimed[pair] = (trial, bundle)
        if not claimed:
            return
        table = table_of(TrialIdentifier)
        pairs = list(claimed)
        for start in range(0, len(pairs), CHUNK):
            chunk = pairs[start : start + CHUNK]
            condition = [
                and_(table.c.registry == registry, table.c.value == value)
                for registry, value in chunk
            ]
            rows = self.connection.execute(
                select(table.c.registry, table.c.value, Trial.key)
                .join(Trial, Trial.id == table.c.trial_id)
                .where(or_(*condition))
            )
            for registry, value, owner in rows:
                trial, bundle = claimed[(str(registry), value)]
                if owner != trial:
                    message = (
                        f"identifier {value} already belongs to trial {owner!r} in the database"
                    )
                    self.problems.append(bundle.problem(("trial", "identifiers"), message))


# --------------------------------------------------------------------------------------------
# Writing: natural-key synchronisation, table by table, parents before children.


class _Writer:
    def __init__(
        self, connection: Connection, bundles: Sequence[Bundle], resolution: _Resolution
    ) -> None:
        self.connection = connection
        self.bundles = bundles
        self.resolution = resolution
        self.report = LoadReport(warnings=list(resolution.warnings))

    def write(self) -> LoadReport:
        source_ids = self._upsert_sources()
        intervention_ids = self._upsert_keyed(
            table_of(Intervention),
            [
                _intervention_row(record, source_ids)
                for record, _ in self.resolution.interventions.values()
            ],
        )
        intervention_ids |= self._ids_of(
            table_of(Intervention),
            {g.intervention for b in self.bundles for a in b.data.arms for g in a.interventions},
        )
        by_origin: dict[SourceOrigin, list[Bundle]] = defaultdict(list)
        for bundle in self.bundles:
            by_origin[bundle.origin].append(bundle)
        for origin, bundles in by_origin.items():
            _TrialSync(self, origin, bundles, source_ids, intervention_ids).run()
        return self.report

    def count(self, table: Table, inserted: int = 0, updated: int = 0, deleted: int = 0) -> None:
        self.report.changes[table.name] += TableChanges(inserted, updated, deleted)

    def _ids_of(self, table: Table, keys: Iterable[str]) -> dict[str, int]:
        found = self.resolution._existing(table, keys, table.c.id)
        return {key: row.id for key, row in found.items()}

    def _upsert_sources(self) -> dict[str, int]:
        table = table_of(Source)
        declared = [record for record, _ in self.resolution.sources.values()]
        rows = []
        for record in declared:
            row = record.model_dump(exclude={"reports_on"})
            row["origin"] = self.resolution.sources[record.key][1].origin
            rows.append(row)
        existed = set(self._ids_of(table, [row["key"] for row in rows]))
        ids = self._upsert_keyed(table, rows)
        ids |= self._ids_of(table, set(self.resolution.source_kinds) - set(ids))
        # reports_on points between sources, so it is set once every source has its id.
        links: dict[int, int | None] = {
            ids[record.key]: ids[record.reports_on] if record.reports_on else None
            for record in declared
        }
        current = self._current_links(table, list(links))
        changed = [
            {"b_id": source_id, "reports_on_id": target}
            for source_id, target in links.items()
            if current[source_id] != target
        ]
        if changed:
            self.connection.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(reports_on_id=bindparam("reports_on_id")),
                changed,
            )
            # A source inserted just now is not "updated" by getting its link.
            updated = [link for link in changed if link["b_id"] in {ids[k] for k in existed}]
            self.count(table, updated=len(updated))
        return ids

    def _current_links(self, table: Table, ids: list[int]) -> dict[int, int | None]:
        links: dict[int, int | None] = {}
        for start in range(0, len(ids), CHUNK):
            rows = self.connection.execute(
                select(table.c.id, table.c.reports_on_id).where(
                    table.c.id.in_(ids[start : start + CHUNK])
                )
            )
            links.update((row.id, row.reports_on_id) for row in rows)
        return links

    def _upsert_keyed(
        self, table: Table, rows: list[dict[str, Any]], inserted: set[str] | None = None
    ) -> dict[str, int]:
        """Insert or update rows of a table whose natural key is the single column `key`;
        the keys of the rows inserted are added to `inserted`."""
        if not rows:
            return {}
        existing = {
            key: row
            for key, row in self.resolution._existing(
                table, [r["key"] for r in rows], *table.c
            ).items()
        }
        ids = {key: row.id for key, row in existing.items()}
        inserts = [row for row in rows if row["key"] not in existing]
        updates = [
            {**row, "b_id": existing[row["key"]].id}
            for row in rows
            if row["key"] in existing and _differs(existing[row["key"]], row)
        ]
        if updates:
            self._update(table, updates)
        if inserts:
            ids |= self._insert_returning(table, inserts, ("key",))
            if inserted is not None:
                inserted.update(row["key"] for row in inserts)
        self.count(table, inserted=len(inserts), updated=len(updates))
        return {key[0] if isinstance(key, tuple) else key: id_ for key, id_ in ids.items()}

    def _update(self, table: Table, rows: list[dict[str, Any]]) -> None:
        # executemany needs one statement shape: group rows by the columns they set.
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            shapes[tuple(sorted(k for k in row if k != "b_id"))].append(row)
        for columns, group in shapes.items():
            statement = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values({column: bindparam(column) for column in columns})
            )
            self.connection.execute(statement, group)

    def _insert_many(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert rows whose ids nobody needs: on SQLite by the driver's executemany of tuples,
        on PostgreSQL by COPY, both inside the command's transaction (constraints are checked
        as for INSERT); elsewhere, and for tables with JSON columns, by Core executemany."""
        dialect = self.connection.dialect.name
        if dialect not in ("sqlite", "postgresql") or any(
            isinstance(column.type, JSON) for column in table.columns
        ):
            self.connection.execute(insert(table), rows)
            return
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            shapes[tuple(row)].append(row)
        cursor = self.connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for shape, group in shapes.items():
                columns = [name for name in shape if name in table.c]
                names = ", ".join(columns)
                getter = operator.itemgetter(*columns)
                if len(columns) > 1:
                    tuples = [getter(row) for row in group]
                else:  # itemgetter of one name gives the value, not a tuple
                    tuples = [(getter(row),) for row in group]
                if dialect == "sqlite":
                    # Enum members are str subclasses: sqlite3 binds them as their values.
                    marks = ", ".join("?" * len(columns))
                    insert_sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
                    cursor.executemany(insert_sql, tuples)
                    continue
                # psycopg would dump an Enum member by its name: give it the value.
                enums = [
                    i for i, name in enumerate(columns) if isinstance(table.c[name].type, SAEnum)
                ]
                with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                    for values in tuples:
                        if enums:
                            values = list(values)
                            for i in enums:
                                if values[i] is not None:
                                    values[i] = str.__str__(values[i])
                        copy.write_row(values)
        finally:
            cursor.close()

    def _insert_returning(
        self, table: Table, rows: list[dict[str, Any]], key_columns: tuple[str, ...]
    ) -> dict[Any, int]:
        key_cols = [table.c[name] for name in key_columns]
        result = self.connection.execute(
            insert(table).returning(table.c.id, *key_cols, sort_by_parameter_order=True), rows
        )
        ids: dict[Any, int] = {}
        for row in result:
            key = tuple(row[1:]) if len(key_columns) > 1 else row[1]
            ids[key] = row[0]
        return ids


def _differs(existing: Any, desired: dict[str, Any]) -> bool:
    mapping = existing._mapping
    return any(mapping[column] != value for column, value in desired.items() if column != "key")


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


class _TrialSync:
    """Writes the trials of one origin and synchronises their rows of that origin."""

    def __init__(
        self,
        writer: _Writer,
        origin: SourceOrigin,
        bundles: list[Bundle],
        source_ids: dict[str, int],
        intervention_ids: dict[str, int],
    ) -> None:
        self.writer = writer
        self.connection = writer.connection
        self.origin = origin
        self.bundles = bundles
        self.source_ids = source_ids
        self.intervention_ids = intervention_ids
        self.trial_ids: dict[str, int] = {}
        # Trials inserted by this load: they have no rows yet, so nothing to look up for them.
        self.new_trial_ids: set[int] = set()

    def run(self) -> None:
        self.trial_ids = self._upsert_trials()
        ids = list(self.trial_ids.values())
        self.writer.report.trials.extend(self.trial_ids)
        owned = select(Source.id).where(Source.origin == self.origin).scalar_subquery()
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
        arm_ids = self._sync(
            table_of(Arm), ("trial_id", "key"), self._arm_rows(), ids, owned, returning=True
        )
        endpoint_ids = self._sync(
            table_of(Endpoint),
            ("trial_id", "key"),
            self._described_rows("endpoints"),
            ids,
            owned,
            returning=True,
        )
        self._sync_arm_interventions(ids, arm_ids)
        self._sync_facts(ids, owned, arm_ids, endpoint_ids)

    # Trials ------------------------------------------------------------------------------

    def _upsert_trials(self) -> dict[str, int]:
        """Insert new trials; update a trial's description only where this origin wrote it,
        so a registry import never rewrites a curated trial's description (or the reverse)."""
        keys = [bundle.data.trial.key for bundle in self.bundles]
        other_origin = {
            key: id_
            for key, id_ in self.connection.execute(
                select(Trial.key, Trial.id)
                .join(Source, Source.id == Trial.source_id)
                .where(Trial.key.in_(keys), Source.origin != self.origin)
            )
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
        inserted: set[str] = set()
        ids = self.writer._upsert_keyed(table_of(Trial), rows, inserted)
        self.new_trial_ids = {ids[key] for key in inserted}
        return ids | other_origin

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
    ) -> dict[tuple[Any, ...], int]:
        """Make the table's rows for these trials (from sources of this origin, or within
        `scope`) equal `desired`, matching rows by `key_columns`. Returns natural key -> id."""
        existing: dict[tuple[Any, ...], Any] = {}
        old_trial_ids = [id_ for id_ in trial_ids if id_ not in self.new_trial_ids]
        for start in range(0, len(old_trial_ids), CHUNK):
            chunk = old_trial_ids[start : start + CHUNK]
            condition = and_(
                table.c.trial_id.in_(chunk),
                scope if scope is not None else table.c.source_id.in_(owned_sources),
            )
            for row in self.connection.execute(select(table).where(condition)):
                existing[tuple(row._mapping[c] for c in key_columns)] = row
        ids = {key: row.id for key, row in existing.items()}
        wanted: dict[tuple[Any, ...], dict[str, Any]] = {}
        for desired_row in desired:
            wanted[tuple(desired_row[c] for c in key_columns)] = desired_row
        obsolete = [row.id for key, row in existing.items() if key not in wanted]
        for start in range(0, len(obsolete), CHUNK):
            self.connection.execute(
                delete(table).where(table.c.id.in_(obsolete[start : start + CHUNK]))
            )
        inserts = [row for key, row in wanted.items() if key not in existing]
        updates = [
            {**row, "b_id": existing[key].id}
            for key, row in wanted.items()
            if key in existing and _differs(existing[key], row)
        ]
        if updates:
            self.writer._update(table, updates)
        if inserts:
            if returning:
                ids.update(self.writer._insert_returning(table, inserts, key_columns))
            else:
                self.writer._insert_many(table, inserts)
        self.writer.count(table, len(inserts), len(updates), len(obsolete))
        return {key: id_ for key, id_ in ids.items() if key in wanted}

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
        trial_ids |= self.writer._ids_of(table_of(Trial), control_keys - set(trial_ids))
        arms = [arm for bundle in self.bundles for arm in bundle.data.arms]
        for row, arm in zip(rows, arms, strict=True):
            row["source_trial_id"] = trial_ids[arm.source_trial] if arm.source_trial else None
        return rows

    def _sync_identifiers(self, trial_ids: list[int], owned: Any) -> None:
        table = table_of(TrialIdentifier)
        held_elsewhere: set[tuple[str, str]] = set()
        old_trial_ids = [id_ for id_ in trial_ids if id_ not in self.new_trial_ids]
        for start in range(0, len(old_trial_ids), CHUNK):
            rows = self.connection.execute(
                select(table.c.registry, table.c.value).where(
                    table.c.trial_id.in_(old_trial_ids[start : start + CHUNK]),
                    table.c.source_id.not_in(owned),
                )
            )
            held_elsewhere.update((str(registry), value) for registry, value in rows)
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
        scope = table.c.arm_id.in_(list(arm_ids.values()) or [-1])
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
        results, comparisons, events = [], [], []
        for bundle in self.bundles:
            trial_id = self._trial_id(bundle)

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
            # sync below makes that idempotent and replaces them when a result changes.
            for comparison in [*bundle.data.comparisons, *derived_comparisons(bundle.data)]:
                row = comparison.model_dump(exclude={"groups"})
                row.update(
                    trial_id=trial_id,
                    arm_id=arm(row.pop("arm")),
                    comparator_arm_id=arm(row.pop("comparator")),
                    endpoint_id=endpoint_ids[(trial_id, row.pop("endpoint"))],
                    source_id=self.source_ids[row.pop("source")],
                    group_keys="; ".join(comparison.groups) or None,
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
        self.writer.report.facts += len(results) + len(comparisons) + len(events)
        self._sync(
            table_of(Result),
            ("trial_id", "endpoint_id", "arm_id", "subgroup", "category", "source_id"),
            results,
            trial_ids,
            owned,
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
        )
        self._sync(
            table_of(AdverseEvent),
            ("trial_id", "arm_id", "term", "organ_system", "category", "grade", "source_id"),
            events,
            trial_ids,
            owned,
        )
