"""Schema migrations: Alembic driven from code, so no alembic.ini is needed anywhere.

A new database is created at head on first write; an existing one at an older revision is
only ever upgraded by `evidencedb db upgrade`, never silently. Checking a database's revision
needs no Alembic (`store.revision`); only creating and migrating a schema imports it.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from evidencedb.errors import EvidenceError
from evidencedb.store.engine import make_engine, resolve_url

# Schema objects of revision 0002 that the models leave out: the indexes behind
# `--intervention TEXT` (query.filters.intervention_ids). On SQLite, the FTS5 table that indexes
# interventions by trigram and the shadow tables FTS5 keeps its index in (a virtual table
# cannot be declared as a model); on PostgreSQL, the pg_trgm GIN indexes (their operator
# class lives in whatever schema holds the extension, and they are absent where it could not
# be installed) and the expression index on lower(target) (SQLAlchemy cannot reflect
# expression indexes on SQLite, where a model declaring it would make every comparison warn).
# Comparing the models with a database skips exactly these names; the FTS triggers, the
# PostgreSQL function intervention_search_ids and the extension are not compared by Alembic.
SEARCH_INDEX_OBJECTS = frozenset(
    {
        "interventions_search",
        *(
            f"interventions_search_{shadow}"
            for shadow in ("data", "idx", "content", "docsize", "config")
        ),
        "ix_interventions_name_trgm",
        "ix_interventions_intervention_class_trgm",
        "ix_interventions_lower_target",
    }
)


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Alembic's `include_name` hook: leave SEARCH_INDEX_OBJECTS out of comparisons."""
    return not (type_ in ("table", "index") and name in SEARCH_INDEX_OBJECTS)


def comparison_options() -> dict[str, Any]:
    """Options of every comparison of the models with a database: autogenerate (`make
    migration`) and the drift test."""
    return {"compare_type": True, "include_name": include_name}


def migrations_directory() -> Path:
    """Wheels carry the scripts inside the package; a source tree has them at its top level."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_migrations"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    return head


def upgrade(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    try:
        command.downgrade(alembic_config(connection), revision)
    except Exception as error:  # alembic raises CommandError and util errors for unknown revisions
        if type(error).__module__.startswith("alembic"):
            raise EvidenceError(f"cannot downgrade to {revision!r}: {error}") from error
        raise


def _autogenerate_revision(message: str) -> None:
    """Developer tool behind `make migration`: autogenerate against a scratch database at head."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(resolve_url(f"sqlite:///{scratch}/scratch.db"))
        with engine.begin() as connection:
            upgrade(connection)
            command.revision(alembic_config(connection), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":  # pragma: no cover - developer entry point
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python -m evidencedb.store.migrate revision "message"')
    _autogenerate_revision(sys.argv[2])
