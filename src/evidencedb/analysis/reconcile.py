"""Reconciliation: a trial's registry record against its publications, and across versions.

For one trial that holds both a registry record (imported, with its versions in
`trial_versions`) and curated facts from publications (a seed file), three lists:

- outcomes: each endpoint's registered role (primary, secondary, other or none, from the
  newest version) and reported role (in the publication, or none), and a status:
  `reported_as_registered`, `not_reported`, `not_registered` or `role_changed`;
- values: each arm x endpoint (x subgroup x category) that both report, the arm sizes and the
  enrollment, both numbers and `agree` or `differ` beyond the rounding of the less precise;
- history: registered primary outcomes added, removed or changed from one version to the
  next, flagged when the version came after the study's start.

Outcomes and arms are paired as the loader links them (`analysis.pairing.pair_items`). The
functions read only: reconciling writes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, exists, or_, select

from evidencedb.analysis.pairing import REGISTRY_KEY_PREFIX, Item, comparable_title, pair_items
from evidencedb.enums import EndpointRole, SourceOrigin
from evidencedb.errors import NotFound
from evidencedb.store.fact_models import Result
from evidencedb.store.history_models import TrialVersion
from evidencedb.store.models import Arm, Endpoint, Trial
from evidencedb.store.source_models import Source

# The registry's outcome lists, and the role each registers.
REGISTERED_LISTS = (
    ("primary_outcomes", "primary"),
    ("secondary_outcomes", "secondary"),
    ("other_outcomes", "other"),
)
# A reported role as the registry would say it; "unspecified" claims no role.
_AS_REGISTERED = {
    EndpointRole.PRIMARY: "primary",
    EndpointRole.SECONDARY: "secondary",
    EndpointRole.EXPLORATORY: "other",
    EndpointRole.POST_HOC: "other",
}


@dataclass(frozen=True)
class Reconciliation:
    trial_key: str
    outcomes: list[dict[str, Any]]
    values: list[dict[str, Any]]
    history: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "trial_key": self.trial_key,
            "outcomes": self.outcomes,
            "values": self.values,
            "history": self.history,
        }


class NotReconcilable(NotFound):
    """A trial that lacks one of the two sides: its registry record or a curated publication."""


def reconcile(connection: Connection, trial_key: str) -> Reconciliation:
    """The reconciliation of one trial; NotFound when there is no such trial, and
    NotReconcilable when it lacks one of the two sides."""
    trial = connection.execute(
        select(Trial.id, Trial.key, Trial.enrollment, Trial.start_date).where(
            Trial.key == trial_key
        )
    ).first()
    if trial is None:
        raise NotFound(f"no trial {trial_key!r}")
    missing = _missing_side(connection, trial.id, trial_key)
    if missing is not None:
        raise NotReconcilable(missing)
    versions = list(
        connection.execute(
            select(TrialVersion)
            .where(TrialVersion.trial_id == trial.id)
            .order_by(TrialVersion.version_date, TrialVersion.id)
        )
    )
    endpoints = _rows(connection, Endpoint, trial.id, Endpoint.name)
    arms = _rows(connection, Arm, trial.id, Arm.label)
    return Reconciliation(
        trial.key,
        outcome_rows(endpoints, versions[-1]),
        [*value_rows(connection, trial.id), *size_rows(arms, trial.enrollment, versions[-1])],
        history_rows(versions, versions[-1].start_date or trial.start_date),
    )


def reconcilable(connection: Connection, trial_key: str) -> bool:
    """Whether `reconcile` has both sides to compare for the trial `trial_key`."""
    trial_id = connection.execute(select(Trial.id).where(Trial.key == trial_key)).scalar()
    return trial_id is not None and _missing_side(connection, trial_id, trial_key) is None


def _missing_side(connection: Connection, trial_id: int, trial_key: str) -> str | None:
    """What the trial lacks to be reconciled, as the user's hint; None when it has both."""
    has_version = exists().where(TrialVersion.trial_id == trial_id)
    if not connection.execute(select(has_version)).scalar():
        return (
            f"trial {trial_key!r} has no registry record: import it with "
            "`evidencedb import ctgov FILE` (the record of the trial's NCT id)"
        )
    curated = [
        exists()
        .where(model.trial_id == trial_id, Source.id == model.source_id)
        .where(Source.origin == SourceOrigin.CURATED)
        for model in (Endpoint, Arm)
    ]
    if not connection.execute(select(or_(*curated))).scalar():
        return (
            f"trial {trial_key!r} has no curated publication to compare its registry record "
            "with: load the seed file that lists its NCT id"
        )
    return None


def _rows(connection: Connection, model: Any, trial_id: int, title: Any) -> list[Row[Any]]:
    statement = (
        select(model, title.label("title"), Source.origin)
        .join(Source, Source.id == model.source_id)
        .where(model.trial_id == trial_id)
        .order_by(model.id)
    )
    return list(connection.execute(statement))


def _registered(version: Row[Any]) -> list[tuple[Item, str]]:
    return [
        (Item(outcome["key"], outcome["title"]), role)
        for field, role in REGISTERED_LISTS
        for outcome in getattr(version, field) or []
    ]


# Outcomes -----------------------------------------------------------------------------------


def outcome_status(registered: str, reported: str) -> str:
    if registered == "none":
        return "not_registered"
    if reported == "none":
        return "not_reported"
    claimed = _AS_REGISTERED.get(EndpointRole(reported))
    return (
        "role_changed"
        if claimed is not None and claimed != registered
        else ("reported_as_registered")
    )


def outcome_rows(endpoints: list[Row[Any]], version: Row[Any]) -> list[dict[str, Any]]:
    registered = _registered(version)
    roles = {item.key: role for item, role in registered}
    curated = [e for e in endpoints if e.origin == SourceOrigin.CURATED]
    pairs = pair_items(
        [Item(e.key, e.title, e.registry_match) for e in curated],
        [item for item, _ in registered],
    )
    reported_as = {curated_key: key for key, curated_key in pairs.items()}
    rows = []
    for endpoint in curated:
        registered_key = reported_as.get(endpoint.key)
        registered_role = roles[registered_key] if registered_key else "none"
        rows.append(_outcome(endpoint.key, registered_role, str(endpoint.role)))
    keys = {e.key for e in endpoints}
    for item, role in registered:
        if item.key not in pairs:
            own = f"{REGISTRY_KEY_PREFIX}{item.key}"
            rows.append(_outcome(own if own in keys else item.key, role, "none"))
    return rows


def _outcome(endpoint_key: str, registered: str, reported: str) -> dict[str, Any]:
    return {
        "endpoint_key": endpoint_key,
        "registered_role": registered,
        "reported_role": reported,
        "status": outcome_status(registered, reported),
    }


# Values -------------------------------------------------------------------------------------


def decimals(value: float) -> int:
    """How many decimals a number was written with (as far as its float shows it)."""
    text = repr(float(value))
    if "e" in text:
        return 10
    fraction = text.split(".")[1]
    return 0 if fraction == "0" else len(fraction)


def agreement(registry: float | None, publication: float | None, places: int) -> str | None:
    """`agree` when the two numbers are equal at `places` decimals (the less precise one's)."""
    if registry is None or publication is None:
        return None
    return "agree" if abs(registry - publication) <= 0.5 * 10**-places + 1e-9 else "differ"


def _value(row: Row[Any], other_unit: str | None) -> tuple[float | None, int]:
    """A result's number as the other side states it, and its decimals: a count of n as a
    percentage when the other gives one."""
    if other_unit == "%" and row.unit != "%" and row.numerator is not None and row.denominator:
        return 100 * row.numerator / row.denominator, 10
    if row.value is not None:
        return row.value, decimals(row.value)
    if row.numerator is not None:
        return float(row.numerator), 0
    return None, 0


def value_rows(connection: Connection, trial_id: int) -> Iterator[dict[str, Any]]:
    statement = (
        select(
            Result.value,
            Result.unit,
            Result.numerator,
            Result.denominator,
            Result.subgroup,
            Result.category,
            Arm.key.label("arm_key"),
            Endpoint.key.label("endpoint_key"),
            Source.origin,
        )
        .join(Arm, Arm.id == Result.arm_id)
        .join(Endpoint, Endpoint.id == Result.endpoint_id)
        .join(Source, Source.id == Result.source_id)
        .where(Result.trial_id == trial_id)
        .order_by(Endpoint.id, Arm.id, Result.subgroup, Result.category, Result.id)
    )
    by_cell: dict[tuple[str, str, str, str], dict[SourceOrigin, list[Any]]] = {}
    for row in connection.execute(statement):
        cell = (row.arm_key, row.endpoint_key, row.subgroup, row.category)
        by_cell.setdefault(cell, {}).setdefault(row.origin, []).append(row)
    for (arm, endpoint, subgroup, category), sides in by_cell.items():
        for registry in sides.get(SourceOrigin.CTGOV, []):
            for publication in sides.get(SourceOrigin.CURATED, []):
                registry_value, registry_places = _value(registry, publication.unit)
                publication_value, publication_places = _value(publication, registry.unit)
                places = min(registry_places, publication_places)
                yield _value_row(
                    "result", arm, endpoint, registry_value, publication_value, places
                ) | {"subgroup": subgroup, "category": category}


def _value_row(
    quantity: str,
    arm_key: str | None,
    endpoint_key: str | None,
    registry: float | None,
    publication: float | None,
    places: int,
) -> dict[str, Any]:
    return {
        "quantity": quantity,
        "arm_key": arm_key,
        "endpoint_key": endpoint_key,
        "subgroup": "",
        "category": "",
        "registry_value": registry,
        "publication_value": publication,
        "status": agreement(registry, publication, places),
    }


def size_rows(
    arms: list[Row[Any]], enrollment: int | None, version: Row[Any]
) -> Iterator[dict[str, Any]]:
    """Arm sizes (the record's arms of the newest version) and enrollment, where both say."""
    registered = [
        Item(arm["key"], arm["title"]) for arm in version.arm_groups or [] if arm.get("n_enrolled")
    ]
    sizes = {arm["key"]: arm["n_enrolled"] for arm in version.arm_groups or []}
    curated = [a for a in arms if a.origin == SourceOrigin.CURATED and a.n_enrolled is not None]
    pairs = pair_items([Item(a.key, a.title, a.registry_match) for a in curated], registered)
    of_curated = {curated_key: key for key, curated_key in pairs.items()}
    for arm in curated:
        if arm.key in of_curated:
            yield _value_row(
                "arm_size", arm.key, None, sizes[of_curated[arm.key]], arm.n_enrolled, 0
            )
    if enrollment is not None and version.enrollment is not None:
        yield _value_row("enrollment", None, None, version.enrollment, enrollment, 0)


# History ------------------------------------------------------------------------------------


def history_rows(versions: list[Row[Any]], start_date: str | None) -> list[dict[str, Any]]:
    rows = []
    for before, after in itertools.pairwise(versions):
        old = {comparable_title(o["title"]): o for o in before.primary_outcomes or []}
        new = {comparable_title(o["title"]): o for o in after.primary_outcomes or []}
        changes = [("removed", old[t]) for t in old if t not in new]
        changes += [("added", new[t]) for t in new if t not in old]
        changes += [
            ("changed", new[t])
            for t in new
            if t in old and _described(old[t]) != _described(new[t])
        ]
        for change, outcome in changes:
            rows.append(
                {
                    "version_date": after.version_date,
                    "change": change,
                    "outcome": outcome["title"],
                    "after_start": bool(start_date) and after.version_date > start_date,
                }
            )
    return rows


def _described(outcome: dict[str, Any]) -> tuple[Any, Any]:
    return outcome.get("time_frame"), outcome.get("description")
