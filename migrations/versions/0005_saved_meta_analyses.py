"""saved meta-analyses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Two tables for the saved analyses of seeds/analyses/*.yaml (issue #17): `meta_analyses`, the
question, model and last results of each, and `meta_analysis_studies`, each study's effect
size, weight or reason for leaving it out, and the facts it came from. Both are rewritten on
every load.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meta_analyses",
        sa.Column("id", sa.Integer(), nullable=False, comment="Surrogate primary key."),
        sa.Column("key", sa.Text(), nullable=False, comment="Natural key, stable across loads."),
        sa.Column("title", sa.Text(), nullable=False, comment="What the analysis asks, in a line."),
        sa.Column("population", sa.Text(), nullable=True, comment="Question: the population."),
        sa.Column("intervention", sa.Text(), nullable=True, comment="Question: the intervention."),
        sa.Column("comparator", sa.Text(), nullable=True, comment="Question: the comparator."),
        sa.Column("outcome", sa.Text(), nullable=True, comment="Question: the outcome."),
        sa.Column(
            "measure",
            sa.Enum(
                "risk_ratio",
                "odds_ratio",
                "risk_difference",
                "mean_difference",
                "standardized_mean_difference",
                "hazard_ratio",
                name="meta_measure",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
            comment="Effect measure pooled.",
        ),
        sa.Column(
            "method",
            sa.Enum(
                "FE",
                "MH",
                "PETO",
                "DL",
                "REML",
                "ML",
                "PM",
                "HE",
                "SJ",
                "EB",
                name="meta_method",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
            comment="FE, MH, PETO or a τ² estimator.",
        ),
        sa.Column(
            "hksj",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
            comment="Hartung-Knapp-Sidik-Jonkman adjustment.",
        ),
        sa.Column(
            "zero_cell_add",
            sa.Double(),
            server_default="0.5",
            nullable=False,
            comment="Added to the cells of a study with a zero cell.",
        ),
        sa.Column(
            "include_double_zero",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
            comment="Whether double-zero studies enter ratios.",
        ),
        sa.Column("k", sa.Integer(), server_default="0", nullable=False, comment="Studies pooled."),
        sa.Column(
            "estimate",
            sa.Double(),
            nullable=True,
            comment="Pooled estimate (ratio scale for ratios).",
        ),
        sa.Column("ci_lower", sa.Double(), nullable=True, comment="Lower 95% confidence limit."),
        sa.Column("ci_upper", sa.Double(), nullable=True, comment="Upper 95% confidence limit."),
        sa.Column("pi_lower", sa.Double(), nullable=True, comment="Lower 95% prediction limit."),
        sa.Column("pi_upper", sa.Double(), nullable=True, comment="Upper 95% prediction limit."),
        sa.Column(
            "log_estimate", sa.Double(), nullable=True, comment="Pooled log ratio (ratios only)."
        ),
        sa.Column("se", sa.Double(), nullable=True, comment="SE on the scale of pooling."),
        sa.Column("p_value", sa.Double(), nullable=True, comment="p-value of the overall effect."),
        sa.Column("tau2", sa.Double(), nullable=True, comment="Between-study variance τ²."),
        sa.Column(
            "tau2_ci_lower", sa.Double(), nullable=True, comment="Q-profile lower limit of τ²."
        ),
        sa.Column(
            "tau2_ci_upper", sa.Double(), nullable=True, comment="Q-profile upper limit of τ²."
        ),
        sa.Column("i2", sa.Double(), nullable=True, comment="I² (percent)."),
        sa.Column("h2", sa.Double(), nullable=True, comment="H²."),
        sa.Column("q", sa.Double(), nullable=True, comment="Cochran's Q."),
        sa.Column("q_df", sa.Integer(), nullable=True, comment="Degrees of freedom of Q."),
        sa.Column("q_p_value", sa.Double(), nullable=True, comment="p-value of Q."),
        sa.Column("file", sa.Text(), nullable=True, comment="Seed file that defines the analysis."),
        sa.Column(
            "studies_definition",
            sa.JSON(),
            nullable=False,
            comment="The studies the file names, in order: [{trial, endpoint}].",
        ),
        sa.CheckConstraint(
            "ci_lower IS NULL OR ci_upper IS NULL OR ci_lower <= ci_upper",
            name=op.f("ck_meta_analyses_ci_ordered"),
        ),
        sa.CheckConstraint(
            "i2 IS NULL OR (i2 >= 0 AND i2 <= 100)", name=op.f("ck_meta_analyses_i2_percentage")
        ),
        sa.CheckConstraint("k >= 0", name=op.f("ck_meta_analyses_k_non_negative")),
        sa.CheckConstraint(
            "p_value IS NULL OR (p_value >= 0 AND p_value <= 1)",
            name=op.f("ck_meta_analyses_p_value_probability"),
        ),
        sa.CheckConstraint(
            "tau2 IS NULL OR tau2 >= 0", name=op.f("ck_meta_analyses_tau2_non_negative")
        ),
        sa.CheckConstraint(
            "zero_cell_add >= 0", name=op.f("ck_meta_analyses_zero_cell_add_non_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meta_analyses")),
        sa.UniqueConstraint("key", name=op.f("uq_meta_analyses_key")),
    )
    op.create_table(
        "meta_analysis_studies",
        sa.Column("id", sa.Integer(), nullable=False, comment="Surrogate primary key."),
        sa.Column("meta_analysis_id", sa.Integer(), nullable=False, comment="The analysis."),
        sa.Column(
            "position", sa.Integer(), nullable=False, comment="Order of the study in the seed file."
        ),
        sa.Column("trial_key", sa.Text(), nullable=False, comment="Trial of the study (its key)."),
        sa.Column(
            "endpoint_key",
            sa.Text(),
            nullable=False,
            comment="The trial's endpoint the analysis uses.",
        ),
        sa.Column("arm_key", sa.Text(), nullable=True, comment="Experimental arm."),
        sa.Column("comparator_arm_key", sa.Text(), nullable=True, comment="Comparator arm."),
        sa.Column("yi", sa.Double(), nullable=True, comment="Effect size on the scale of pooling."),
        sa.Column("vi", sa.Double(), nullable=True, comment="Its sampling variance."),
        sa.Column(
            "weight", sa.Double(), nullable=True, comment="Weight in the pooled estimate (percent)."
        ),
        sa.Column(
            "basis", sa.Text(), nullable=True, comment="What the effect size was computed from."
        ),
        sa.Column("excluded_reason", sa.Text(), nullable=True, comment="Why it was left out."),
        sa.Column(
            "facts",
            sa.JSON(),
            nullable=True,
            comment="The facts used: [{table, id, field, value, source_key}], as JSON.",
        ),
        sa.CheckConstraint(
            "(yi IS NULL) = (excluded_reason IS NOT NULL)",
            name=op.f("ck_meta_analysis_studies_pooled_or_excluded"),
        ),
        sa.CheckConstraint(
            "vi IS NULL OR vi > 0", name=op.f("ck_meta_analysis_studies_vi_positive")
        ),
        sa.CheckConstraint(
            "weight IS NULL OR (weight >= 0 AND weight <= 100)",
            name=op.f("ck_meta_analysis_studies_weight_percentage"),
        ),
        sa.ForeignKeyConstraint(
            ["meta_analysis_id"],
            ["meta_analyses.id"],
            name=op.f("fk_meta_analysis_studies_meta_analysis_id_meta_analyses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meta_analysis_studies")),
        sa.UniqueConstraint(
            "meta_analysis_id",
            "trial_key",
            name=op.f("uq_meta_analysis_studies_meta_analysis_id_trial_key"),
        ),
    )


def downgrade() -> None:
    op.drop_table("meta_analysis_studies")
    op.drop_table("meta_analyses")
