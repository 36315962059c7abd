"""The executor reuses a small answer of a repeatable query until the data is reloaded (issue 11,
throughput): the same answer without a worker, a fresh one after a reload, never for RAND()/NOW().
The data is SYNTHETIC."""

from __future__ import annotations

import json

import pytest

from vankien.graph.executor import QueryExecutor
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import QueryRefused, is_repeatable

SYN = "https://w3id.org/vankien/synthetic/id/"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{SYN}p> ?o }}"


def write(path, triples: int):
    path.write_text("".join(f'<{SYN}s{i}> <{SYN}p> "{i}" <{SYN}graph> .\n' for i in range(triples)))
    return path


def count_of(result) -> int:
    """The count in an executed result, or in an answer's parsed JSON."""
    answer = result if isinstance(result, dict) else json.loads(result.body)
    return int(answer["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def executor(tmp_path):
    settings = Settings.from_env(data_dir=tmp_path, seeds_dir=tmp_path, sources_dir=tmp_path)
    with QueryExecutor(settings, write(tmp_path / "a.nq", 3)) as running:
        yield running, tmp_path


def test_an_answer_is_reused_until_the_data_is_reloaded(executor):
    running, folder = executor
    assert running.answer_if_known(COUNT, format="json") is None  # never checked, never run
    first = running.execute(COUNT, format="json")
    assert count_of(first) == 3
    again = running.answer_if_known(COUNT, format="json")
    assert again is not None and again.body == first.body and again.form == "SELECT"
    # Another format, another dataset or base is another answer.
    assert running.answer_if_known(COUNT, format="xml") is None
    assert running.answer_if_known(COUNT, format="json", default_graph=[f"{SYN}graph"]) is None
    running.reload(write(folder / "b.nq", 5))
    assert running.answer_if_known(COUNT, format="json") is None
    assert count_of(running.execute(COUNT, format="json")) == 5


def test_volatile_queries_are_run_each_time(executor):
    running, _ = executor
    query = "SELECT (RAND() AS ?r) (STRUUID() AS ?u) WHERE {}"
    answers = {running.execute(query, format="json").body for _ in range(3)}
    assert len(answers) == 3
    assert running.answer_if_known(query, format="json") is None


def test_a_known_refusal_is_raised_without_a_worker(executor):
    running, _ = executor
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"
    with pytest.raises(QueryRefused):
        running.execute(service)
    with pytest.raises(QueryRefused, match="SERVICE"):
        running.check_if_known(service)


@pytest.mark.parametrize("query, repeatable", [
    ("SELECT * WHERE { ?s ?p ?o }", True),
    ("SELECT (NOW() AS ?t) WHERE {}", False),
    ("SELECT (bnode () AS ?b) WHERE {}", False),
    ('SELECT * WHERE { ?s ?p "RAND()" } # uuid()', True),
    ("SELECT * WHERE { ?s <http://x/NOW()> ?o }", True),
])
def test_repeatable_reads_outside_strings_iris_and_comments(query, repeatable):
    assert is_repeatable(query) is repeatable


def test_a_remembered_answer_is_sent_as_the_route_sends_it(tmp_path, monkeypatch):
    """The second GET is answered before the framework (RememberedAnswers): same status, headers
    and body as the first, which the route answered; CORS still applies; errors stay the app's."""
    import sys
    from pathlib import Path

    import httpx

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from serving import vankien_serving

    from vankien.api import sparql

    answered_early = []
    original = sparql.remembered_answer
    monkeypatch.setattr(sparql, "remembered_answer",
                        lambda scope: answered_early.append(original(scope)) or answered_early[-1])
    nquads = write(tmp_path / "a.nq", 3)
    with vankien_serving(nquads, tmp_path, cors="*") as url:
        for params, accept in (({"query": COUNT}, None),
                               ({"query": COUNT, "format": "turtle", "output": "csv"}, "*/*"),
                               ({"query": f"CONSTRUCT WHERE {{ ?s <{SYN}p> ?o }}",
                                 "default-graph-uri": f"{SYN}graph"}, "application/n-triples")):
            headers = {"Origin": "http://page.localhost", **({"Accept": accept} if accept else {})}
            first, second = (httpx.get(f"{url}/sparql", params=params, headers=headers) for _ in range(2))
            assert first.status_code == second.status_code == 200
            assert first.content == second.content and first.content
            drop = {"date"}
            assert ({k: v for k, v in first.headers.items() if k not in drop}
                    == {k: v for k, v in second.headers.items() if k not in drop})
            assert second.headers["access-control-allow-origin"] == "*"
            # the first went to the route, the second was answered before it
            assert [response is not None for response in answered_early[-2:]] == [False, True]
        refused = [httpx.get(f"{url}/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> {} }"})
                   for _ in range(2)]
        assert [r.status_code for r in refused] == [400, 400] and refused[0].json() == refused[1].json()
        unacceptable = [httpx.get(f"{url}/sparql", params={"query": COUNT}, headers={"Accept": "image/png"})
                        for _ in range(2)]
        assert [r.status_code for r in unacceptable] == [406, 406]


def test_a_ready_answer_is_sent_before_the_framework_until_the_data_is_reloaded(tmp_path, monkeypatch):
    """As `vankien serve` runs: a repeated keep-alive GET is written by the HTTP protocol from the
    ready answers (no ASGI request), one that must close goes through AnswerFirst, neither enters
    the framework after the first; the third no longer asks the executor. All carry the route's
    body and headers and the security headers; after a reload the new data's answer is sent."""
    import sys
    from pathlib import Path

    import httpx

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from serving import live_server

    from vankien.api import sparql
    from vankien.api.app import Runtime, create_app
    from vankien.graph.store import MemoryStore

    asked = []
    original = sparql.remembered_answer
    monkeypatch.setattr(sparql, "remembered_answer", lambda scope: asked.append(original(scope)) or asked[-1])
    entered: dict[str, list] = {"AnswerFirst": [], "framework": []}
    for name, cls in (("AnswerFirst", sparql.AnswerFirst), ("framework", sparql.RememberedAnswers)):
        def counting(inner, calls):
            async def counted(self, scope, receive, send):
                calls.append(scope.get("path"))
                await inner(self, scope, receive, send)
            return counted
        monkeypatch.setattr(cls, "__call__", counting(cls.__call__, entered[name]))
    nquads = write(tmp_path / "a.nq", 3)
    settings = Settings.from_env(data_dir=tmp_path, seeds_dir=tmp_path, sources_dir=tmp_path)
    store = MemoryStore()
    store.load(nquads)
    with QueryExecutor(settings, nquads) as running:
        with live_server(create_app(runtime=Runtime(settings, store, running))) as url:
            answers = [httpx.get(f"{url}/sparql", params={"query": COUNT}) for _ in range(3)]
            assert [answer is not None for answer in asked] == [False, True]  # the third: ready
            assert entered["AnswerFirst"].count("/sparql") == 1  # only the first, which the route answered
            closing = httpx.get(f"{url}/sparql", params={"query": COUNT}, headers={"Connection": "close"})
            assert entered["AnswerFirst"].count("/sparql") == 2 and entered["framework"].count("/sparql") == 1
            answers.append(closing)
            assert [count_of(answer.json()) for answer in answers] == [3, 3, 3, 3]
            drop = {"date", "connection"}
            route, *ready = ({k: v for k, v in answer.headers.items() if k not in drop} for answer in answers)
            assert ready == [route, route, route]
            assert route["x-content-type-options"] == "nosniff" and route["x-frame-options"] == "DENY"
            assert route["content-type"].startswith("application/sparql-results+json")
            assert closing.headers["connection"] == "close"
            running.reload(write(tmp_path / "b.nq", 5))
            assert count_of(httpx.get(f"{url}/sparql", params={"query": COUNT}).json()) == 5
