"""`evidencedb serve`: the read-only web view, served by uvicorn."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from evidencedb.cli.command import command, command_group
from evidencedb.cli.output import echo_err
from evidencedb.errors import EvidenceError

commands = command_group()


@command(commands)
def serve(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            "--host", metavar="ADDRESS", help="Address to listen on; 0.0.0.0 for every network."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", min=0, max=65535, help="Port to listen on.")
    ] = 8000,
    seeds: Annotated[
        Path,
        typer.Option(
            "--seeds",
            metavar="FOLDER",
            help="Folder the sources' document paths are relative to (the seed files' folder).",
        ),
    ] = Path("seeds"),
) -> None:
    """Serve a read-only web view of the database: trials, results, comparisons and adverse
    events with filters, each number opening onto its quote and source, CSV downloads, a
    JSON API (/api/results?endpoint_kind=..., described at /openapi.json) and read-only SQL.

    Pages never write: SQLite is opened read-only, PostgreSQL reads in READ ONLY
    transactions. Needs the web extra: pip install 'evidencedb[web]'. Stop it with Ctrl-C.

    Example: evidencedb serve --port 8000
    """
    try:
        import uvicorn

        from evidencedb.web.app import create_app
        from evidencedb.web.database import Settings
    except ModuleNotFoundError as missing:
        raise EvidenceError(
            f"the web view needs {missing.name}: pip install 'evidencedb[web]'"
        ) from None
    from evidencedb.store.database import reading

    with reading(ctx.obj, read_only=True):
        pass  # a database that is missing or not at head: one line now, not at first request
    app = create_app(Settings(url=ctx.obj, documents_root=seeds))
    listening = _listening_socket(host, port)
    echo_err(f"serving on http://{host}:{listening.getsockname()[1]}/ (Ctrl-C stops)")
    # uvicorn raises Ctrl-C again once it has shut down: that is how a server stops.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listening])


def _listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound here so that an address that does not resolve or a port in
    use is one line and exit 1 (uvicorn would log it and exit 3)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except (OSError, UnicodeError) as error:
        code = getattr(error, "errno", None)
        reason = os.strerror(code) if isinstance(code, int) and code > 0 else str(error)
        raise EvidenceError(f"cannot listen on {host}:{port}: {reason}") from None
