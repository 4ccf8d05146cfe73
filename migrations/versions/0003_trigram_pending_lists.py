"""small pending lists for the trigram indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

PostgreSQL only. A GIN index puts new entries in a pending list, which every search reads
whole, and moves them into the index only when the list outgrows `gin_pending_list_limit`
(4 MB by default) or when (auto)vacuum runs. After a registry-scale import the trigram indexes
of revision 0002 held most of their entries there: a search read 481 pages of the name index
and 164 of the class index, and `results --intervention KEY` took 45 ms at 20,000 records
(45,067 interventions) instead of 2 ms. This revision caps both lists at 64 kB (PostgreSQL's
smallest limit), so that a search reads at most a few pages of pending entries, whoever wrote
the rows and whenever autovacuum last ran, and moves what is pending now (which needs the
index's owner, as migrations run; loads need no such privilege). Inserting 45,067
interventions took 1.7 s with the cap against 0.9 s without (17 s with no pending list at
all, `fastupdate = off`), a fraction of a percent of that import.

Indexes that revision 0002 could not create (no pg_trgm) are skipped, up and down.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The GIN indexes of revision 0002.
TRIGRAM_INDEXES = ("ix_interventions_name_trgm", "ix_interventions_intervention_class_trgm")
PENDING_LIST_LIMIT_KB = 64


def _existing(bind: sa.Connection) -> list[str]:
    """The trigram indexes of the migrated schema (its search_path) that exist."""
    exists = sa.text("SELECT to_regclass(:name) IS NOT NULL")
    return [name for name in TRIGRAM_INDEXES if bind.execute(exists, {"name": name}).scalar()]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name in _existing(bind):
        op.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = {PENDING_LIST_LIMIT_KB})")
        bind.execute(sa.text("SELECT gin_clean_pending_list(to_regclass(:name))"), {"name": name})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name in _existing(bind):
        op.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
