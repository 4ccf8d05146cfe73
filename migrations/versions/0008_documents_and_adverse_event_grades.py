"""document paths and hashes; adverse-event grade ranges and percentages

Revision ID: 0008
Revises: 0007
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

revision: str = "0008"
down_revision: str | None = "0007"
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
        op.execute(
            f"ALTER TABLE adverse_events ADD COLUMN {PERCENT_COLUMN} DOUBLE "
            f"CONSTRAINT ck_adverse_events_{PERCENT_CHECK} "
            f"CHECK ({PERCENT_COLUMN} BETWEEN 0 AND 100)"
        )
        _replace_grade_check_on_sqlite(SINGLE_GRADES, (*SINGLE_GRADES, *GRADE_RANGES))
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
            "which the schema before revision 0008 cannot hold: change or remove them first"
        )
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+) rather than batch mode's copy of the table,
    # which would DROP TABLE sources while every fact table's foreign key refers to it.
    with op.batch_alter_table("sources", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("document_sha256")
        batch_op.drop_column("document_path")
    if bind.dialect.name == "sqlite":
        op.execute(f"ALTER TABLE adverse_events DROP COLUMN {PERCENT_COLUMN}")
        _replace_grade_check_on_sqlite((*SINGLE_GRADES, *GRADE_RANGES), SINGLE_GRADES)
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


def _replace_grade_check_on_sqlite(old: Sequence[str], new: Sequence[str]) -> None:
    """SQLite cannot change a CHECK constraint: the table is copied into a new one whose
    CREATE TABLE is the old one's text with only the grade CHECK replaced. Batch mode would
    rebuild it from reflection, listing the constraints in the order of a Python set (a
    different CREATE TABLE in every process: two databases migrated alike would not be byte
    for byte the same), and would need every column of every revision spelled out here."""
    bind = op.get_bind()
    create = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'adverse_events'")
    ).scalar_one()
    indexes = (
        bind.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'adverse_events' "
                "AND sql IS NOT NULL ORDER BY name"
            )
        )
        .scalars()
        .all()
    )
    columns = [row[1] for row in bind.execute(sa.text("PRAGMA table_info(adverse_events)"))]
    old_check, new_check = _grade_check(old), _grade_check(new)
    if old_check not in create:
        raise EvidenceError("adverse_events does not have the grade CHECK this revision expects")
    op.rename_table("adverse_events", "_adverse_events_old")
    op.execute(create.replace(old_check, new_check))
    listed = ", ".join(f'"{column}"' for column in columns)
    op.execute(f"INSERT INTO adverse_events ({listed}) SELECT {listed} FROM _adverse_events_old")
    op.drop_table("_adverse_events_old")
    for index in indexes:
        op.execute(index)
