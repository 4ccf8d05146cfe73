"""What a load did: the trials it wrote, and the rows inserted, updated and deleted per table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field


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
    # Trials this load inserted, and the facts it inserted, updated and deleted per trial.
    new_trials: set[str] = field(default_factory=set)
    fact_changes: dict[str, TableChanges] = field(default_factory=lambda: defaultdict(TableChanges))

    def count(self, table: str, changes: TableChanges) -> None:
        """Add `changes` to the counts of `table`."""
        self.changes[table] += changes

    def count_trial_facts(
        self,
        trial_keys: Mapping[int, str],
        inserted: list[int],
        updated: list[int],
        deleted: list[int],
    ) -> None:
        """Count the facts inserted, updated and deleted, given by their trial ids, for the
        trials of `trial_keys` (id -> key); facts of other trials are not counted."""
        for ids, field_name in ((inserted, "inserted"), (updated, "updated"), (deleted, "deleted")):
            for trial_id in ids:
                key = trial_keys.get(trial_id)
                if key is not None:
                    changes = self.fact_changes[key]
                    setattr(changes, field_name, getattr(changes, field_name) + 1)

    def merge(self, other: LoadReport) -> None:
        self.trials.extend(other.trials)
        for name, counts in other.changes.items():
            self.count(name, counts)
        self.warnings.extend(other.warnings)
        self.facts += other.facts
        self.new_trials |= other.new_trials
        for key, counts in other.fact_changes.items():
            self.fact_changes[key] += counts
