"""How a comparison's arms were assigned, in words: randomised, or against which control."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evidencedb.enums import NON_CONCURRENT_ROLES, ArmRole


def describe_contrast(randomized: bool | None, arms: Sequence[tuple[ArmRole | None, bool]]) -> str:
    """'randomised', 'non-randomised (historical control)', ... for a comparison's arms,
    given as (role, taken from another trial)."""
    if randomized is None:
        return "not known"
    if randomized:
        return "randomised"
    for role, from_other_trial in arms:
        if role in NON_CONCURRENT_ROLES:
            return f"non-randomised ({str(role).replace('_', ' ')})"
        if from_other_trial:
            return "non-randomised (control from another trial)"
    return "non-randomised"


def contrast_of(row: Mapping[str, Any]) -> str:
    """`describe_contrast` of a row of `query.comparisons.comparison_rows`."""
    return describe_contrast(
        row["randomized"],
        [
            (row["arm_role"], row["arm_from_other_trial"]),
            (row["comparator_role"], row["comparator_from_other_trial"]),
        ],
    )
