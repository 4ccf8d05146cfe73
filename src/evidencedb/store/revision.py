"""The schema revision a database is at, and the one this code needs, read without Alembic.

Every command checks the revision before it reads or writes; importing Alembic for that would
cost a read-only command more than its query. `HEAD_REVISION` names the newest migration
under `migrations/versions/`; a test keeps it equal to Alembic's head.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from evidencedb.errors import DatabaseNotReady
from evidencedb.store.engine import display_url

HEAD_REVISION = "0009"
VERSION_TABLE = "alembic_version"


def current_revision(connection: Connection) -> str | None:
    """The revision stamped in the database, or None when it has no schema (yet)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    stamped = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    revisions = list(stamped)
    if len(revisions) > 1:
        raise DatabaseNotReady(
            f"{display_url(connection.engine.url)} has several schema revisions "
            f"({', '.join(revisions)}); it was not migrated by evidencedb"
        )
    return revisions[0] if revisions else None


def needs_schema(connection: Connection) -> bool:
    """True for a database with no evidencedb schema and no other tables, where one can be
    created; False at head. Any other state raises `DatabaseNotReady`, saying what to do."""
    url = display_url(connection.engine.url)
    current = current_revision(connection)
    if current is None:  # no schema yet (or every revision downgraded away)
        if set(inspect(connection).get_table_names()) - {VERSION_TABLE}:
            raise DatabaseNotReady(
                f"{url} holds tables but no evidencedb schema version; "
                "point --db at an evidencedb database or an empty one"
            )
        return True
    if current != HEAD_REVISION:
        raise DatabaseNotReady(
            f"{url} is at schema revision {current}, this evidencedb needs {HEAD_REVISION}; "
            "run `evidencedb db upgrade` (back up the database first)"
        )
    return False


def require_head(connection: Connection) -> None:
    """Refuse a database that is not at HEAD_REVISION, saying how to create or upgrade it."""
    if needs_schema(connection):
        raise DatabaseNotReady(
            f"{display_url(connection.engine.url)} has no evidencedb schema yet; create it with "
            "`evidencedb db upgrade` or by loading data (`evidencedb load seeds/`)"
        )
