"""Data-quality checks over a loaded database: findings with severity, the fact and its source.

The database's constraints already refuse what is impossible in one row (a percentage above
100, a numerator above its denominator); these checks find what is wrong across rows or
against the numbers' own arithmetic, and a few one-row rules again for databases written by
something other than our loader or under an older schema.

Severities: `error` for a statement that cannot be true as stored (a pipeline should stop on
it); `warning` for something a curator should look at; `info` for what could not be checked.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, or_, select

from evidencedb.enums import NON_CONCURRENT_ROLES, ComparisonOrigin, SourceKind, TrialDesign
from evidencedb.records.quotes import QUOTE_SEPARATOR, normalise_text, read_document
from evidencedb.store.fact_models import AdverseEvent, Comparison, Result
from evidencedb.store.models import (
    Arm,
    ArmIntervention,
    Endpoint,
    Intervention,
    Source,
    Trial,
    TrialIdentifier,
    table_of,
)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_NOT_RANDOMIZED_DESIGNS = frozenset(
    {TrialDesign.SINGLE_ARM, TrialDesign.NON_RANDOMIZED, TrialDesign.OBSERVATIONAL}
)


@dataclass(frozen=True)
class Finding:
    """One data-quality finding. `row` is the natural key of the row it is about, written as
    trial/endpoint/arm and the like; `source` and `quote` are the fact's provenance."""

    severity: Severity
    check: str
    table: str
    row: str
    message: str
    source: str | None = None
    quote: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value}

    @property
    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (_RANK[self.severity], self.check, self.table, self.row, self.message)


FINDING_COLUMNS = ("severity", "check", "table", "row", "message", "source", "quote")


def run_checks(connection: Connection, documents_root: Path | None = None) -> list[Finding]:
    """Every finding in the database, errors first.

    `documents_root` is the folder that the sources' `document` paths are relative to (the
    seed files' folder); without it quotes are not checked against documents.
    """
    keys = _Keys(connection)
    findings: list[Finding] = []
    for check in _CHECKS:
        findings.extend(check(connection, keys))
    if documents_root is not None:
        findings.extend(_quotes_not_in_documents(connection, keys, documents_root))
    return sorted(findings, key=lambda finding: finding.sort_key)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(finding.severity == Severity.ERROR for finding in findings)


# --------------------------------------------------------------------------------------------
# Natural keys of rows, for people to find them again.


class _Keys:
    """Keys of the parent rows, by id, so that each finding can name its row."""

    def __init__(self, connection: Connection) -> None:
        def by_id(table: Table, column: str) -> dict[int, str]:
            rows = connection.execute(select(table.c.id, table.c[column]))
            return {row[0]: row[1] for row in rows}

        self.trials: dict[int, str] = by_id(table_of(Trial), "key")
        self.sources: dict[int, str] = by_id(table_of(Source), "key")
        self.interventions: dict[int, str] = by_id(table_of(Intervention), "key")
        self.arms: dict[int, str] = by_id(table_of(Arm), "key")
        self.endpoints: dict[int, str] = by_id(table_of(Endpoint), "key")

    def row(self, table: str, row: Any) -> str:
        """The natural key of `row` of `table` (without its source, shown beside it)."""
        m = row._mapping
        if table in ("trials", "interventions"):
            return str(m["key"])
        if table == "trial_identifiers":
            return f"{self.trials[m['trial_id']]}/{m['registry']}:{m['value']}"
        trial = self.trials[m["trial_id"]]
        if table in ("arms", "endpoints"):
            return f"{trial}/{m['key']}"
        if table == "arm_interventions":
            return f"{trial}/{self.arms[m['arm_id']]}/{self.interventions[m['intervention_id']]}"
        if table == "results":
            extra = _qualifiers(subgroup=m["subgroup"], category=m["category"])
            return f"{trial}/{self.endpoints[m['endpoint_id']]}/{self.arms[m['arm_id']]}{extra}"
        if table == "comparisons":
            comparator = m["comparator_arm_id"]
            versus = f" vs {self.arms[comparator]}" if comparator is not None else ""
            extra = _qualifiers(label=m["label"])
            return (
                f"{trial}/{self.endpoints[m['endpoint_id']]}/{self.arms[m['arm_id']]}{versus}"
                f"/{m['measure']} ({m['origin']}){extra}"
            )
        if table == "adverse_events":
            extra = _qualifiers(
                organ_system=m["organ_system"], category=m["category"], grade=m["grade"]
            )
            return f"{trial}/{self.arms[m['arm_id']]}/{m['term']}{extra}"
        raise ValueError(f"no natural key for table {table!r}")  # a bug: a table was added

    def source(self, row: Any) -> str | None:
        source_id = row._mapping["source_id"]
        return None if source_id is None else self.sources[source_id]


def _qualifiers(**parts: Any) -> str:
    given = [f"{name}={value}" for name, value in parts.items() if value]
    return f" [{', '.join(given)}]" if given else ""


def _finding(
    keys: _Keys,
    severity: Severity,
    check: str,
    table: str,
    row: Any,
    message: str,
) -> Finding:
    return Finding(
        severity, check, table, keys.row(table, row), message, keys.source(row), row.quote
    )


# --------------------------------------------------------------------------------------------
# The checks. Each takes the connection and the keys and yields findings.

Check = Callable[[Connection, _Keys], Iterable[Finding]]


def _percentage_mismatch(connection: Connection, keys: _Keys) -> Iterator[Finding]:
    """A percentage that is not its numerator over its denominator, beyond rounding."""
    table = table_of(Result)
    rows = connection.execute(
        select(table).where(
            table.c.unit == "%",
            table.c.value.is_not(None),
            table.c.value_qualifier.is_(None),
            table.c.numerator.is_not(None),
            table.c.denominator > 0,
        )
    )
    for row in rows:
        exact = 100.0 * row.numerator / row.denominator
        # One unit in the last decimal the value was reported with: 81.6 may stand for any of
        # 81.55..81.65 when rounded, or 81.6..81.7 when truncated, as some reports do.
        tolerance = 10.0 ** -_decimals(row.value) + 1e-9
        if abs(row.value - exact) > tolerance:
            yield _finding(
                keys,
                Severity.ERROR,
                "percentage_mismatch",
                "results",
                row,
                f"{_number(row.value)}% is not {row.numerator}/{row.denominator} = {exact:.2f}%",
            )


def _ci_excludes_estimate(connection: Connection, keys: _Keys) -> Iterator[Finding]:
    """A confidence interval that does not contain its own estimate."""
    for model, name in ((Result, "results"), (Comparison, "comparisons")):
        table = table_of(model)
        condition = [
            table.c.value.is_not(None),
            table.c.ci_lower.is_not(None),
            table.c.ci_upper.is_not(None),
        ]
        if "value_qualifier" in table.c:
            condition.append(table.c.value_qualifier.is_(None))
        for row in connection.execute(select(table).where(*condition)):
            slack = 1e-9 * max(1.0, abs(row.value))  # binary noise, not a reporting error
            if not row.ci_lower - slack <= row.value <= row.ci_upper + slack:
                yield _finding(
                    keys,
                    Severity.ERROR,
                    "ci_excludes_estimate",
                    name,
                    row,
                    f"estimate {_number(row.value)} is outside its CI "
                    f"{_number(row.ci_lower)} to {_number(row.ci_upper)}",
                )


def _affected_exceeds_at_risk(connection: Connection, keys: _Keys) -> Iterator[Finding]:
    """More participants with an adverse event than at risk of it. The schema refuses this;
    the check stands for databases written without that constraint."""
    table = table_of(AdverseEvent)
    rows = connection.execute(
        select(table).where(table.c.participants_affected > table.c.participants_at_risk)
    )
    for row in rows:
        yield _finding(
            keys,
            Severity.ERROR,
            "affected_exceeds_at_risk",
            "adverse_events",
            row,
            f"{row.participants_affected} affected but only {row.participants_at_risk} at risk",
        )


def _exceeds_arm_size(connection: Connection, keys: _Keys) -> Iterator[Finding]:
    """A count of participants above the number enrolled in the arm."""
    arms = table_of(Arm)
    for row in connection.execute(select(arms).where(arms.c.n_analyzed > arms.c.n_enrolled)):
        yield _finding(
            keys,
            Severity.WARNING,
            "exceeds_arm_size",
            "arms",
            row,
            f"n_analyzed {row.n_analyzed} is above n_enrolled {row.n_enrolled}",
        )
    checked: list[tuple[str, Table, tuple[str, ...]]] = [
        ("results", table_of(Result), ("denominator", "n_analyzed")),
        ("adverse_events", table_of(AdverseEvent), ("participants_at_risk",)),
    ]
    for name, table, columns in checked:
        statement = (
            select(table, arms.c.n_enrolled.label("arm_n_enrolled"))
            .join(arms, arms.c.id == table.c.arm_id)
            .where(or_(*(table.c[column] > arms.c.n_enrolled for column in columns)))
        )
        for row in connection.execute(statement):
            for column in columns:
                count = row._mapping[column]
                if count is not None and count > row.arm_n_enrolled:
                    yield _finding(
                        keys,
                        Severity.WARNING,
                        "exceeds_arm_size",
                        name,
                        row,
                        f"{column} {count} is above the arm's n_enrolled {row.arm_n_enrolled}",
                    )


def _arm_size_disagrees(connection: Connection, keys: _Keys) -> Iterator[Finding]:
    """One arm analysed with different numbers of participants on different endpoints.

    Only whole-arm results count (no subgroup); the categories of one endpoint share it.
    Populations may legitimately differ (evaluable, safety), hence a warning.
    """
    table = table_of(Result)
    rows = connection.execute(
        select(
            table.c.trial_id,
            table.c.arm_id,
            table.c.endpoint_id,
            table.c.denominator,
            table.c.n_analyzed,
            table.c.source_id,
        ).where(table.c.subgroup == "")
    )
    sizes: dict[tuple[int, int], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    sources: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in rows:
        size = row.denominator if row.denominator is not None else row.n_analyzed
        if size is None:
            continue
        arm = (row.trial_id, row.arm_id)
        sizes[arm][size].add(keys.endpoints[row.endpoint_id])
        sources[arm].add(keys.sources[row.source_id])
    for (trial_id, arm_id), by_size in sorted(sizes.items()):
        if len(by_size) < 2:
            continue
        listing = "; ".join(
            f"{size} ({_listing(endpoints)})" for size, endpoints in sorted(by_size.items())
        )
        yield Finding(
            Severity.WARNING,
            "arm_size_disagrees",
            "results",
            f"{keys.trials[trial_id]}/{keys.arms[arm_id]}",
            f"participants analysed differ between endpoints: {listing}",
            ", ".join(sorted(sources[(trial_id, arm_id)])),
        )


def _randomized_claims(connection: Connection, keys: _Keys) -> Iterator[Finding]:
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
            yield _finding(
                keys,
                Severity.ERROR,
                "randomized_non_concurrent",
                "comparisons",
                row,
                f"called randomised, but {', '.join(controls)} is a historical or external control",
            )
        elif designs.get(row.trial_id) in _NOT_RANDOMIZED_DESIGNS:
            yield _finding(
                keys,
                Severity.WARNING,
                "randomized_in_non_randomized_trial",
                "comparisons",
                row,
                f"called randomised in a trial whose design is {designs[row.trial_id]}",
            )


def _endpoint_without_result(connection: Connection, keys: _Keys) -> Iterator[Finding]:
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
        yield _finding(keys, severity, "endpoint_without_result", "endpoints", row, message)


_CHECKS: tuple[Check, ...] = (
    _percentage_mismatch,
    _ci_excludes_estimate,
    _affected_exceeds_at_risk,
    _exceeds_arm_size,
    _arm_size_disagrees,
    _randomized_claims,
    _endpoint_without_result,
)


# --------------------------------------------------------------------------------------------
# Quotes against the text of their documents.

_QUOTED_TABLES: tuple[tuple[str, Table], ...] = (
    ("trials", table_of(Trial)),
    ("trial_identifiers", table_of(TrialIdentifier)),
    ("interventions", table_of(Intervention)),
    ("arms", table_of(Arm)),
    ("arm_interventions", table_of(ArmIntervention)),
    ("endpoints", table_of(Endpoint)),
    ("results", table_of(Result)),
    ("comparisons", table_of(Comparison)),
    ("adverse_events", table_of(AdverseEvent)),
)


def _quotes_not_in_documents(
    connection: Connection, keys: _Keys, documents_root: Path
) -> Iterator[Finding]:
    """A quote that its source's document does not contain (the loader checks this at load
    time; the document may have changed since, or the database was loaded elsewhere). A
    document that is not at hand is reported once, as information."""
    sources = table_of(Source)
    texts: dict[int, str] = {}
    rows = connection.execute(
        select(sources.c.id, sources.c.key, sources.c.document).where(
            sources.c.document.is_not(None), sources.c.kind != SourceKind.REGISTRY_RECORD
        )
    )
    for source_id, key, document in rows:
        path = documents_root / document
        text = read_document(path)
        if text is not None:
            texts[source_id] = text
        else:
            yield Finding(
                Severity.INFO,
                "document_missing",
                "sources",
                key,
                f"document cannot be read at {path}; quotes of this source were not checked",
                key,
            )
    if not texts:
        return
    documented = sources.c.document.is_not(None)
    for name, table in _QUOTED_TABLES:
        statement = select(table).join(sources, sources.c.id == table.c.source_id).where(documented)
        for row in connection.execute(statement):
            text = texts.get(row.source_id)
            if text is None:
                continue
            for field, quote in _quotes_of(name, row):
                if normalise_text(quote) not in text:
                    where = f" (quote of {field})" if field else ""
                    yield Finding(
                        Severity.ERROR,
                        "quote_not_in_document",
                        name,
                        keys.row(name, row),
                        f"quote not found in the document of source {keys.sources[row.source_id]}"
                        f"{where}",
                        keys.sources[row.source_id],
                        quote,
                    )


def _quotes_of(table: str, row: Any) -> Iterator[tuple[str, str]]:
    """(field, quote) of a row: its own quote ('' as field) and its per-field quotes. A
    derived comparison's quote joins the quotes of the results it came from."""
    mapping = row._mapping
    quote = mapping["quote"]
    if quote:
        if table == "comparisons" and mapping["origin"] == ComparisonOrigin.DERIVED:
            for part in quote.split(QUOTE_SEPARATOR):
                yield "", part
        else:
            yield "", quote
    for field, field_quote in sorted((mapping.get("field_quotes") or {}).items()):
        if isinstance(field_quote, str):
            yield field, field_quote


# --------------------------------------------------------------------------------------------


def _decimals(value: float) -> int:
    """Decimal places a value was written with: 81.6 -> 1, 93.0 -> 0, 33.33 -> 2."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        return 0
    fraction = text.partition(".")[2].rstrip("0")
    return len(fraction)


def _number(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) and value == int(value) else f"{value:.4g}"


def _listing(names: Iterable[str], limit: int = 5) -> str:
    ordered = sorted(names)
    shown = ", ".join(ordered[:limit])
    return shown if len(ordered) <= limit else f"{shown} and {len(ordered) - limit} more"
