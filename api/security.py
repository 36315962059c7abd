"""HTTP hardening in one place: security headers (with a per-request CSP nonce), HEAD and OPTIONS on
every GET route, and a uvicorn protocol that closes connections whose request headers do not arrive
in time (slowloris).

**CSP nonce.** Every response to a request gets ``request.state.csp_nonce`` (a fresh random
token). An HTML page may run an inline ``<script>`` only when the tag carries it::

    <script nonce="{{ request.state.csp_nonce }}"> … </script>      {# Jinja2 templates #}
    f'<script nonce="{csp_nonce(request)}">'                          # Python-built pages

Scripts from ``/static`` need no nonce (``script-src 'self'``); ``<script type="application/json">``
data blocks are not executed and need none. Inline ``style`` attributes stay allowed (the graph view's
library sets styles); ``object``, ``base`` and framing by other sites are not.
"""

from __future__ import annotations

import asyncio
import functools
import secrets

import h11
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
EVERY_RESPONSE = [(b"x-content-type-options", b"nosniff"),
                  (b"referrer-policy", b"strict-origin-when-cross-origin"),
                  (b"x-frame-options", b"DENY")]
MAX_HEADER_BYTES = 16 * 1024  # h11's limit on an incomplete request head (uvicorn's default is 16 kB)


def csp_nonce(request) -> str:
    """The nonce an inline script of this response must carry (see the module docstring)."""
    return request.state.csp_nonce


class SecurityMiddleware:
    """Pure ASGI (no per-request task): adds the headers, answers OPTIONS, runs HEAD as GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        method = scope["method"]
        if method == "OPTIONS" and not _is_cors_preflight(scope):
            allowed = _allowed_methods(scope)
            if allowed:
                await _send_with_headers(send, nonce, 204, [(b"allow", ", ".join(allowed).encode())])
                return
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _secured(message.get("headers", []), nonce)}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_secured)


def _secured(headers, nonce: str) -> list[tuple[bytes, bytes]]:
    headers = list(headers)
    names = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in EVERY_RESPONSE if name not in names]
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if content_type.startswith(b"text/html") and b"content-security-policy" not in names:
        headers.append((b"content-security-policy", CSP.format(nonce=nonce).encode()))
    return headers


async def _send_with_headers(send: Send, nonce: str, status: int, headers: list) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _secured(headers, nonce)})
    await send({"type": "http.response.body", "body": b""})


def _is_cors_preflight(scope: Scope) -> bool:
    names = {name for name, _ in scope["headers"]}
    return b"origin" in names and b"access-control-request-method" in names


PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(scope: Scope) -> list[str]:
    """The methods the app's routes answer on this path (empty when no route matches it), found by
    asking each route whether it fully matches the path with that method."""
    app = scope.get("app")
    if app is None:
        return []
    methods = {method for method in PROBED_METHODS
               if any(route.matches({**scope, "method": method})[0] == Match.FULL
                      for route in app.router.routes)}
    if methods == set(PROBED_METHODS):
        methods = {"GET"}  # a mount (the static files) matches every method but serves GET
    if not methods:
        return []
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods | {"OPTIONS"})


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is not complete within
    ``header_timeout_s`` of the connection or of the previous response (uvicorn's own keep-alive
    timer stops at the first byte, so a client sending a byte now and then would hold a connection
    forever)."""

    header_timeout_s: float | None = None  # None: VANKIEN_HEADER_TIMEOUT_S

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state in (h11.SEND_BODY, h11.DONE):  # a request head has arrived
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        self._arm_header_timer()  # the next request's head gets the same time
        super().on_response_complete()

    def connection_lost(self, exc) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        timeout = self.header_timeout_s or _header_timeout_from_env()
        self._header_timer = self.loop.call_later(timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        timer: asyncio.TimerHandle | None = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.conn.their_state not in (h11.SEND_BODY, h11.DONE) and not self.transport.is_closing():
            self.transport.close()


@functools.lru_cache(maxsize=1)
def _header_timeout_from_env() -> float:
    from vankien.graph.settings import Settings

    return Settings.from_env().header_timeout_s


def uvicorn_options(header_timeout_s: float | None = None) -> dict:
    """uvicorn options for serving vankien: the header timeout (``header_timeout_s``, else
    ``VANKIEN_HEADER_TIMEOUT_S`` read in each web worker) and a bounded request head."""
    protocol: str | type
    if header_timeout_s is None:  # named by import path: works with several web worker processes
        protocol = f"{__name__}:HeaderTimeoutProtocol"
    else:
        protocol = type("VankienH11Protocol", (HeaderTimeoutProtocol,), {"header_timeout_s": header_timeout_s})
    return {"http": protocol, "h11_max_incomplete_event_size": MAX_HEADER_BYTES, "timeout_keep_alive": 5}


def uvicorn_config(app, **options):
    """The uvicorn configuration vankien serves one app with (CLI and tests), limits from
    ``app.state.settings``."""
    import uvicorn

    settings = app.state.settings
    options.setdefault("host", settings.host)
    options.setdefault("port", settings.port)
    return uvicorn.Config(app, **uvicorn_options(settings.header_timeout_s), **options)
