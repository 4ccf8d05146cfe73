"""registry meaning: raw values, direction, context, arm matching

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

ClinicalTrials.gov records are imported for what they mean and as the registry wrote them:

- the registry's text of a value that did not parse or broke a rule (`*_raw` beside results,
  comparisons and adverse-event counts), the parsed column NULL when the value is impossible;
- how the arm of interest of a comparison was determined (`comparisons.direction_basis`) and
  how a results group was bound to a protocol arm (`arms.match_basis`);
- the analysis's context in columns (description, comments, non-inferiority, CI sides, the
  estimate's dispersion, the registry's parameter text `measure_detail`), the measurement's
  parameter type, units analysed other than participants, the results time frame and the
  analysis population of an endpoint;
- finer vocabularies: measures (least-squares mean difference, geometric mean ratio, mean
  ratio, rate ratio), spreads (coefficient of variation, geometric CV), and '=' among the
  qualifiers of a p-value. The new ratio measures must be positive like the old ones.

Enum CHECKs are dropped and created again by name: Alembic does not compare CHECKs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_MEASURES = (
    "hazard_ratio",
    "risk_ratio",
    "odds_ratio",
    "risk_difference",
    "mean_difference",
    "median_difference",
    "rate_difference",
    "number_needed_to_treat",
    "other",
)
NEW_MEASURES = (
    *OLD_MEASURES[:-1],
    "least_squares_mean_difference",
    "geometric_mean_ratio",
    "mean_ratio",
    "rate_ratio",
    "other",
)
OLD_RATIOS = ("hazard_ratio", "odds_ratio", "risk_ratio")
NEW_RATIOS = (
    "geometric_mean_ratio",
    "hazard_ratio",
    "mean_ratio",
    "odds_ratio",
    "rate_ratio",
    "risk_ratio",
)
OLD_QUALIFIERS = ("<", "<=", ">", ">=", "not_reached")
NEW_QUALIFIERS = (*OLD_QUALIFIERS, "=")
OLD_SPREADS = ("standard_deviation", "standard_error", "interquartile_range", "full_range", "other")
NEW_SPREADS = (
    *OLD_SPREADS[:-1],
    "coefficient_of_variation",
    "geometric_coefficient_of_variation",
    "other",
)
DIRECTION_BASES = ("stated", "arm_roles", "arm_data", "unknown")
MATCH_BASES = ("title", "description", "interventions", "group_id", "none")
PARAMETER_TYPES = (
    "mean",
    "least_squares_mean",
    "geometric_mean",
    "geometric_least_squares_mean",
    "log_mean",
    "median",
    "number",
    "count_of_participants",
    "count_of_units",
    "other",
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _ratio_positive(ratios: Sequence[str]) -> str:
    return (
        "measure NOT IN ("
        + ", ".join(f"'{ratio}'" for ratio in ratios)
        + ") OR ((value IS NULL OR value > 0) AND (ci_lower IS NULL OR ci_lower >= 0))"
    )


def _enum(name: str, values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


def _text(name: str, comment: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Text(), nullable=True, comment=comment)


def _replace_check(batch_op: object, table: str, name: str, condition: str) -> None:
    batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")  # type: ignore[attr-defined]
    batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)  # type: ignore[attr-defined]


def _comparison_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    columns = [
        sa.Column(
            "direction_basis",
            _enum("direction_basis", DIRECTION_BASES),
            nullable=True,
            comment="How the arm of interest was told from the comparator: stated (the"
            " analysis's text), arm_roles, arm_data (the only orientation the arms' results"
            " allow), unknown.",
        ),
        _text("measure_detail", "The registry's own text for the measure (its parameter type)."),
        _text("description", "What the analysis is of (the registry's groupDescription)."),
        _text("statistical_comment", "The registry's statistical comment."),
        _text("estimate_comment", "The registry's comment on the estimate."),
        _text(
            "non_inferiority_type",
            "superiority, non_inferiority, equivalence, ... as the registry codes it.",
        ),
        _text("non_inferiority_comment", "The registry's comment on the non-inferiority margin."),
        sa.Column(
            "ci_sides",
            sa.Integer(),
            nullable=True,
            comment="Sides of the confidence interval: 1 or 2.",
        ),
        sa.Column(
            "dispersion_type",
            _enum("dispersion_type", NEW_SPREADS),
            nullable=True,
            comment="Kind of the estimate's dispersion.",
        ),
        sa.Column(
            "dispersion_value", sa.Double(), nullable=True, comment="The estimate's SE or SD."
        ),
    ]
    for column, what in (
        ("value", "the estimate"),
        ("ci_lower", "the lower limit"),
        ("ci_upper", "the upper limit"),
    ):
        columns.append(
            _text(
                f"{column}_raw",
                f"The registry's text of {what} when it did not parse or broke a rule.",
            )
        )
    columns.append(
        _text(
            "p_value_raw",
            "The registry's text of the p-value when it did not parse, broke a rule or had"
            " a modifier ('=0.247', '< .001').",
        )
    )
    return columns


def _result_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    columns = [
        sa.Column(
            "parameter_type",
            _enum("parameter_type", PARAMETER_TYPES),
            nullable=True,
            comment="What the value is: mean, least_squares_mean, geometric_mean, median, ...",
        ),
        sa.Column(
            "units_analyzed",
            sa.Integer(),
            nullable=True,
            comment="Units analysed when they are not participants (eyes, lesions, ...).",
        ),
        _text("analysis_unit", "What units_analyzed counts."),
    ]
    for column, what in (
        ("value", "the value"),
        ("spread", "the spread"),
        ("lower_limit", "the lower limit"),
        ("upper_limit", "the upper limit"),
    ):
        columns.append(
            _text(
                f"{column}_raw",
                f"The registry's text of {what} when it did not parse or broke a rule.",
            )
        )
    return columns


def _comparison_checks(new: bool) -> dict[str, str]:
    """The CHECKs this revision replaces, as they are after it (new) or before it."""
    return {
        "comparison_measure": _in("measure", NEW_MEASURES if new else OLD_MEASURES),
        "p_value_qualifier": _in("p_value_qualifier", NEW_QUALIFIERS if new else OLD_QUALIFIERS),
        "ratio_positive": _ratio_positive(NEW_RATIOS if new else OLD_RATIOS),
    }


def _result_checks(new: bool) -> dict[str, str]:
    return {
        "spread_type": _in("spread_type", NEW_SPREADS if new else OLD_SPREADS),
        "value_qualifier": _in("value_qualifier", NEW_QUALIFIERS if new else OLD_QUALIFIERS),
    }


COMPARISON_NEW_CHECKS = {
    "ci_sides_one_or_two": "ci_sides IN (1, 2)",
    "dispersion_value_non_negative": "dispersion_value >= 0",
}
RESULT_NEW_CHECKS = {"units_analyzed_non_negative": "units_analyzed >= 0"}
# Columns whose VARCHAR widens to hold the longer names of the new vocabularies.
COMPARISON_WIDTHS = {"measure": (22, 29)}
RESULT_WIDTHS = {"spread_type": (19, 34)}


def upgrade() -> None:
    with op.batch_alter_table("adverse_events") as batch_op:
        for column in ("participants_affected", "participants_at_risk", "event_count"):
            batch_op.add_column(
                _text(f"{column}_raw", f"The registry's text of {column} when it broke a rule.")
            )

    _add_parent_columns()
    if op.get_bind().dialect.name == "sqlite":
        _rewrite_on_sqlite(
            "comparisons",
            add=_comparison_columns(),
            checks={**_comparison_checks(new=True), **COMPARISON_NEW_CHECKS},
            widths={name: new for name, (_, new) in COMPARISON_WIDTHS.items()},
        )
        _rewrite_on_sqlite(
            "results",
            add=_result_columns(),
            checks={**_result_checks(new=True), **RESULT_NEW_CHECKS},
            widths={name: new for name, (_, new) in RESULT_WIDTHS.items()},
        )
        return

    with op.batch_alter_table("comparisons") as batch_op:
        for column in _comparison_columns():
            batch_op.add_column(column)
        for name, (old, new) in COMPARISON_WIDTHS.items():
            batch_op.alter_column(
                name,
                existing_type=sa.VARCHAR(length=old),
                type_=sa.VARCHAR(length=new),
                existing_nullable=False,
            )
        for name, condition in _comparison_checks(new=True).items():
            _replace_check(batch_op, "comparisons", name, condition)
        for name, condition in COMPARISON_NEW_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_comparisons_{name}"), condition)

    with op.batch_alter_table("results") as batch_op:
        for column in _result_columns():
            batch_op.add_column(column)
        for name, (old, new) in RESULT_WIDTHS.items():
            batch_op.alter_column(
                name,
                existing_type=sa.VARCHAR(length=old),
                type_=sa.VARCHAR(length=new),
                existing_nullable=True,
            )
        for name, condition in _result_checks(new=True).items():
            _replace_check(batch_op, "results", name, condition)
        for name, condition in RESULT_NEW_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_results_{name}"), condition)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rewrite_on_sqlite(
            "results",
            drop=_result_columns(),
            remove=list(RESULT_NEW_CHECKS),
            checks=_result_checks(new=False),
            widths={name: old for name, (old, _) in RESULT_WIDTHS.items()},
        )
        _rewrite_on_sqlite(
            "comparisons",
            drop=_comparison_columns(),
            remove=list(COMPARISON_NEW_CHECKS),
            checks=_comparison_checks(new=False),
            widths={name: old for name, (old, _) in COMPARISON_WIDTHS.items()},
        )
    else:
        _downgrade_with_batch()

    _drop_parent_columns()

    with op.batch_alter_table("adverse_events") as batch_op:
        for column in ("event_count_raw", "participants_at_risk_raw", "participants_affected_raw"):
            batch_op.drop_column(column)


def _downgrade_with_batch() -> None:
    with op.batch_alter_table("results") as batch_op:
        for name in RESULT_NEW_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_results_{name}"), type_="check")
        batch_op.drop_constraint(op.f("ck_results_parameter_type"), type_="check")
        for name, condition in _result_checks(new=False).items():
            _replace_check(batch_op, "results", name, condition)
        for name, (old, new) in RESULT_WIDTHS.items():
            batch_op.alter_column(
                name,
                existing_type=sa.VARCHAR(length=new),
                type_=sa.VARCHAR(length=old),
                existing_nullable=True,
            )
        for column in reversed(_result_columns()):
            batch_op.drop_column(column.name)

    with op.batch_alter_table("comparisons") as batch_op:
        for name in COMPARISON_NEW_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_comparisons_{name}"), type_="check")
        batch_op.drop_constraint(op.f("ck_comparisons_direction_basis"), type_="check")
        batch_op.drop_constraint(op.f("ck_comparisons_dispersion_type"), type_="check")
        for name, condition in _comparison_checks(new=False).items():
            _replace_check(batch_op, "comparisons", name, condition)
        for name, (old, new) in COMPARISON_WIDTHS.items():
            batch_op.alter_column(
                name,
                existing_type=sa.VARCHAR(length=new),
                type_=sa.VARCHAR(length=old),
                existing_nullable=False,
            )
        for column in reversed(_comparison_columns()):
            batch_op.drop_column(column.name)


def _split_definitions(create: str) -> tuple[str, list[str]]:
    """The head of a stored CREATE TABLE ('CREATE TABLE results') and its definitions, split
    on the commas outside parentheses and quotes."""
    head, body = (
        create[: create.index("(")].strip(),
        create[create.index("(") + 1 : create.rindex(")")],
    )
    definitions, depth, quoted, current = [], 0, False, []
    for char in body:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            definitions.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    definitions.append("".join(current).strip())
    return head, [definition for definition in definitions if definition]


def _rewrite_on_sqlite(
    table: str,
    *,
    checks: dict[str, str],
    widths: dict[str, int],
    add: Sequence[sa.Column] = (),  # type: ignore[type-arg]
    drop: Sequence[sa.Column] = (),  # type: ignore[type-arg]
    remove: Sequence[str] = (),
) -> None:
    """SQLite changes a CHECK or a column's type only by copying the table. The copy's CREATE
    TABLE is the stored one edited: columns added or dropped, the named CHECKs written anew
    (or removed, with the columns they check), widths changed. Batch mode would rebuild it
    from reflection, listing the constraints in the order of a Python set, so that the same
    migration run in two processes gave two different schema texts (and a crash test could
    not tell a half-migrated database from a whole one). Nothing references results or
    comparisons, so dropping the old table with foreign keys on deletes no other rows."""
    bind = op.get_bind()
    create = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table},
    ).scalar_one()
    indexes = (
        bind.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :name"
                " AND sql IS NOT NULL ORDER BY name"
            ),
            {"name": table},
        )
        .scalars()
        .all()
    )
    head, definitions = _split_definitions(create)
    dropped = {column.name for column in drop}
    dropped_checks = {f"ck_{table}_{name}" for name in remove} | {
        f"ck_{table}_{column.type.name}" for column in drop if isinstance(column.type, sa.Enum)
    }
    written = {f"ck_{table}_{name}" for name in checks}
    columns, constraints = [], []
    for definition in definitions:
        words = definition.split()
        if words[0] != "CONSTRAINT":
            if words[0] in dropped:
                continue
            if words[0] in widths:
                definition = re.sub(r"VARCHAR\(\d+\)", f"VARCHAR({widths[words[0]]})", definition)
            columns.append(definition)
        elif words[1] not in written | dropped_checks:
            constraints.append(definition)
    kept = [definition.split()[0] for definition in columns]
    for column in add:
        columns.append(f"{column.name} {column.type.compile(dialect=bind.dialect)}")
        if isinstance(column.type, sa.Enum):
            name = f"ck_{table}_{column.type.name}"
            constraints.append(f"CONSTRAINT {name} CHECK ({_in(column.name, column.type.enums)})")
    constraints.extend(
        f"CONSTRAINT ck_{table}_{name} CHECK ({sql})" for name, sql in checks.items()
    )
    new = f"_{table}_new"
    op.execute(
        head.replace(table, new, 1) + " (\n\t" + ", \n\t".join(columns + constraints) + "\n)"
    )
    listed = ", ".join(f'"{column}"' for column in kept)
    op.execute(f"INSERT INTO {new} ({listed}) SELECT {listed} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {new} RENAME TO {table}")
    for index in indexes:
        op.execute(index)


# Arms and endpoints are parents: results, comparisons and adverse events reference them with
# ON DELETE CASCADE. On SQLite a batch operation copies a table and drops the old one, and with
# foreign keys on (as evidencedb's connections have them) that DROP deletes every child row.
# Their new columns are added and dropped in place instead: ALTER TABLE ... ADD / DROP COLUMN,
# with the enum's CHECK as a column constraint.
MATCH_BASIS_COMMENT = (
    "How a registry results group was bound to this arm: title, description, interventions,"
    " group_id, or none (a results-only arm)."
)
ENDPOINT_COLUMNS = (
    (
        "results_time_frame",
        "The time frame the results give, when it differs from the planned one.",
    ),
    ("population", "The analysis population, in words."),
)


def _add_parent_columns() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE arms ADD COLUMN match_basis VARCHAR(13) CONSTRAINT ck_arms_match_basis"
            f" CHECK ({_in('match_basis', MATCH_BASES)})"
        )
        for name, _ in ENDPOINT_COLUMNS:
            op.execute(f"ALTER TABLE endpoints ADD COLUMN {name} TEXT")
        return
    with op.batch_alter_table("arms") as batch_op:
        batch_op.add_column(
            sa.Column(
                "match_basis",
                _enum("match_basis", MATCH_BASES),
                nullable=True,
                comment=MATCH_BASIS_COMMENT,
            )
        )
    with op.batch_alter_table("endpoints") as batch_op:
        for name, comment in ENDPOINT_COLUMNS:
            batch_op.add_column(_text(name, comment))


def _drop_parent_columns() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, _ in reversed(ENDPOINT_COLUMNS):
            op.execute(f"ALTER TABLE endpoints DROP COLUMN {name}")
        op.execute("ALTER TABLE arms DROP COLUMN match_basis")
        return
    with op.batch_alter_table("endpoints") as batch_op:
        for name, _ in reversed(ENDPOINT_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("arms") as batch_op:
        batch_op.drop_constraint(op.f("ck_arms_match_basis"), type_="check")
        batch_op.drop_column("match_basis")
