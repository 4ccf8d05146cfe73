"""The web application: `create_app` for a database, its middleware, and how errors answer.

Pages answer HTML, `/api/...` answers JSON (described at `/openapi.json`), `*.csv` answers
CSV; a user's error (an unknown key, a refused SQL statement) is a 404 or 400 with one line
of explanation, a page for a person or `{"detail": ...}` for a program.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

import evidencedb
from evidencedb.errors import EvidenceError, NotFound
from evidencedb.store.database import read_engine
from evidencedb.web import analysis_pages, api, downloads, pages
from evidencedb.web.database import Settings
from evidencedb.web.templating import HERE, templates


def create_app(settings: Settings) -> FastAPI:
    """The application over `settings.url`, read only: it keeps one read-only engine while it
    runs (SQLite opens the file read-only; PostgreSQL begins every transaction READ ONLY)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with read_engine(settings.url, read_only=True) as engine:
            app.state.engine = engine
            yield

    app = FastAPI(
        title="evidencedb",
        version=evidencedb.__version__,
        description=(
            "Read-only access to an evidencedb database: the query commands as JSON, with "
            "query parameters named like the command's options."
        ),
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN; /openapi.json stays
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(BlankParametersDropped)
    app.add_middleware(ServerTiming)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(EvidenceError, _user_error)
    app.add_exception_handler(RequestValidationError, _invalid_parameters)

    app.include_router(api.router)
    app.include_router(downloads.router)
    app.include_router(pages.router)
    app.include_router(analysis_pages.router)
    return app


async def _user_error(request: Request, error: Exception) -> Response:
    status = 404 if isinstance(error, NotFound) else 400
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": str(error)}, status_code=status)
    return templates.TemplateResponse(
        request, "error.html", {"message": str(error), "status": status}, status_code=status
    )


async def _invalid_parameters(request: Request, error: Exception) -> Response:
    """FastAPI's 422 for a program; for a person, a page that names the parameters."""
    assert isinstance(error, RequestValidationError)
    if request.url.path.startswith("/api/"):
        return await request_validation_exception_handler(request, error)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'][1:])}: {problem['msg']}"
        for problem in error.errors()
    )
    return templates.TemplateResponse(
        request, "error.html", {"message": problems, "status": 422}, status_code=422
    )


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class ServerTiming:
    """`Server-Timing: app;dur=MS` on every answer: the time the application took, which a
    browser's developer tools show and `benchmarks/web_pages.py` reads."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                message.setdefault("headers", []).append(
                    (b"server-timing", f"app;dur={took:.2f}".encode())
                )
            await send(message)

        await self.app(scope, receive, timed)


class BlankParametersDropped:
    """An empty query parameter is no filter (an HTML form sends its empty fields); a NUL
    character, which no key or text holds and PostgreSQL refuses in text, answers 400."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            pairs = [(name, value) for name, value in pairs if value.strip()]
            if any("\x00" in name + value for name, value in pairs):
                refused = PlainTextResponse("NUL in a query parameter", status_code=400)
                await refused(scope, receive, send)
                return
            scope["query_string"] = urlencode(pairs).encode("ascii")
        await self.app(scope, receive, send)
