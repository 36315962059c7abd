"""A canary HTTP server on 127.0.0.1: it answers every request with a SPARQL result that would show
up in a response if the endpoint had fetched it, and records the request. Tests that send hostile
queries point their SERVICE / FROM targets at it and assert it saw nothing.

``running_canary()`` yields ``(url, seen)``; ``seen`` is the list of requests it received. The
``canary`` fixture (tests/conftest.py) wraps it for one test.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Iterator

import httpx

CANARY_MARK = "canary-was-fetched"


def _handler(seen: list[str]):
    class Canary(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append(f"{self.command} {self.path}")
            body = json.dumps({"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": [
                {v: {"type": "literal", "value": CANARY_MARK} for v in ("s", "p", "o")}]}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    return Canary


@contextmanager
def running_canary() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(seen))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        httpx.get(f"{url}/self-check")  # the canary itself answers …
        assert seen == ["GET /self-check"]
        seen.clear()
        yield url, seen
    finally:
        server.shutdown()
        server.server_close()
