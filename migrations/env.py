"""Alembic environment: runs on the connection evidencedb hands over (evidencedb.store.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from evidencedb.store.migrate import comparison_options
from evidencedb.store.models import metadata

target_metadata = metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        # compare_type, and the objects the models cannot express left out of autogenerate.
        **comparison_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("evidencedb runs migrations on a connection it passes in")
    run_on(connection)
