"""document paths and hashes; adverse-event grade ranges and percentages

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Issue 15, items 4 and 19.

- `sources.document_path` and `sources.document_sha256`: where the loader found a source's
  document and a hash of its bytes, so that `check` reads each document relative to the seed
  file that declared it (not to one `--seeds` folder) and says when it changed since. Rows
  loaded before this revision have neither until their seed file is loaded again.
- `adverse_events.grade` also takes a range of grades ('3-4'), and
  `adverse_events.participants_affected_percent` holds the percentage of participants a
  source gives (0-100). A downgrade refuses to run while a row uses either, since the older
  schema cannot hold them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from evidencedb.errors import EvidenceError

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SINGLE_GRADES = ("1", "2", "3", "4", "5", ">=1", ">=2", ">=3", ">=4", ">=5")
GRADE_RANGES = tuple(f"{low}-{high}" for low in range(1, 5) for high in range(low + 1, 6))


def _grade_check(grades: Sequence[str]) -> str:
    return "grade IN ('', " + ", ".join(f"'{grade}'" for grade in grades) + ")"


PERCENT_COLUMN = "participants_affected_percent"
PERCENT_CHECK = "participants_affected_percent_in_range"
GRADE_COMMENTS = {
    True: "CTCAE grade '1'..'5', '>=N' for grade N or higher, a range 'N-M' such as '3-4'; "
    "'' when not graded.",
    False: "CTCAE grade '1'..'5', '>=N' for grade N or higher; '' when not graded.",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_adverse_events_on_sqlite(at_head=True)
    else:
        op.add_column("adverse_events", _percent_column())
        op.drop_constraint(op.f("ck_adverse_events_grade_ctcae"), "adverse_events", "check")
        op.create_check_constraint(
            "grade_ctcae", "adverse_events", _grade_check((*SINGLE_GRADES, *GRADE_RANGES))
        )
        op.create_check_constraint(
            PERCENT_CHECK, "adverse_events", f"{PERCENT_COLUMN} BETWEEN 0 AND 100"
        )
        op.alter_column(
            "adverse_events",
            "grade",
            existing_type=sa.Text(),
            existing_nullable=False,
            comment=GRADE_COMMENTS[True],
            existing_comment=GRADE_COMMENTS[False],
        )
    # SQLite adds a column in place (ALTER TABLE ... ADD COLUMN), without copying the table.
    op.add_column(
        "sources",
        sa.Column(
            "document_path",
            sa.Text(),
            nullable=True,
            comment="Where the loader found the document (absolute), for `check` to read it again.",
        ),
    )
    op.add_column(
        "sources",
        sa.Column(
            "document_sha256",
            sa.Text(),
            nullable=True,
            comment="SHA-256 of the document's bytes when it was loaded: `check` says if it "
            "changed.",
        ),
    )


def downgrade() -> None:
    bind = op.get_bind()
    ranges = ", ".join(f"'{grade}'" for grade in GRADE_RANGES)
    using = bind.execute(
        sa.text(
            "SELECT count(*) FROM adverse_events WHERE grade IN "
            f"({ranges}) OR {PERCENT_COLUMN} IS NOT NULL"
        )
    ).scalar_one()
    if using:
        raise EvidenceError(
            f"{using} adverse event(s) have a grade range or a percentage of participants, "
            "which the schema before revision 0007 cannot hold: change or remove them first"
        )
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+) rather than batch mode's copy of the table,
    # which would DROP TABLE sources while every fact table's foreign key refers to it.
    with op.batch_alter_table("sources", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("document_sha256")
        batch_op.drop_column("document_path")
    if bind.dialect.name == "sqlite":
        _rebuild_adverse_events_on_sqlite(at_head=False)
        return
    op.alter_column(
        "adverse_events",
        "grade",
        existing_type=sa.Text(),
        existing_nullable=False,
        comment=GRADE_COMMENTS[False],
        existing_comment=GRADE_COMMENTS[True],
    )
    op.drop_constraint(op.f(f"ck_adverse_events_{PERCENT_CHECK}"), "adverse_events", "check")
    op.drop_constraint(op.f("ck_adverse_events_grade_ctcae"), "adverse_events", "check")
    op.create_check_constraint("grade_ctcae", "adverse_events", _grade_check(SINGLE_GRADES))
    op.drop_column("adverse_events", PERCENT_COLUMN)


def _percent_column() -> sa.Column[float]:
    return sa.Column(
        PERCENT_COLUMN,
        sa.Double(),
        nullable=True,
        comment="Percentage of participants affected, as the source gives it (0-100).",
    )


def _rebuild_adverse_events_on_sqlite(*, at_head: bool) -> None:
    """SQLite cannot change a CHECK constraint: the table is copied into a new one, written
    here in full rather than by batch mode, whose copy lists the constraints in the order of
    a Python set (a different CREATE TABLE text in every process, so two databases migrated
    alike would not be byte for byte the same)."""
    grades = (*SINGLE_GRADES, *GRADE_RANGES) if at_head else SINGLE_GRADES
    columns = [
        sa.Column("id", sa.Integer(), nullable=False, comment="Surrogate primary key."),
        sa.Column("trial_id", sa.Integer(), nullable=False, comment="Trial of the event."),
        sa.Column("arm_id", sa.Integer(), nullable=False, comment="Arm (or event group) affected."),
        sa.Column(
            "term",
            sa.Text(),
            nullable=False,
            comment="Adverse-event term, or an aggregate such as 'Any'.",
        ),
        sa.Column(
            "organ_system",
            sa.Text(),
            server_default="",
            nullable=False,
            comment="Organ system; '' when not given.",
        ),
        sa.Column(
            "category",
            sa.Enum(
                "serious",
                "non_serious",
                "any",
                name="adverse_event_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
            comment="serious, non_serious or any.",
        ),
        sa.Column(
            "grade",
            sa.Text(),
            server_default="",
            nullable=False,
            comment=GRADE_COMMENTS[at_head],
        ),
        sa.Column(
            "is_aggregate",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
            comment="Row totals several terms (e.g. any SAE).",
        ),
        sa.Column(
            "vocabulary", sa.Text(), nullable=True, comment="MedDRA, CTCAE v5.0, free text, ..."
        ),
        sa.Column(
            "participants_affected",
            sa.Integer(),
            nullable=True,
            comment="Participants with the event.",
        ),
        sa.Column(
            "participants_at_risk", sa.Integer(), nullable=True, comment="Participants at risk."
        ),
        sa.Column("event_count", sa.Integer(), nullable=True, comment="Number of events."),
        sa.Column("time_frame", sa.Text(), nullable=True, comment="Time frame of collection."),
        sa.Column("note", sa.Text(), nullable=True, comment="Curator's or registry's note."),
        sa.Column("source_id", sa.Integer(), nullable=False, comment="Source of the counts."),
        sa.Column(
            "quote",
            sa.Text(),
            nullable=True,
            comment="Short verbatim words of the source that state this row (required for "
            "documents).",
        ),
        sa.Column(
            "locator",
            sa.Text(),
            nullable=True,
            comment="Page or section of a document, or the JSON path of a registry record's field.",
        ),
    ]
    if at_head:
        columns.append(_percent_column())
    checks = [
        sa.CheckConstraint(_grade_check(grades), name=op.f("ck_adverse_events_grade_ctcae")),
        sa.CheckConstraint(
            "event_count >= 0", name=op.f("ck_adverse_events_event_count_non_negative")
        ),
        sa.CheckConstraint(
            "participants_affected <= participants_at_risk",
            name=op.f("ck_adverse_events_affected_within_at_risk"),
        ),
        sa.CheckConstraint(
            "participants_affected >= 0",
            name=op.f("ck_adverse_events_participants_affected_non_negative"),
        ),
        sa.CheckConstraint(
            "participants_at_risk >= 0",
            name=op.f("ck_adverse_events_participants_at_risk_non_negative"),
        ),
    ]
    if at_head:
        checks.append(
            sa.CheckConstraint(
                f"{PERCENT_COLUMN} BETWEEN 0 AND 100",
                name=op.f(f"ck_adverse_events_{PERCENT_CHECK}"),
            )
        )
    copied = ", ".join(f'"{column.name}"' for column in columns if column.name != PERCENT_COLUMN)
    # The old table steps aside first, so that the new one is created under its own name
    # (the names of its constraints derive from it).
    op.rename_table("adverse_events", "_adverse_events_old")
    op.create_table(
        "adverse_events",
        *columns,
        *checks,
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_adverse_events_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trial_id", "arm_id"],
            ["arms.trial_id", "arms.id"],
            name=op.f("fk_adverse_events_trial_id_arm_id_arms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"],
            ["trials.id"],
            name=op.f("fk_adverse_events_trial_id_trials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_events")),
        sa.UniqueConstraint(
            "trial_id",
            "arm_id",
            "term",
            "organ_system",
            "category",
            "grade",
            "source_id",
            name=op.f(
                "uq_adverse_events_trial_id_arm_id_term_organ_system_category_grade_source_id"
            ),
        ),
    )
    op.execute(f"INSERT INTO adverse_events ({copied}) SELECT {copied} FROM _adverse_events_old")
    op.drop_table("_adverse_events_old")
    op.create_index(op.f("ix_adverse_events_arm_id"), "adverse_events", ["arm_id"])
    op.create_index(op.f("ix_adverse_events_source_id"), "adverse_events", ["source_id"])
    op.create_index(op.f("ix_adverse_events_term"), "adverse_events", ["term"])
