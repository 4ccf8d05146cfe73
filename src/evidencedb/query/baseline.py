"""Baseline characteristics and participant flow per arm, as `baseline` and `flow` read them.

One row per measurement or count, with its trial and arm, in the order the registry gives
them. The filters are those of the fact commands that concern a trial and an arm, plus a part
of the characteristic's name (`--characteristic`) or of the flow row's label (`--label`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Literal, TypeAlias

from sqlalchemy import Connection, RowMapping, bindparam, select

from evidencedb.query.filters import FactFilters, fact_conditions, filter_values
from evidencedb.query.statement import AnySelect, Names, Values, contains, like_pattern
from evidencedb.store.baseline_models import BaselineMeasurement, ParticipantFlow
from evidencedb.store.models import Arm, Trial
from evidencedb.store.source_models import Source

ArmView: TypeAlias = Literal["baseline", "flow"]


@functools.cache
def _baseline(names: Names) -> AnySelect:
    measured = BaselineMeasurement
    statement = (
        select(
            Trial.key.label("trial_key"),
            Arm.key.label("arm_key"),
            Arm.label.label("arm_label"),
            Arm.role.label("arm_role"),
            measured.characteristic,
            measured.class_title.label("class"),
            measured.category,
            measured.parameter_type,
            measured.value,
            measured.value_raw,
            measured.unit,
            measured.spread,
            measured.spread_type,
            measured.spread_lower,
            measured.spread_upper,
            measured.spread_raw,
            measured.n,
            measured.n_units,
            measured.description,
            measured.note,
            Source.key.label("source_key"),
            measured.locator,
            measured.quote,
        )
        .select_from(measured)
        .join(Trial, Trial.id == measured.trial_id)
        .join(Arm, Arm.id == measured.arm_id)
        .join(Source, Source.id == measured.source_id)
        .where(
            *fact_conditions(
                names, has_endpoint=False, arm_id=measured.arm_id, quote=measured.quote
            )
        )
        .order_by(measured.id)
    )
    if "label" in names:
        statement = statement.where(contains(measured.characteristic, bindparam("label")))
    return statement


@functools.cache
def _flow(names: Names) -> AnySelect:
    flow = ParticipantFlow
    statement = (
        select(
            Trial.key.label("trial_key"),
            Arm.key.label("arm_key"),
            Arm.label.label("arm_label"),
            Arm.role.label("arm_role"),
            flow.period,
            flow.kind,
            flow.label,
            flow.count,
            flow.count_raw,
            flow.note,
            Source.key.label("source_key"),
            flow.locator,
            flow.quote,
        )
        .select_from(flow)
        .join(Trial, Trial.id == flow.trial_id)
        .join(Arm, Arm.id == flow.arm_id)
        .join(Source, Source.id == flow.source_id)
        .where(*fact_conditions(names, has_endpoint=False, arm_id=flow.arm_id, quote=flow.quote))
        .order_by(flow.id)
    )
    if "label" in names:
        statement = statement.where(contains(flow.label, bindparam("label")))
    return statement


_VIEWS = {"baseline": _baseline, "flow": _flow}


def fetch_arm_rows(
    connection: Connection,
    view: ArmView,
    filters: FactFilters = FactFilters(),
    label: str | None = None,
) -> Sequence[RowMapping]:
    """The baseline measurements (`view` "baseline") or participant-flow rows ("flow") that
    `filters` select, and whose characteristic or flow label contains `label`."""
    values: Values = filter_values(filters)
    if label:
        values["label"] = like_pattern(label)
    return connection.execute(_VIEWS[view](frozenset(values)), values).mappings().all()
