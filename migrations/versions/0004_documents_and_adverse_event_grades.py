"""document paths and hashes; adverse-event grade ranges and percentages

Revision ID: 0004
Revises: 0003
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

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SINGLE_GRADES = ("1", "2", "3", "4", "5", ">=1", ">=2", ">=3", ">=4", ">=5")
GRADE_RANGES = tuple(f"{low}-{high}" for low in range(1, 5) for high in range(low + 1, 6))


def _grade_check(grades: Sequence[str]) -> str:
    return "grade IN ('', " + ", ".join(f"'{grade}'" for grade in grades) + ")"


def upgrade() -> None:
    with op.batch_alter_table("adverse_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "participants_affected_percent",
                sa.Double(),
                nullable=True,
                comment="Percentage of participants affected, as the source gives it (0-100).",
            )
        )
        batch_op.drop_constraint(op.f("ck_adverse_events_grade_ctcae"), type_="check")
        batch_op.create_check_constraint(
            "grade_ctcae", _grade_check((*SINGLE_GRADES, *GRADE_RANGES))
        )
        batch_op.create_check_constraint(
            "participants_affected_percent_in_range",
            "participants_affected_percent BETWEEN 0 AND 100",
        )
        batch_op.alter_column(
            "grade",
            existing_type=sa.Text(),
            existing_nullable=False,
            comment="CTCAE grade '1'..'5', '>=N' for grade N or higher, a range 'N-M' such as "
            "'3-4'; '' when not graded.",
            existing_comment="CTCAE grade '1'..'5', '>=N' for grade N or higher; '' when not "
            "graded.",
        )

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "document_path",
                sa.Text(),
                nullable=True,
                comment="Where the loader found the document (absolute), for `check` to read "
                "it again.",
            )
        )
        batch_op.add_column(
            sa.Column(
                "document_sha256",
                sa.Text(),
                nullable=True,
                comment="SHA-256 of the document's bytes when it was loaded: `check` says if "
                "it changed.",
            )
        )


def downgrade() -> None:
    bind = op.get_bind()
    ranges = ", ".join(f"'{grade}'" for grade in GRADE_RANGES)
    using = bind.execute(
        sa.text(
            "SELECT count(*) FROM adverse_events WHERE grade IN "
            f"({ranges}) OR participants_affected_percent IS NOT NULL"
        )
    ).scalar_one()
    if using:
        raise EvidenceError(
            f"{using} adverse event(s) have a grade range or a percentage of participants, "
            "which the schema before revision 0004 cannot hold: change or remove them first"
        )
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+) rather than batch mode's copy of the table,
    # which would DROP TABLE sources while every fact table's foreign key refers to it.
    with op.batch_alter_table("sources", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("document_sha256")
        batch_op.drop_column("document_path")

    with op.batch_alter_table("adverse_events", schema=None) as batch_op:
        batch_op.alter_column(
            "grade",
            existing_type=sa.Text(),
            existing_nullable=False,
            comment="CTCAE grade '1'..'5', '>=N' for grade N or higher; '' when not graded.",
        )
        batch_op.drop_constraint(
            op.f("ck_adverse_events_participants_affected_percent_in_range"), type_="check"
        )
        batch_op.drop_constraint(op.f("ck_adverse_events_grade_ctcae"), type_="check")
        batch_op.create_check_constraint("grade_ctcae", _grade_check(SINGLE_GRADES))
        batch_op.drop_column("participants_affected_percent")
