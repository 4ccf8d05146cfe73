"""The one transaction primitive: commit when the block ends, roll back on an error or a call.

Modelled on sqlite-utils' `Database.atomic()`. Whoever opens the transaction owns it; the code
inside the block never commits. A block that wants to leave nothing behind (a dry run) calls
`connection.rollback()`: no exception is needed to undo its work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction: committed when the block ends, rolled back when it
    raises, and left as rolled back when the block called `connection.rollback()`."""
    with engine.connect() as connection:
        connection.begin()
        try:
            yield connection
        except BaseException:
            if connection.in_transaction():
                connection.rollback()
            raise
        if connection.in_transaction():
            connection.commit()
