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


def upgrade() -> None:
    with op.batch_alter_table("adverse_events") as batch_op:
        for column in ("participants_affected", "participants_at_risk", "event_count"):
            batch_op.add_column(
                _text(f"{column}_raw", f"The registry's text of {column} when it broke a rule.")
            )

    _add_parent_columns()

    with op.batch_alter_table("comparisons") as batch_op:
        batch_op.add_column(
            sa.Column(
                "direction_basis",
                _enum("direction_basis", DIRECTION_BASES),
                nullable=True,
                comment="How the arm of interest was told from the comparator: stated (the"
                " analysis's text), arm_roles, arm_data (the only orientation the arms' results"
                " allow), unknown.",
            )
        )
        batch_op.add_column(
            _text("measure_detail", "The registry's own text for the measure (its parameter type).")
        )
        batch_op.add_column(
            _text("description", "What the analysis is of (the registry's groupDescription).")
        )
        batch_op.add_column(_text("statistical_comment", "The registry's statistical comment."))
        batch_op.add_column(_text("estimate_comment", "The registry's comment on the estimate."))
        batch_op.add_column(
            _text(
                "non_inferiority_type",
                "superiority, non_inferiority, equivalence, ... as the registry codes it.",
            )
        )
        batch_op.add_column(
            _text(
                "non_inferiority_comment", "The registry's comment on the non-inferiority margin."
            )
        )
        batch_op.add_column(
            sa.Column(
                "ci_sides",
                sa.Integer(),
                nullable=True,
                comment="Sides of the confidence interval: 1 or 2.",
            )
        )
        batch_op.add_column(
            sa.Column(
                "dispersion_type",
                _enum("dispersion_type", NEW_SPREADS),
                nullable=True,
                comment="Kind of the estimate's dispersion.",
            )
        )
        batch_op.add_column(
            sa.Column(
                "dispersion_value",
                sa.Double(),
                nullable=True,
                comment="The estimate's SE or SD.",
            )
        )
        for column, what in (
            ("value", "the estimate"),
            ("ci_lower", "the lower limit"),
            ("ci_upper", "the upper limit"),
        ):
            batch_op.add_column(
                _text(
                    f"{column}_raw",
                    f"The registry's text of {what} when it did not parse or broke a rule.",
                )
            )
        batch_op.add_column(
            _text(
                "p_value_raw",
                "The registry's text of the p-value when it did not parse, broke a rule or had"
                " a modifier ('=0.247', '< .001').",
            )
        )
        batch_op.alter_column(
            "measure",
            existing_type=sa.VARCHAR(length=22),
            type_=sa.VARCHAR(length=29),
            existing_nullable=False,
        )
        _replace_check(batch_op, "comparisons", "comparison_measure", _in("measure", NEW_MEASURES))
        _replace_check(
            batch_op, "comparisons", "p_value_qualifier", _in("p_value_qualifier", NEW_QUALIFIERS)
        )
        _replace_check(batch_op, "comparisons", "ratio_positive", _ratio_positive(NEW_RATIOS))
        batch_op.create_check_constraint(
            op.f("ck_comparisons_ci_sides_one_or_two"), "ci_sides IN (1, 2)"
        )
        batch_op.create_check_constraint(
            op.f("ck_comparisons_dispersion_value_non_negative"), "dispersion_value >= 0"
        )

    with op.batch_alter_table("results") as batch_op:
        batch_op.add_column(
            sa.Column(
                "parameter_type",
                _enum("parameter_type", PARAMETER_TYPES),
                nullable=True,
                comment="What the value is: mean, least_squares_mean, geometric_mean, median, ...",
            )
        )
        batch_op.add_column(
            sa.Column(
                "units_analyzed",
                sa.Integer(),
                nullable=True,
                comment="Units analysed when they are not participants (eyes, lesions, ...).",
            )
        )
        batch_op.add_column(_text("analysis_unit", "What units_analyzed counts."))
        for column, what in (
            ("value", "the value"),
            ("spread", "the spread"),
            ("lower_limit", "the lower limit"),
            ("upper_limit", "the upper limit"),
        ):
            batch_op.add_column(
                _text(
                    f"{column}_raw",
                    f"The registry's text of {what} when it did not parse or broke a rule.",
                )
            )
        batch_op.alter_column(
            "spread_type",
            existing_type=sa.VARCHAR(length=19),
            type_=sa.VARCHAR(length=34),
            existing_nullable=True,
        )
        _replace_check(batch_op, "results", "spread_type", _in("spread_type", NEW_SPREADS))
        _replace_check(
            batch_op, "results", "value_qualifier", _in("value_qualifier", NEW_QUALIFIERS)
        )
        batch_op.create_check_constraint(
            op.f("ck_results_units_analyzed_non_negative"), "units_analyzed >= 0"
        )


def downgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.drop_constraint(op.f("ck_results_units_analyzed_non_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_results_parameter_type"), type_="check")
        _replace_check(
            batch_op, "results", "value_qualifier", _in("value_qualifier", OLD_QUALIFIERS)
        )
        _replace_check(batch_op, "results", "spread_type", _in("spread_type", OLD_SPREADS))
        batch_op.alter_column(
            "spread_type",
            existing_type=sa.VARCHAR(length=34),
            type_=sa.VARCHAR(length=19),
            existing_nullable=True,
        )
        for column in (
            "upper_limit_raw",
            "lower_limit_raw",
            "spread_raw",
            "value_raw",
            "analysis_unit",
            "units_analyzed",
            "parameter_type",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("comparisons") as batch_op:
        batch_op.drop_constraint(
            op.f("ck_comparisons_dispersion_value_non_negative"), type_="check"
        )
        batch_op.drop_constraint(op.f("ck_comparisons_ci_sides_one_or_two"), type_="check")
        batch_op.drop_constraint(op.f("ck_comparisons_direction_basis"), type_="check")
        batch_op.drop_constraint(op.f("ck_comparisons_dispersion_type"), type_="check")
        _replace_check(batch_op, "comparisons", "ratio_positive", _ratio_positive(OLD_RATIOS))
        _replace_check(
            batch_op, "comparisons", "p_value_qualifier", _in("p_value_qualifier", OLD_QUALIFIERS)
        )
        _replace_check(batch_op, "comparisons", "comparison_measure", _in("measure", OLD_MEASURES))
        batch_op.alter_column(
            "measure",
            existing_type=sa.VARCHAR(length=29),
            type_=sa.VARCHAR(length=22),
            existing_nullable=False,
        )
        for column in (
            "p_value_raw",
            "ci_upper_raw",
            "ci_lower_raw",
            "value_raw",
            "dispersion_value",
            "dispersion_type",
            "ci_sides",
            "non_inferiority_comment",
            "non_inferiority_type",
            "estimate_comment",
            "statistical_comment",
            "description",
            "measure_detail",
            "direction_basis",
        ):
            batch_op.drop_column(column)

    _drop_parent_columns()

    with op.batch_alter_table("adverse_events") as batch_op:
        for column in ("event_count_raw", "participants_at_risk_raw", "participants_affected_raw"):
            batch_op.drop_column(column)


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
