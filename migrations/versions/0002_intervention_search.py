"""intervention search indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

`--intervention TEXT` matches an intervention whose key is TEXT, whose name or class contains
TEXT (case-insensitive), or whose target is TEXT (case-insensitive). This revision adds the
indexes that answer it without reading every intervention (query.filters.intervention_ids):

- SQLite (3.34 or newer; older versions are refused with a message): `interventions_search`,
  an FTS5 table with the trigram tokenizer over interventions (name, intervention_class,
  target). It is an external-content table:
  it stores only the trigram index, the text stays in `interventions`, and three triggers
  keep the index in step with every INSERT, UPDATE and DELETE of interventions, whoever
  writes them. Its rows are built here from the interventions already present ('rebuild').
  `target` is in it too: an exact match of the target contains TEXT, so the trigram index
  finds it, and no expression index is needed (SQLAlchemy cannot reflect those on SQLite,
  so the models could not be compared with one).
  Batch migrations that recreate `interventions` (copy, drop, rename) drop its triggers with
  the old table: a later revision that does so must create them again (same statements).
- PostgreSQL: pg_trgm GIN indexes on name and intervention_class, which serve ILIKE
  '%text%' for texts of 3 characters or more, and a B-tree on lower(target) of the
  interventions that have a target; and `intervention_search_ids(key, pattern, target)`,
  which looks the four up through them (see SEARCH_FUNCTION for why a function).

None of these are in the models (see evidencedb.store.migrate.SEARCH_INDEX_OBJECTS).

Where pg_trgm lives. An extension belongs to the database, not to a schema: it is installed
once per database, in one schema, and every schema's indexes may use its operator classes.
So this revision never installs it in the schema it migrates (its search_path): dropping that
schema (as the test suite does for each test's schema, or a team retiring an evidencedb
schema) would drop the extension with it, CASCADE taking every other schema's trigram
indexes along, and a second schema of the same database could not install it again
elsewhere. Instead: if pg_trgm is installed, wherever it is, its operator class is used,
qualified by its schema (the migrated schema's search_path need not include it); if not, it
is created in `public`, the database's shared schema, under an advisory lock so that two
migrations of one database do not race. If that fails (a login without the privilege, no
`public` schema, no USAGE on the schema that holds pg_trgm), the revision still succeeds
without the trigram indexes and says so with a warning: queries give the same answers, only
slower. An administrator can then run
`CREATE EXTENSION pg_trgm` and `evidencedb db downgrade 0001 && evidencedb db upgrade`
(this revision's downgrade drops indexes only, never data). For the same reason downgrade
leaves the extension installed: other schemas of the database may use it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from evidencedb.errors import EvidenceError

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Left out of the models: listed in evidencedb.store.migrate.SEARCH_INDEX_OBJECTS too.
FTS_TABLE = "interventions_search"
TARGET_INDEX = "ix_interventions_lower_target"
TRIGRAM_INDEXES = {
    "ix_interventions_name_trgm": "name",
    "ix_interventions_intervention_class_trgm": "intervention_class",
}

SQLITE_UPGRADE = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        name, intervention_class, target,
        content='interventions', content_rowid='id', tokenize='trigram'
    )""",
    f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON interventions BEGIN
        INSERT INTO {FTS_TABLE} (rowid, name, intervention_class, target)
        VALUES (new.id, new.name, new.intervention_class, new.target);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON interventions BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, name, intervention_class, target)
        VALUES ('delete', old.id, old.name, old.intervention_class, old.target);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_update
    AFTER UPDATE OF id, name, intervention_class, target ON interventions BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, name, intervention_class, target)
        VALUES ('delete', old.id, old.name, old.intervention_class, old.target);
        INSERT INTO {FTS_TABLE} (rowid, name, intervention_class, target)
        VALUES (new.id, new.name, new.intervention_class, new.target);
    END""",
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')",
]

SQLITE_DOWNGRADE = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

# PostgreSQL's cost model charges ILIKE like an equality, so at any size it reads every
# intervention rather than scan a GIN index (at 45,000 interventions: 40 ms against well under
# 1 ms). This function looks the candidates up with sequential scans disabled for its own
# statement only; queries.py checks the match itself on what it returns. It lives in the
# migrated schema and goes with it.
SEARCH_FUNCTION = "intervention_search_ids"
CREATE_SEARCH_FUNCTION = f"""
CREATE FUNCTION {SEARCH_FUNCTION}(wanted_key text, pattern text, wanted_target text)
RETURNS SETOF integer LANGUAGE sql STABLE ROWS 10
SET enable_seqscan = off
AS $$
    SELECT id FROM interventions
    WHERE key = wanted_key
       OR name ILIKE pattern
       OR (target IS NOT NULL AND lower(target) = wanted_target)
       OR intervention_class ILIKE pattern
$$"""

TRIGRAM_LOCK = "SELECT pg_advisory_xact_lock(hashtext('evidencedb: CREATE EXTENSION pg_trgm'))"
TRIGRAM_SCHEMA = (
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'pg_trgm'"
)


def _trigram_schema(bind: sa.Connection) -> str:
    """The schema of pg_trgm, installed in `public` if it is nowhere yet (see the module's
    docstring); raises DBAPIError where it cannot be."""
    schema = bind.execute(sa.text(TRIGRAM_SCHEMA)).scalar()
    if schema is not None:
        return str(schema)
    bind.execute(sa.text(TRIGRAM_LOCK))  # until this transaction ends
    schema = bind.execute(sa.text(TRIGRAM_SCHEMA)).scalar()  # created while we waited?
    if schema is not None:
        return str(schema)
    bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    return "public"


def _create_trigram_indexes(bind: sa.Connection) -> None:
    """The GIN indexes, or a warning and none where pg_trgm cannot be installed or used
    (no privilege to create it, no USAGE on the schema that holds it)."""
    try:
        with bind.begin_nested():
            schema = _trigram_schema(bind)
            opclass = f"{bind.dialect.identifier_preparer.quote_schema(schema)}.gin_trgm_ops"
            for name, column in TRIGRAM_INDEXES.items():
                op.execute(f"CREATE INDEX {name} ON interventions USING gin ({column} {opclass})")
    except sa.exc.DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        warnings.warn(
            f"evidencedb: no trigram indexes on interventions: pg_trgm cannot be used ({reason}); "
            "--intervention searches by name and class read every intervention. An "
            "administrator can install it (`CREATE EXTENSION pg_trgm;`) where this login may "
            "use it, then run `evidencedb db downgrade 0001` and `evidencedb db upgrade`.",
            stacklevel=2,
        )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        version = bind.dialect.dbapi.sqlite_version_info  # type: ignore[attr-defined]
        if version < (3, 34):
            raise EvidenceError(
                "evidencedb needs SQLite 3.34 or newer (FTS5 trigram tokenizer); this Python "
                f"uses SQLite {'.'.join(map(str, version))}"
            )
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {TARGET_INDEX} ON interventions (lower(target)) WHERE target IS NOT NULL"
        )
        _create_trigram_indexes(bind)
        op.execute(CREATE_SEARCH_FUNCTION)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SEARCH_FUNCTION}(text, text, text)")
        for name in [*TRIGRAM_INDEXES, TARGET_INDEX]:
            op.execute(f"DROP INDEX IF EXISTS {name}")
