"""``create_app(settings)``: the vankien HTTP API (FastAPI), routers kept thin.

The app holds one :class:`Runtime`: the settings, the store with the built graph (for the named
competency queries) and the sandboxed executor that runs users' SPARQL with a hard time limit.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from vankien import __version__
from vankien.graph.settings import Settings

log = logging.getLogger("vankien.api")


@dataclass
class Runtime:
    settings: Settings
    store: object               # vankien.graph.store.Store holding the built graph
    executor: object            # vankien.graph.executor.QueryExecutor for user SPARQL

    def close(self) -> None:
        for part in (self.executor, self.store):
            try:
                part.close()
            except Exception:  # closing is best effort at shutdown
                log.exception("closing %s failed", type(part).__name__)


def open_runtime(settings: Settings) -> Runtime:
    from vankien.graph.executor import QueryExecutor
    from vankien.graph.pipeline import artifact_path, open_graph
    store = open_graph(settings)
    nquads = artifact_path(settings) if settings.store == "memory" else None
    return Runtime(settings=settings, store=store, executor=QueryExecutor(settings, nquads))


# Paths of the pages people read: their errors are pages too (in the reader's language) when the
# client prefers HTML; every other route, and every API client, gets the JSON error.
HTML_PAGE_PREFIXES = ("/id/", "/ontology", "/graph", "/timeline", "/query")


def error(status: int, message: str, request: Request | None = None, **extra) -> Response:
    """Every error the API returns: JSON ``{"error": message, …}``, or for a browser on one of the
    HTML pages, the error page."""
    if request is not None and _is_page_request(request):
        from .i18n import error_page
        return error_page(request, status, message, extra.get("candidates") or [])
    return JSONResponse({"error": message, **extra}, status_code=status)


def _is_page_request(request: Request) -> bool:
    from .conneg import prefers_html
    path = request.url.path
    return (path == "/" or path.startswith(HTML_PAGE_PREFIXES)) and prefers_html(request)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The app for ``settings`` (read from the environment when omitted). Tests may pass a ready
    ``runtime`` to share one store between apps."""
    settings = settings or (runtime.settings if runtime else Settings.from_env())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Close only the runtime this lifespan opened: one handed in (tests) belongs to its owner.
        owned = None
        if getattr(app.state, "runtime", None) is None:
            owned = app.state.runtime = open_runtime(settings)
        yield
        if owned is not None:
            owned.close()
            if app.state.runtime is owned:
                app.state.runtime = None

    app = FastAPI(
        title="vankien API",
        version=__version__,
        description="A source-backed knowledge graph of Vietnamese Communist Party documents: "
                    "SPARQL 1.1 endpoint, lineage and provenance lookups, linked-data URIs and an "
                    "interactive graph view. Every relation carries the exact quote it rests on.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    _install_error_handlers(app)
    _include_routers(app)
    return app


def _include_routers(app: FastAPI) -> None:
    from . import graph_view, linked_data, pages, rest, sparql
    for module in (sparql, rest, linked_data, graph_view, pages):
        app.include_router(module.router)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        extra = exc.detail if isinstance(exc.detail, dict) else {}
        if isinstance(exc.detail, dict):
            message = extra.pop("error", message)
        return error(exc.status_code, message, request, **extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return error(400 if request.url.path.startswith("/sparql") else 422,
                     "invalid request: " + "; ".join(problems), request)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error(500, "internal error; the server log has the details", request)


def runtime_of(request: Request) -> Runtime:
    """The runtime, for routers (FastAPI dependency)."""
    return request.app.state.runtime
