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
    return int(json.loads(result.body)["results"]["bindings"][0]["n"]["value"])


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
