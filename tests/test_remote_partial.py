"""An engine that stops a query at its time limit and answers what it found so far (Virtuoso's
"anytime" queries: HTTP 206, or 200 with an X-SQL-State header) has not answered the query: the
remote store refuses the cut answer instead of serving it as the whole one.

The engine is a small Starlette app on 127.0.0.1 that answers every query with one valid row.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vankien.graph.store_interface import StoreError
from vankien.graph.settings import Settings
from vankien.graph.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import live_server

ONE_ROW = (b'{"head": {"vars": ["s"]}, "results": {"bindings": '
           b'[{"s": {"type": "uri", "value": "http://example.org/synthetic/a"}}]}}')


def engine_answering(status: int, headers: dict[str, str]) -> Starlette:
    async def sparql(request: Request) -> Response:
        return Response(ONE_ROW, status_code=status, headers=headers,
                        media_type="application/sparql-results+json")
    return Starlette(routes=[Route("/sparql", sparql, methods=["GET", "POST", "HEAD"])])


def ask(app: Starlette) -> list[str]:
    with live_server(app, probe_path="/sparql") as base_url:
        settings = Settings(store="remote", remote_query_url=base_url + "/sparql", remote_profile="generic")
        with open_store(settings) as store:
            return [row[0].value for row in store.query("SELECT ?s WHERE { ?s ?p ?o }")]


def test_a_whole_answer_is_read():  # the same engine, answering 200 without the partial marks
    assert ask(engine_answering(200, {})) == ["http://example.org/synthetic/a"]


@pytest.mark.parametrize("status, headers, named", [
    (206, {}, "HTTP 206"),
    (206, {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"}, "S1TAT"),
    (200, {"X-SQL-State": "S1TAT"}, "X-SQL-State S1TAT"),
])
def test_a_partial_answer_is_refused(status, headers, named):
    with pytest.raises(StoreError) as refused:
        ask(engine_answering(status, headers))
    assert "partial result" in str(refused.value) and named in str(refused.value)
