"""Subsets of the studies: subgroups with the test for subgroup differences, and leave-one-out.

Both take a ``fit``: a function from the indexes of a subset of studies to its `Pooled`, so
that they serve inverse-variance and count-based (MH, Peto) pooling alike. The test for
subgroup differences is the one reviewers use (RevMan, R's meta): each subgroup pooled on its
own, then Cochran's Q between the subgroup estimates, with their SEs, on G - 1 df.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from evidencedb.analysis.meta.models import Heterogeneity, Pooled, heterogeneity
from evidencedb.analysis.meta.tau2 import generalised_q

__all__ = ["Fit", "SubgroupAnalysis", "leave_one_out", "subgroup_analysis"]

Fit = Callable[[Sequence[int]], Pooled]


@dataclass(frozen=True)
class SubgroupAnalysis:
    """Each subgroup's pooled estimate, in the order of the labels, and the test between them."""

    groups: dict[str, Pooled]
    between: Heterogeneity


def subgroup_analysis(labels: Sequence[str], fit: Fit) -> SubgroupAnalysis:
    """Pool the studies of each label apart, then test the subgroup estimates for differences."""
    groups = {
        label: fit([index for index, other in enumerate(labels) if other == label])
        for label in sorted(set(labels))
    }
    estimates = np.array([group.estimate for group in groups.values()])
    variances = np.array([group.se**2 for group in groups.values()])
    q = generalised_q(estimates, variances, 0.0) if len(groups) > 1 else 0.0
    return SubgroupAnalysis(groups, heterogeneity(q, len(groups)))


def leave_one_out(k: int, fit: Fit) -> list[Pooled]:
    """The pooled estimate without each study in turn (the i-th without study i)."""
    return [fit([index for index in range(k) if index != left_out]) for left_out in range(k)]
