"""trial versions and registry links

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

`trial_versions` keeps every imported version of a registry record (status, enrollment,
dates, registered outcomes and arms as JSON), which `evidencedb reconcile` compares.
`arms.registry_match` and `endpoints.registry_match` hold a seed file's explicit map from a
curated arm or endpoint to the registry record's group or outcome it is. Nothing is moved:
existing rows get NULL, and a downgrade drops the table and the two columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trial_versions",
        sa.Column("id", sa.Integer(), nullable=False, comment="Surrogate primary key."),
        sa.Column(
            "trial_id", sa.Integer(), nullable=False, comment="Trial the registry record is of."
        ),
        sa.Column(
            "version_date",
            sa.Text(),
            nullable=False,
            comment="Date of the version (the record's last update), ISO 8601.",
        ),
        sa.Column(
            "source_id",
            sa.Integer(),
            nullable=False,
            comment="The registry record (one source for all of its versions).",
        ),
        sa.Column("status", sa.Text(), nullable=True, comment="Overall status at this version."),
        sa.Column("enrollment", sa.Integer(), nullable=True, comment="Enrollment at this version."),
        sa.Column(
            "enrollment_type",
            sa.Text(),
            nullable=True,
            comment="Whether the enrollment is actual or estimated (the registry's code).",
        ),
        sa.Column("start_date", sa.Text(), nullable=True, comment="Start date at this version."),
        sa.Column(
            "primary_completion_date",
            sa.Text(),
            nullable=True,
            comment="Primary completion date at this version.",
        ),
        sa.Column(
            "completion_date", sa.Text(), nullable=True, comment="Completion date at this version."
        ),
        sa.Column(
            "primary_outcomes",
            sa.JSON(),
            nullable=True,
            comment="Registered primary outcomes: JSON list of {key, title, time_frame, description}.",
        ),
        sa.Column(
            "secondary_outcomes",
            sa.JSON(),
            nullable=True,
            comment="Registered secondary outcomes, as primary_outcomes.",
        ),
        sa.Column(
            "other_outcomes",
            sa.JSON(),
            nullable=True,
            comment="Other pre-specified outcomes, as primary_outcomes.",
        ),
        sa.Column(
            "arm_groups",
            sa.JSON(),
            nullable=True,
            comment="The record's arms: JSON list of {key, title, n_enrolled}.",
        ),
        sa.Column(
            "record_sha256",
            sa.Text(),
            nullable=True,
            comment="SHA-256 of the record's JSON as read.",
        ),
        sa.CheckConstraint(
            "enrollment >= 0", name=op.f("ck_trial_versions_enrollment_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_trial_versions_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"],
            ["trials.id"],
            name=op.f("fk_trial_versions_trial_id_trials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trial_versions")),
        sa.UniqueConstraint(
            "trial_id",
            "version_date",
            "source_id",
            name=op.f("uq_trial_versions_trial_id_version_date_source_id"),
        ),
    )
    with op.batch_alter_table("trial_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trial_versions_source_id"), ["source_id"], unique=False
        )

    with op.batch_alter_table("arms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registry_match",
                sa.Text(),
                nullable=True,
                comment="For a curated arm: the registry record's group it is (its title or key).",
            )
        )

    with op.batch_alter_table("endpoints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registry_match",
                sa.Text(),
                nullable=True,
                comment="For a curated endpoint: the registry record's outcome it is (title or key).",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("endpoints", schema=None) as batch_op:
        batch_op.drop_column("registry_match")

    with op.batch_alter_table("arms", schema=None) as batch_op:
        batch_op.drop_column("registry_match")

    with op.batch_alter_table("trial_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trial_versions_source_id"))

    op.drop_table("trial_versions")
