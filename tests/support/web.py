"""The web view under test: in-process through Starlette's TestClient, or served by uvicorn
on a free port of 127.0.0.1 in a thread, for a real browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi.testclient import TestClient

from evidencedb.web.app import create_app
from evidencedb.web.database import Settings
from tests.support.environment import REPO, SEEDS

# Where the browser tests leave their screenshots and downloads (gitignored).
TEST_OUTPUT = REPO / "test-output" / "web"


def web_settings(url: str, **overrides: object) -> Settings:
    return Settings(**{"url": url, "documents_root": SEEDS, **overrides})  # type: ignore[arg-type]


@contextmanager
def web_client(url: str, **overrides: object) -> Iterator[TestClient]:
    """A client of the web view over `url`, its engine open for the block."""
    with TestClient(create_app(web_settings(url, **overrides))) as client:
        yield client


@contextmanager
def served(url: str, documents_root: Path = SEEDS) -> Iterator[str]:
    """The web view served by uvicorn on a free port; yields its base address."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    app = create_app(Settings(url=url, documents_root=documents_root))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listening.close()


def routes_of(app: Any) -> dict[str, set[str]]:
    """Every route of `app`: path -> methods (a mount has none). FastAPI keeps an included
    router as one entry that holds the router's own routes."""
    found: dict[str, set[str]] = {}
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        if hasattr(route, "original_router"):
            pending.extend(route.original_router.routes)
        else:
            found.setdefault(str(route.path), set()).update(getattr(route, "methods", None) or ())
    return found
