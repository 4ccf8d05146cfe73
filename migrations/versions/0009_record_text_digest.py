"""the digest of a registry record's text

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Issue 16, item 6.

`sources.record_text_sha256`: the SHA-256 of a registry record's text as it stood in the file
it was imported from. A re-import compares it first, and skips a record whose text is the same
without serialising it again for the canonical digest (`record_sha256`), which took half of
the time of a re-import of an unchanged folder. Records imported before this revision have
none until they are imported again, and are skipped by their canonical digest meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite adds a column in place (ALTER TABLE ... ADD COLUMN), without copying the table.
    op.add_column(
        "sources",
        sa.Column(
            "record_text_sha256",
            sa.Text(),
            nullable=True,
            comment="SHA-256 of the registry record's text as it stood in the file imported: a "
            "re-import that finds the same text skips the record without re-reading it "
            "canonically.",
        ),
    )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+) rather than batch mode's copy of the table,
    # which would DROP TABLE sources while every fact table's foreign key refers to it.
    with op.batch_alter_table("sources", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("record_text_sha256")
