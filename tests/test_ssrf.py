"""Hardening finding 1 (issue 11): the endpoint cannot be turned into a proxy into its host's network.

A canary HTTP server on 127.0.0.1 (tests/canary.py) answers every request with a SPARQL result that
would show up in a response if the endpoint had fetched it; each test asserts the canary saw nothing. The data served
is SYNTHETIC (a handful of triples under the synthetic namespace).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Literal, Namespace

from vankien.graph.executor import QueryFailed
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import QueryRefused, check_query, expand_codepoint_escapes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from canary import CANARY_MARK
from engines import free_loopback_port
from serving import vankien_runtime_serving

SYN = Namespace("https://w3id.org/vankien/synthetic/id/")
STRAY_FETCH_WAIT_S = 0.3


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base_url, executor) of a real uvicorn serving a SYNTHETIC graph."""
    folder = tmp_path_factory.mktemp("ssrf")
    data = Dataset()
    graph = data.graph(SYN["graph/ssrf"])
    for n in range(3):
        graph.add((SYN[f"doc/{n}"], SYN["p"], Literal(n)))
    nquads = folder / "vankien.nq"
    data.serialize(destination=str(nquads), format="nquads")
    with vankien_runtime_serving(nquads, folder, query_timeout_s=3.0) as (url, runtime):
        yield url, runtime.executor


def _escape_bypasses(target: str) -> dict[str, str]:
    """The audit's bypass: an escaped quote that the checker and the engine read differently."""
    service = f"SERVICE <{target}/x> {{ ?s ?p ?o }}"
    return {
        "double quote": f'SELECT * WHERE {{ BIND("\\u0022" AS ?a) {service} BIND("\\u0022" AS ?b) }}',
        "single quote": f"SELECT * WHERE {{ BIND('\\u0027' AS ?a) {service} BIND('\\u0027' AS ?b) }}",
        "long escape": f'SELECT * WHERE {{ BIND("\\U00000022" AS ?a) {service} BIND("\\U00000022" AS ?b) }}',
        "escaped keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{target}/x> {{ ?s ?p ?o }} }}",
    }


def test_finding_1_codepoint_escapes_cannot_smuggle_service(served, canary):
    base_url, _ = served
    target, seen = canary
    for name, query in _escape_bypasses(target).items():
        for response in (
            httpx.get(f"{base_url}/sparql", params={"query": query}),
            httpx.post(f"{base_url}/sparql", data={"query": query}),
            httpx.post(f"{base_url}/sparql", content=query.encode(),
                       headers={"Content-Type": "application/sparql-query"}),
        ):
            assert response.status_code in (200, 400), (name, response.status_code, response.text)
            assert CANARY_MARK not in response.text, name
    time.sleep(STRAY_FETCH_WAIT_S)
    assert seen == []


def test_finding_1_graph_view_construct_cannot_smuggle_service(served, canary):
    base_url, _ = served
    target, seen = canary
    construct = (f'CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND("\\u0022" AS ?a) '
                 f'SERVICE <{target}/x> {{ ?s ?p ?o }} BIND("\\u0022" AS ?b) }}')
    response = httpx.get(f"{base_url}/graph", params={"construct": construct})
    assert response.status_code < 500
    assert CANARY_MARK not in response.text
    time.sleep(STRAY_FETCH_WAIT_S)
    assert seen == []


def test_finding_1_the_checked_text_is_the_executed_text():
    settings = Settings()
    query = 'SELECT * WHERE { BIND("\\u0022" AS ?a) SERVICE <http://127.0.0.1:1/x> {} BIND("\\u0022" AS ?b) }'
    info = check_query(query, settings)
    # Expanded once, the SERVICE call is part of a long string both parsers agree on.
    assert info.text == query.replace("\\u0022", '"')
    assert "\\u" not in info.text
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }", settings)


@pytest.mark.parametrize("query, message", [
    ('SELECT * WHERE { BIND("\\U00110000" AS ?x) }', "not a Unicode character"),
    ('SELECT * WHERE { BIND("\\uD800" AS ?x) }', "not a Unicode character"),
    ('SELECT * WHERE { BIND("\\u005Cu0022" AS ?x) }', "another escape"),
])
def test_finding_6_bad_codepoint_escapes_are_400(served, query, message):
    base_url, _ = served
    with pytest.raises(QueryRefused, match=message):
        expand_codepoint_escapes(query)
    response = httpx.get(f"{base_url}/sparql", params={"query": query})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_finding_1_query_workers_have_no_network(served, canary):
    """Defence in depth: a SERVICE call handed straight to a worker, past the guard, fetches nothing."""
    _, executor = served
    target, seen = canary
    assert executor.network_isolation, "the query workers run without any isolation layer"
    closed_port = free_loopback_port()          # nobody listens there
    messages = []
    for url in (f"{target}/x", f"http://127.0.0.1:{closed_port}/x"):
        request = (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "json", None, None, True, 10, None)
        with pytest.raises(QueryFailed) as failure:
            executor._run_in_worker(request)  # bypasses check_query on purpose
        messages.append(str(failure.value))
    time.sleep(STRAY_FETCH_WAIT_S)
    assert seen == []
    # An open and a closed port give the same answer: nothing is learnt about the host.
    assert messages[0] == messages[1]
    assert str(closed_port) not in messages[1] and "refused" not in messages[1].lower()


def test_finding_1_sandbox_blocks_sockets_in_a_fresh_process(canary):
    target, seen = canary
    port = target.rsplit(":", 1)[1]
    script = (
        "import socket, sys\n"
        "from vankien.graph.sandbox import deny_network\n"
        "layers = deny_network()\n"
        "assert layers, 'no isolation layer'\n"
        f"try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "except OSError:\n    print('blocked', *layers)\n    sys.exit(0)\n"
        "sys.exit('connected')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("blocked")
    assert seen == []


