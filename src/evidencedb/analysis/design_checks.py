"""Checks against a trial's design: contrasts called randomised that cannot be, and endpoints
that the trial defines but reports nothing on."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from evidencedb.analysis.findings import Finding, RowKeys, Severity, finding_about
from evidencedb.enums import NON_CONCURRENT_ROLES, TrialDesign
from evidencedb.store.fact_models import Comparison, Result
from evidencedb.store.models import Arm, Endpoint, Trial, table_of

_NOT_RANDOMIZED_DESIGNS = frozenset(
    {TrialDesign.SINGLE_ARM, TrialDesign.NON_RANDOMIZED, TrialDesign.OBSERVATIONAL}
)


def randomized_claims(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """A contrast called randomised that cannot be: against a historical or external control
    (error), or within a trial whose design is not randomised (warning)."""
    comparisons, arms, trials = table_of(Comparison), table_of(Arm), table_of(Trial)
    non_concurrent = {
        row.id
        for row in connection.execute(
            select(arms.c.id).where(
                arms.c.role.in_(sorted(NON_CONCURRENT_ROLES)) | arms.c.source_trial_id.is_not(None)
            )
        )
    }
    designs = {
        row.id: row.design for row in connection.execute(select(trials.c.id, trials.c.design))
    }
    rows = connection.execute(select(comparisons).where(comparisons.c.randomized.is_(True)))
    for row in rows:
        controls = [
            keys.arms[arm_id]
            for arm_id in (row.arm_id, row.comparator_arm_id)
            if arm_id in non_concurrent
        ]
        if controls:
            yield finding_about(
                keys,
                Severity.ERROR,
                "randomized_non_concurrent",
                "comparisons",
                row,
                f"called randomised, but {', '.join(controls)} is a historical or external control",
            )
        elif designs.get(row.trial_id) in _NOT_RANDOMIZED_DESIGNS:
            yield finding_about(
                keys,
                Severity.WARNING,
                "randomized_in_non_randomized_trial",
                "comparisons",
                row,
                f"called randomised in a trial whose design is {designs[row.trial_id]}",
            )


def endpoint_without_result(connection: Connection, keys: RowKeys) -> Iterator[Finding]:
    """An endpoint with neither a result nor a comparison. In a trial with no results at all
    (a registry record not yet posted) that is expected, so only information."""
    endpoints, results, comparisons = table_of(Endpoint), table_of(Result), table_of(Comparison)
    with_facts = {
        row[0]
        for table in (results, comparisons)
        for row in connection.execute(select(table.c.endpoint_id).distinct())
    }
    trials_with_results = {
        row[0] for row in connection.execute(select(results.c.trial_id).distinct())
    }
    for row in connection.execute(select(endpoints).order_by(endpoints.c.id)):
        if row.id in with_facts:
            continue
        if row.trial_id in trials_with_results:
            severity, message = Severity.WARNING, "endpoint has no result and no comparison"
        else:
            severity, message = Severity.INFO, "endpoint has no result; the trial has none yet"
        yield finding_about(keys, severity, "endpoint_without_result", "endpoints", row, message)
