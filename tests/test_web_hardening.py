"""Hardening finding 9 (issue 11): the web layer — security headers with a CSP nonce on HTML, only
http(s) IRIs clickable on the query page, error payloads never served as HTML, slowloris
connections closed, HEAD and OPTIONS on every GET route.

Browser tests use Debian chromium via Playwright (skipped without it unless
VANKIEN_REQUIRE_BROWSER=1). Served data: the real graph, or the SYNTHETIC viz fixture.
"""

from __future__ import annotations

import re
import socket
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "fixtures" / "viz"))
from test_api_formats import REQUESTS  # noqa: E402  (one sample request per GET route, checked there)
from viz_support import serving  # noqa: E402

from vankien.api.security import MAX_URL_BYTES  # noqa: E402
from vankien.graph.settings import Settings  # noqa: E402

HTML_PAGES = ["/", "/query", "/graph", "/ontology", "/id/doc/tw/ct/35/k13"]
SLOW_SOCKETS = 50
HEADER_TIMEOUT_S = 2.0
BODY_TIMEOUT_S = 2.0
SLOW_BODIES = 20
XSS = "<script>window.__xss=1</script>"


class _Scripts(HTMLParser):
    """The attributes of every <script> that would run inline (no src, not a JSON data block)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.inline: list[dict] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and "json" not in (attrs.get("type") or ""):
            self.inline.append(attrs)


@pytest.fixture(scope="module")
def served(real_graph):
    """Base URL of a real uvicorn serving the real graph, header and body timeouts 2 s."""
    settings, store = real_graph
    with serving(settings.replace(header_timeout_s=HEADER_TIMEOUT_S, body_timeout_s=BODY_TIMEOUT_S), store) as url:
        yield url


def _csp_nonce(response: httpx.Response) -> str:
    policy = response.headers["content-security-policy"]
    return re.search(r"'nonce-([^']+)'", policy).group(1)


@pytest.mark.parametrize("path", HTML_PAGES)
def test_finding_9_html_has_security_headers_and_nonced_scripts(served, path):
    first = httpx.get(served + path, headers={"Accept": "text/html"})
    second = httpx.get(served + path, headers={"Accept": "text/html"})
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    policy = first.headers["content-security-policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                      "base-uri 'none'"):
        assert directive in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["x-frame-options"] == "DENY"
    assert first.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert _csp_nonce(first) != _csp_nonce(second)  # fresh per response
    # Every inline script that would run carries this response's nonce.
    for attributes in _Scripts(first.text).inline:
        assert attributes.get("nonce") == _csp_nonce(first), attributes


def test_finding_9_json_errors_echo_no_html(served):
    for response in (
        httpx.get(f"{served}/sparql", params={"query": XSS}, headers={"Accept": "text/html"}),
        httpx.get(f"{served}/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p '{XSS}' . BAD }}"}),
        httpx.get(f"{served}/documents/{XSS}"),
        httpx.get(f"{served}/graph", params={"construct": XSS}, headers={"Accept": "text/html"}),
    ):
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["x-content-type-options"] == "nosniff"
        if response.headers["content-type"].startswith("text/html"):
            assert XSS not in response.text  # escaped where it is shown at all
        else:
            assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("url", REQUESTS)
def test_finding_9_head_and_options_on_every_get_route(api_client, url):
    get = api_client.get(url)
    head = api_client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
    options = api_client.options(url)
    assert options.status_code == 204
    allowed = {method.strip() for method in options.headers["allow"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= allowed
    assert ("POST" in allowed) == url.startswith("/sparql")
    assert api_client.options("/no-such-route").status_code == 404


def _trickle_until_closed(port: int, start: bytes, trickle: bytes, count: int, limit_s: float):
    """Open ``count`` connections that send ``start`` and then ``trickle`` every 0.25 s (never an
    end) until the server closes each or ``limit_s`` passes. Returns the seconds after which each
    closed (by index) and what each received."""
    sockets = []
    try:
        for _ in range(count):
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            conn.sendall(start)
            conn.setblocking(False)
            sockets.append(conn)
        opened = time.monotonic()
        closed_after: dict[int, float] = {}
        received: dict[int, bytes] = {}
        while len(closed_after) < count and time.monotonic() - opened < limit_s:
            for index, conn in enumerate(sockets):
                if index in closed_after:
                    continue
                try:
                    conn.send(trickle)
                    chunk = conn.recv(4096)
                    received[index] = received.get(index, b"") + chunk
                    if chunk == b"":
                        closed_after[index] = time.monotonic() - opened
                except BlockingIOError:
                    pass
                except OSError:  # reset or broken pipe: closed by the server
                    closed_after[index] = time.monotonic() - opened
            time.sleep(0.25)
        return closed_after, received
    finally:
        for conn in sockets:
            conn.close()


def test_finding_9_slowloris_connections_are_closed(served):
    port = int(served.rsplit(":", 1)[1])
    closed_after, _ = _trickle_until_closed(  # a header line now and then, never the end
        port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: 1\r\n", SLOW_SOCKETS, HEADER_TIMEOUT_S + 8)
    assert len(closed_after) == SLOW_SOCKETS, f"{SLOW_SOCKETS - len(closed_after)} still open"
    assert max(closed_after.values()) < HEADER_TIMEOUT_S + 3
    assert httpx.get(f"{served}/sparql", params={"query": "ASK {}"}).status_code == 200


def test_request_body_that_trickles_is_cut_off(served):
    """A POST whose head arrives but whose body trickles (a byte now and then, never the end) gets
    408 and is closed once the body timeout has passed; a body that arrives in time is answered."""
    port = int(served.rsplit(":", 1)[1])
    head = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Accept: application/sparql-results+json\r\nContent-Length: 1000\r\n\r\nASK {}")
    closed_after, received = _trickle_until_closed(port, head, b" ", SLOW_BODIES, BODY_TIMEOUT_S + 8)
    assert len(closed_after) == SLOW_BODIES, f"{SLOW_BODIES - len(closed_after)} still open"
    assert BODY_TIMEOUT_S - 0.5 < min(closed_after.values())
    assert max(closed_after.values()) < BODY_TIMEOUT_S + 3
    timed_out = [answer for answer in received.values() if answer.startswith(b"HTTP/1.1 408 ")]
    assert timed_out and all(b"request body not complete within 2 s" in answer for answer in timed_out)
    # A body in two parts, the second after a pause well within the limit, is answered.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head.replace(b"1000", b"6").replace(b"Accept:", b"Connection: close\r\nAccept:")[:-3])
        time.sleep(BODY_TIMEOUT_S / 4)
        conn.sendall(b" {}")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ") and b'"boolean":true' in answer.replace(b" ", b""), answer[:300]


def _raw_exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it (bounded)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(data)
        received = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            chunk = conn.recv(65536)
            if not chunk:
                return received
            received += chunk
        raise AssertionError(f"connection still open after 5 s; received {received[:200]!r}")


@pytest.mark.parametrize("finished", [True, False], ids=["complete head", "head still arriving"])
def test_finding_9_request_head_limits(served, finished):
    """Header lines over 16 kB: 431; a URL longer than any query may be encoded in (as a POST
    body): 414 — both whether the head is complete or still arriving. Just under: answered."""
    port = int(served.rsplit(":", 1)[1])
    end = b"\r\n\r\n" if finished else b""
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 17_000
    answer = _raw_exchange(port, head + end)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert answer.endswith(b"request header fields longer than 16384 bytes")
    longest = min(Settings().max_encoded_query_bytes, MAX_URL_BYTES)
    url = b"/sparql?query=ASK%7B%7D&x=" + b"a" * longest
    answer = _raw_exchange(port, b"GET " + url + (b" HTTP/1.1\r\nHost: 127.0.0.1" + end if finished else b""))
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:200]
    assert f"URL longer than {longest} bytes".encode() in answer
    fits = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Big: "
    answer = _raw_exchange(port, fits + b"a" * 15_000 + b"\r\nAccept: application/sparql-results+json\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert b'"boolean":true' in answer.replace(b" ", b"")


def test_a_url_longer_than_the_parser_reads_is_414_not_a_bare_400(served):
    """httptools reads a URL of at most 65535 bytes (16-bit offsets): a longer whole head got
    uvicorn's "400 Invalid HTTP request received." though a query may be encoded in more."""
    port = int(served.rsplit(":", 1)[1])
    longest = min(Settings().max_encoded_query_bytes, MAX_URL_BYTES)
    start = b"/sparql?query=ASK%7B%7D&x="
    for length in (longest + 1, longest + 1000):
        url = start + b"a" * (length - len(start))
        answer = _raw_exchange(port, b"GET " + url + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 414 "), (length, answer[:200])
        assert f"URL longer than {longest} bytes; send a long query with POST".encode() in answer
    fits = start + b"a" * (longest - len(start))
    answer = _raw_exchange(port, b"GET " + fits + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                                  b"Accept: application/sparql-results+json\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert b'"boolean":true' in answer.replace(b" ", b"")


@pytest.mark.browser
def test_finding_9_query_page_links_only_http_iris_under_csp(browser, served):
    page = browser.new_page()
    violations, errors = [], []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served)
               else route.abort())
    page.goto(f"{served}/query")
    page.wait_for_function("window.vankienEditor !== undefined")
    page.evaluate("text => { window.vankienEditor.value = text; }",
                  "SELECT ?x WHERE { VALUES ?x { <javascript:window.__xss=1> "
                  "<https://w3id.org/vankien/id/doc/tw/ct/35/k13> } }")
    page.click("#run")
    page.locator("#result-table tbody tr").nth(1).wait_for()
    hrefs = page.eval_on_selector_all("#result-table a", "links => links.map(a => a.href)")
    # One link, to the document (the server's own page for a minted IRI); the javascript: IRI is none.
    assert len(hrefs) == 1 and hrefs[0].startswith("http") and hrefs[0].endswith("/id/doc/tw/ct/35/k13")
    assert "javascript:window.__xss=1" in page.locator("#result-table").inner_text()  # shown as text
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.goto(f"{served}/graph")
    page.wait_for_function("window.vankienReady === true", timeout=60_000)
    assert violations == [] and errors == []
    page.close()
