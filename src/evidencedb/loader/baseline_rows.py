"""Rows of the baseline and participant-flow tables, from a bundle's records and the ids of its
trial, arms and sources (the natural-key synchronisation writes them, in `sync`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evidencedb.records.trial_file import TrialFile


def baseline_rows(
    data: TrialFile,
    trial_id: int,
    arm_ids: Mapping[tuple[Any, ...], int],
    source_ids: Mapping[str, int],
) -> list[dict[str, Any]]:
    rows = []
    for record in data.baseline_measurements:
        row = dict(record.__dict__)  # the validated fields, without model_dump's cost per row
        row.update(
            trial_id=trial_id,
            arm_id=arm_ids[(trial_id, row.pop("arm"))],
            source_id=source_ids[row.pop("source")],
        )
        row["class"] = row.pop("class_title")
        rows.append(row)
    return rows


def flow_rows(
    data: TrialFile,
    trial_id: int,
    arm_ids: Mapping[tuple[Any, ...], int],
    source_ids: Mapping[str, int],
) -> list[dict[str, Any]]:
    rows = []
    for record in data.participant_flow:
        row = dict(record.__dict__)
        row.update(
            trial_id=trial_id,
            arm_id=arm_ids[(trial_id, row.pop("arm"))],
            source_id=source_ids[row.pop("source")],
        )
        rows.append(row)
    return rows
