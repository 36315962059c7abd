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
import socket

import httptools
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

from vankien.graph.errors import BadInput
from vankien.graph.settings import Settings

CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
EVERY_RESPONSE = [(b"x-content-type-options", b"nosniff"),
                  (b"referrer-policy", b"strict-origin-when-cross-origin"),
                  (b"x-frame-options", b"DENY")]
MAX_HEADER_BYTES = 16 * 1024  # a request head's header lines (the URL has its own limit)
# httptools parses a URL of at most 65535 bytes (its offsets are 16-bit): a longer one would get
# uvicorn's bare "400 Invalid HTTP request received." instead of the 414 that says to use POST.
MAX_URL_BYTES = 65_535


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
                message = {**message, "headers": secured_headers(message.get("headers", []), nonce)}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_secured)


def secured_headers(headers, nonce: str | None = None) -> list[tuple[bytes, bytes]]:
    """``headers`` with the security headers every response gets; an HTML answer also gets the
    CSP with ``nonce`` (the one its inline scripts carry: it must be given)."""
    headers = list(headers)
    names = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in EVERY_RESPONSE if name not in names]
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if content_type.startswith(b"text/html") and b"content-security-policy" not in names:
        if nonce is None:
            raise ValueError("an HTML answer needs the CSP nonce of its inline scripts")
        headers.append((b"content-security-policy", CSP.format(nonce=nonce).encode()))
    return headers


async def _send_with_headers(send: Send, nonce: str, status: int, headers: list) -> None:
    await send({"type": "http.response.start", "status": status, "headers": secured_headers(headers, nonce)})
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


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (its fast parser) with limits on the request head: a
    connection whose head is not complete within ``header_timeout_s`` of the connection or of the
    previous response is closed (uvicorn's own keep-alive timer stops at the first byte, so a client
    sending a byte now and then would hold a connection forever); header lines over
    ``MAX_HEADER_BYTES`` get 431 and a URL longer than a query may be encoded in
    (``max_encoded_query_bytes``, as a POST body, at most ``MAX_URL_BYTES``) 414, both counted as
    they arrive."""

    settings: Settings | None = None  # None: from VANKIEN_* (read in each web worker)

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        limits = self.settings or _settings_from_env()
        self._header_timeout_s, self._body_timeout_s = limits.header_timeout_s, limits.body_timeout_s
        self._body_timer: asyncio.TimerHandle | None = None
        self._max_url_bytes = min(limits.max_encoded_query_bytes, MAX_URL_BYTES)
        self._header_timer: asyncio.TimerHandle | None = None
        self._awaiting_head = True  # from a message's end (or the connection's start) to the next head's end
        self._head_bytes = 0  # received while awaiting the head
        self._refusal: tuple[int, str] | None = None
        self._early_answers = _early_answers_of(self.app)
        self._answered_early = False
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head:
            self._head_bytes += len(data)
        super().data_received(data)  # a head completed in `data` resets the count
        if self._awaiting_head and not self.transport.is_closing():
            url_bytes = len(getattr(self, "url", b""))  # the part of the URL parsed so far
            refusal = self._over_limit(url_bytes, self._head_bytes - url_bytes)
            if refusal is not None:
                self._refuse(*refusal)

    def on_headers_complete(self) -> None:
        self._refusal = self._over_limit(
            len(self.url), sum(len(name) + len(value) + 4 for name, value in self.headers))
        if self._refusal is not None:
            raise httptools.HttpParserError(self._refusal[1])  # uvicorn calls send_400_response
        self._awaiting_head, self._head_bytes = False, 0
        self._cancel_header_timer()
        if self._answer_early():
            return
        previous = self.cycle
        super().on_headers_complete()
        if self.cycle is not previous:  # a new request (its task has not run yet)
            _HeadWithBody.wrap(self.cycle)
            if any(name in BODY_HEADERS for name, _ in self.headers):
                self._body_timer = self.loop.call_later(self._body_timeout_s, self._body_timed_out)

    def on_message_complete(self) -> None:
        self._awaiting_head, self._head_bytes = True, 0
        self._cancel_body_timer()
        if self._answered_early:  # no request cycle was started for it
            self._answered_early = False
            return
        super().on_message_complete()

    def _answer_early(self) -> bool:
        """Write the ready answer of a plain keep-alive ``GET`` (no body, proxy headers or
        pipelined request before it) that the app offers one for (``answer_early``, see
        :class:`~vankien.api.sparql.AnswerFirst`), as uvicorn would send it, without starting a
        request cycle and task for it; False when there is none."""
        if (self._early_answers is None or self.parser.get_method() != b"GET" or self.pipeline
                or not (self.cycle is None or self.cycle.response_complete) or self.flow.write_paused
                or self.parser.get_http_version() != "1.1"
                or not self.parser.should_keep_alive() or self.expect_100_continue
                or any(name in NOT_EARLY_HEADERS or name.startswith(b"x-forwarded") for name, _ in self.headers)):
            return False
        parsed = httptools.parse_url(self.url)
        try:
            ready = self._early_answers(parsed.path, parsed.query or b"", self.headers, self.scheme,
                                        self.server, self.root_path)
        except Exception:  # a bug: the ASGI way answers (and reports) it
            self.logger.exception("answering early failed; answering the ASGI way")
            return False
        if ready is None:
            self.scope[TRIED_FIRST] = True  # type: ignore[literal-required]  # the app need not look again
            return False
        if self.access_log:  # the line uvicorn logs
            where = {"client": self.client, "path": parsed.path.decode("ascii"), "root_path": self.root_path,
                     "query_string": parsed.query or b""}
            self.access_logger.info('%s - "%s %s HTTP/%s" %d', get_client_addr(where), "GET",  # type: ignore[arg-type]
                                    get_path_with_query_string(where), "1.1", ready.status)  # type: ignore[arg-type]
        content = [STATUS_LINE[ready.status]]
        for name, value in (*self.server_state.default_headers, *ready.served_headers):
            content += [name, b": ", value, b"\r\n"]
        self.transport.write(b"".join([*content, b"\r\n", ready.body]))
        self._answered_early = True
        self.on_response_complete()
        return True

    def on_response_complete(self) -> None:
        self._arm_header_timer()  # the next request's head gets the same time
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        if self._refusal is not None:
            self._refuse(*self._refusal)
        else:
            super().send_400_response(msg)

    def connection_lost(self, exc) -> None:
        self._cancel_header_timer()
        self._cancel_body_timer()
        super().connection_lost(exc)

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_timed_out(self) -> None:
        """The body of the request being read did not arrive in time (the timer is cancelled when
        it ends): 408 (unless its response has begun) and the connection is closed; the app reads a
        disconnect."""
        self._body_timer = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            cycle.response_started = True  # nothing else may be written for it
            self._refuse(408, f"request body not complete within {self._body_timeout_s:g} s")
        self.transport.close()

    def _over_limit(self, url_bytes: int, header_bytes: int) -> tuple[int, str] | None:
        if url_bytes > self._max_url_bytes:
            return 414, f"URL longer than {self._max_url_bytes} bytes; send a long query with POST"
        if header_bytes > MAX_HEADER_BYTES:
            return 431, f"request header fields longer than {MAX_HEADER_BYTES} bytes"
        return None

    def _refuse(self, status: int, message: str) -> None:
        body = message.encode()
        reason = {408: b"Request Timeout", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}[status]
        self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                             b"connection: close\r\ncontent-length: %d\r\n\r\n%s"
                             % (status, reason, len(body), body))
        self.transport.close()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self._header_timeout_s, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        timer: asyncio.TimerHandle | None = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        answering = self.cycle is not None and not self.cycle.response_complete  # its response re-arms
        if self._awaiting_head and not answering and not self.transport.is_closing():
            self.transport.close()


class _HeadWithBody:
    """The transport as one response sees it: the response head is held back and written with the
    first body bytes, so a small answer leaves in one write (one TCP segment, one wake-up of the
    client) instead of two. Whatever is held is written when the response completes or the
    connection is closed. (It keeps no reference to the cycle: no reference loop per request.)"""

    __slots__ = ("_transport", "_head", "_holding", "_on_response")

    def __init__(self, transport, on_response) -> None:
        self._transport, self._on_response = transport, on_response
        self._head: bytes | None = None
        self._holding = True  # until the head is written

    @classmethod
    def wrap(cls, cycle) -> None:
        holder = cls(cycle.transport, cycle.on_response)
        cycle.transport, cycle.on_response = holder, holder.response_complete

    def write(self, data: bytes) -> None:
        if self._holding and data != CONTINUE:  # the head (a 100 Continue goes out at once)
            self._holding, self._head = False, data
            return
        if self._head is not None:
            data, self._head = self._head + data, None
        self._transport.write(data)

    def flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def response_complete(self) -> None:
        self.flush()
        self._on_response()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"  # what uvicorn writes before reading an expected body
TRIED_FIRST = "vankien.answer_first"  # in the scope of a request that had no ready answer

BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})  # a request with a body

# A request with one of these (a body, a proxy's or a browser's cross-origin view) goes the ASGI way.
NOT_EARLY_HEADERS = BODY_HEADERS | {b"forwarded", b"origin"}


def _early_answers_of(app):
    """The ``answer_early`` of the first app in uvicorn's wrapping (its middleware keep the
    wrapped app as ``.app``) that has one, else None."""
    for _ in range(8):
        if app is None or hasattr(app, "answer_early"):
            return getattr(app, "answer_early", None)
        app = getattr(app, "app", None)
    return None


@functools.lru_cache(maxsize=1)
def _settings_from_env() -> Settings:
    return Settings.from_env()


def check_can_listen(host: str, port: int) -> None:
    """Refuse, before a server is announced, a port it cannot listen on (held by another server,
    privileged, or no TCP port): uvicorn would log its own error and exit 3, vankien's "not found"."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as uvicorn binds
        try:
            probe.bind((host, port))
        except (OSError, OverflowError) as problem:
            reason = getattr(problem, "strerror", None) or str(problem)
            raise BadInput(f"port: cannot listen on {host}:{port}: {reason}; choose another with --port") from None


def uvicorn_options(settings: Settings | None = None) -> dict:
    """uvicorn options for serving vankien: the protocol with the request-head limits of
    ``settings`` (else of ``VANKIEN_*``, read in each web worker)."""
    protocol: str | type
    if settings is None:  # named by import path: works with several web worker processes
        protocol = f"{__name__}:HeaderTimeoutProtocol"
    else:
        protocol = type("VankienHttpProtocol", (HeaderTimeoutProtocol,), {"settings": settings})
    # No "server: uvicorn" header: it names the software and costs every client a header to read.
    return {"http": protocol, "timeout_keep_alive": 5, "server_header": False}
