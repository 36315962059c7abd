"""``create_app(settings)``: the vankien HTTP API (FastAPI), routers kept thin.

The app holds one :class:`~vankien.api.runtime.Runtime` (settings, store, executor).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from vankien import __version__
from vankien.api import graph_view, linked_data, pages, rest, sparql, timeline, validation
from vankien.api.errors import error
from vankien.api.runtime import Runtime, open_runtime, runtime_of
from vankien.api.security import SecurityMiddleware, uvicorn_options
from vankien.graph.errors import UserError
from vankien.graph.executor import QueryFailed, QueryTimeout
from vankien.graph.sparql_guard import QueryRefused
from vankien.graph.settings import Settings

log = logging.getLogger("vankien.api")


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

    # FastAPIOffline serves /docs and /redoc from its bundled Swagger UI and ReDoc (no CDN).
    app = FastAPIOffline(
        title="vankien API",
        version=__version__,
        description="A source-backed knowledge graph of Vietnamese Communist Party documents: "
                    "SPARQL 1.1 endpoint, lineage and provenance lookups, linked-data URIs and an "
                    "interactive graph view. Every relation carries the exact quote it rests on.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    _keep_docs_local(app)
    _install_error_handlers(app)
    _include_routers(app)
    app.state.ready_answers = sparql.ReadyAnswers()  # served as vankien serves: see create_served_app
    app.add_middleware(sparql.RememberedAnswers)  # inside CORS, so its answers get CORS headers too
    _allow_cross_origin(app, settings)
    # Outermost: every answer, remembered or CORS's own, gets the headers (api/security.py).
    app.add_middleware(SecurityMiddleware)
    return app


def create_served_app(settings: Settings | None = None) -> sparql.AnswerFirst:
    """The app as ``vankien serve`` runs it in uvicorn (each web worker calls this): a repeated
    cheap ``GET /sparql`` is answered before the framework's middleware (:class:`~vankien.api.sparql.AnswerFirst`)."""
    return sparql.AnswerFirst(create_app(settings))


def uvicorn_config(app: FastAPI, **options):
    """The uvicorn configuration vankien serves one app with (CLI and tests): behind
    :class:`~vankien.api.sparql.AnswerFirst`, with the request-head limits of
    ``app.state.settings`` (:func:`vankien.api.security.uvicorn_options`)."""
    import uvicorn

    settings = app.state.settings
    options.setdefault("host", settings.host)
    options.setdefault("port", settings.port)
    return uvicorn.Config(sparql.AnswerFirst(app), **uvicorn_options(settings), **options)


# ReDoc's sidebar shows a logo from its vendor's CDN: the docs pages may load nothing from elsewhere.
DOCS_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; font-src 'self' data:")


def _keep_docs_local(app: FastAPI) -> None:
    docs_paths = {app.docs_url, app.redoc_url, "/docs", "/redoc"}

    @app.middleware("http")
    async def docs_policy(request: Request, call_next):
        response = await call_next(request)
        if request.url.path in docs_paths:
            response.headers["Content-Security-Policy"] = DOCS_POLICY
        return response


# Headers a browser client (YASGUI, Comunica) may read from a cross-origin answer.
EXPOSED_HEADERS = ["Vankien-Truncated", "Vankien-Max-Rows", "Link", "Content-Location"]


def _allow_cross_origin(app: FastAPI, settings: Settings) -> None:
    """CORS for the origins ``settings.cors`` names; off (no CORS headers at all) by default.
    No credentials: the API is public and read-only, nothing rests on cookies."""
    origins = settings.cors_origins
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(origins), allow_credentials=False,
                           allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                           allow_headers=["Accept", "Content-Type", "Accept-Language"],
                           expose_headers=EXPOSED_HEADERS, max_age=600)


def _include_routers(app: FastAPI) -> None:
    for module in (sparql, rest, linked_data, graph_view, timeline, pages, validation):
        app.include_router(module.router)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        extra: dict[str, Any] = dict(exc.detail) if isinstance(exc.detail, dict) else {}
        if isinstance(exc.detail, dict):
            message = extra.pop("error", message)
        return error(exc.status_code, message, request, **extra)

    # Every exception → HTTP mapping lives here; routers just raise.
    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError):
        return error(exc.status, str(exc), request, **exc.details)

    @app.exception_handler(QueryRefused)
    async def refused(request: Request, exc: QueryRefused):
        return error(exc.status, exc.message, request, **exc.where)   # line, column, prefix for editors

    @app.exception_handler(QueryTimeout)
    async def timed_out(request: Request, exc: QueryTimeout):
        return error(exc.status, str(exc), request, limit_s=request.app.state.settings.query_timeout_s)

    @app.exception_handler(QueryFailed)
    async def failed(request: Request, exc: QueryFailed):
        return error(exc.status, str(exc), request)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return error(400 if request.url.path.startswith("/sparql") else 422,
                     "invalid request: " + "; ".join(problems), request)

    # The client went away mid-body (or its body timed out: 408 already sent): nothing to answer.
    @app.exception_handler(ClientDisconnect)
    async def gone(request: Request, exc: ClientDisconnect):
        log.info("client disconnected before its request body was read (%s)", request.url.path)
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error(500, "internal error; the server log has the details", request)


__all__ = ["Runtime", "create_app", "create_served_app", "uvicorn_config", "error", "open_runtime", "runtime_of"]
