"""Data-quality checks over a loaded database: runs every check, findings sorted, errors first.

The database's constraints already refuse what is impossible in one row (a percentage above
100, a numerator above its denominator); these checks find what is wrong across rows or
against the numbers' own arithmetic, and a few one-row rules again for databases written by
something other than our loader or under an older schema.

Severities: `error` for a statement that cannot be true as stored (a pipeline should stop on
it); `warning` for something a curator should look at; `info` for what could not be checked.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from evidencedb.analysis import (
    design_checks,
    direction,
    flow_checks,
    meta_checks,
    number_checks,
    quote_checks,
    quote_numbers,
    raw_checks,
    reconcile_checks,
)
from evidencedb.analysis.findings import Check, Finding, RowKeys

# Every check over the database alone, in the order they run (the findings are sorted after).
CHECKS: tuple[Check, ...] = (
    number_checks.percentage_mismatch,
    number_checks.ci_excludes_estimate,
    number_checks.affected_exceeds_at_risk,
    number_checks.exceeds_arm_size,
    number_checks.arm_size_disagrees,
    design_checks.randomized_claims,
    design_checks.endpoint_without_result,
    reconcile_checks.registry_disagreements,
    direction.estimate_against_arms,
    raw_checks.impossible_values,
    flow_checks.flow_counts_impossible,
    flow_checks.baseline_count_exceeds_n,
    meta_checks.stale_meta_analysis_inputs,
    quote_numbers.numbers_not_in_quotes,
)


def run_checks(connection: Connection, documents_root: Path | None = None) -> list[Finding]:
    """Every finding in the database, errors first.

    Quotes are checked against each source's document where the loader found it;
    `documents_root` is where to look for documents it did not record (the folder that the
    sources' `document` paths are relative to, for databases loaded by an older evidencedb).
    """
    keys = RowKeys(connection)
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(connection, keys))
    findings.extend(quote_checks.quotes_not_in_documents(connection, keys, documents_root))
    return sorted(findings, key=lambda finding: finding.sort_key)
