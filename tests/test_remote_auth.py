"""Credentials go only to the endpoints that ask for them (graph/remote/auth.py)."""

from __future__ import annotations

import httpx

from vankien.graph.remote.auth import ChallengeAuth


def test_credentials_go_only_to_the_endpoints_that_ask_for_them():
    """After a write authenticated at /sparql-auth, reads at /sparql still run as the engine's
    query user: on Virtuoso, dba would read the graphs private to it (README "Remote stores")."""
    seen: list[tuple[str, bool]] = []

    def engine(request: httpx.Request) -> httpx.Response:
        signed = "authorization" in request.headers
        seen.append((request.url.path, signed))
        if request.url.path == "/sparql-auth" and not signed:
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="SPARQL"'})
        return httpx.Response(200, text="ok")

    with httpx.Client(transport=httpx.MockTransport(engine), auth=ChallengeAuth("dba", "secret"),
                      base_url="http://127.0.0.1:8890") as client:
        client.post("/sparql", content=b"query")
        client.post("/sparql-auth", content=b"update")
        client.post("/sparql-auth", content=b"update")
        client.post("/sparql", content=b"query")
    assert seen == [("/sparql", False), ("/sparql-auth", False), ("/sparql-auth", True),
                    ("/sparql-auth", True), ("/sparql", False)]
