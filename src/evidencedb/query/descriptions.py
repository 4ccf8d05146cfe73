"""A trial's descriptions with their provenance: the trial's own row, an arm's or an
endpoint's, with its source, quote, locator and the quotes of single fields (`enrollment`:
"to 30 infants"), for the web view's provenance pages of numbers that are not facts."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

from sqlalchemy import Connection, bindparam, select

from evidencedb.errors import NotFound
from evidencedb.store.models import Arm, Endpoint, Trial
from evidencedb.store.source_models import Source

DescriptionKind: TypeAlias = Literal["trials", "arms", "endpoints"]

_TRIAL = (
    select(Trial, Source.key.label("source_key"))
    .join(Source, Source.id == Trial.source_id)
    .where(Trial.key == bindparam("trial"))
)
_ARM = (
    select(Trial.key.label("trial_key"), Arm, Source.key.label("source_key"))
    .join(Trial, Trial.id == Arm.trial_id)
    .join(Source, Source.id == Arm.source_id)
    .where(Trial.key == bindparam("trial"), Arm.key == bindparam("key"))
)
_ENDPOINT = (
    select(Trial.key.label("trial_key"), Endpoint, Source.key.label("source_key"))
    .join(Trial, Trial.id == Endpoint.trial_id)
    .join(Source, Source.id == Endpoint.source_id)
    .where(Trial.key == bindparam("trial"), Endpoint.key == bindparam("key"))
)
_STATEMENTS = {"trials": _TRIAL, "arms": _ARM, "endpoints": _ENDPOINT}
# Ids say nothing to a reader; the keys beside them do.
_HIDDEN = {"id", "trial_id", "source_id", "source_trial_id"}


def description(
    connection: Connection, kind: DescriptionKind, trial: str, key: str = ""
) -> dict[str, Any]:
    """The row of the trial `trial` (kind 'trials'), or of its arm or endpoint `key`, with
    `source_key`, `quote`, `locator` and `field_quotes` (field -> quote, {} when none)."""
    row = connection.execute(_STATEMENTS[kind], {"trial": trial, "key": key}).one_or_none()
    if row is None:
        what = f"trial {trial!r}" if kind == "trials" else f"{kind[:-1]} {key!r} of {trial!r}"
        raise NotFound(f"no {what}")
    found = {name: value for name, value in row._mapping.items() if name not in _HIDDEN}
    if kind == "trials":
        found["trial_key"] = found["key"]
    found["field_quotes"] = found.get("field_quotes") or {}
    return found
