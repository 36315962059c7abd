"""QueryExecutor: hard time limit, worker restart, truncation and output formats (SYNTHETIC data)."""

from __future__ import annotations

import io
import os
import signal
import threading
import time

import pyoxigraph as ox
import pytest
import rdflib

from vankien.graph.executor import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    QueryExecutor,
    QueryFailed,
    QueryTimeout,
)
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import QueryRefused
from vankien.graph.store import DiskStore

SYN = "https://w3id.org/vankien/synthetic/id/"
PREDICATE = f"<{SYN}p>"
SUBJECTS = 3000  # a few thousand triples: enough for a cross product that never ends
TIMEOUT_S = 1.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


@pytest.fixture(scope="module")
def synthetic_nquads(tmp_path_factory):
    """SYNTHETIC: SUBJECTS triples ``<s{i}> <p> i`` in graph/big plus a 2-triple graph/small."""
    path = tmp_path_factory.mktemp("executor") / "synthetic.nq"
    lines = [
        f'<{SYN}s{i}> {PREDICATE} "{i}"^^<http://www.w3.org/2001/XMLSchema#integer> <{SYN}graph/big> .'
        for i in range(SUBJECTS)
    ]
    lines.append(f'<{SYN}small/a> <{SYN}label> "A"@de <{SYN}graph/small> .')
    lines.append(f'<{SYN}small/a> <{SYN}next> <{SYN}small/b> <{SYN}graph/small> .')
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def executor(synthetic_nquads):
    """One worker, so a query after a timeout must run on the restarted worker."""
    with QueryExecutor(Settings(query_timeout_s=TIMEOUT_S, max_rows=50), synthetic_nquads, workers=1) as ex:
        yield ex


def test_runaway_query_is_stopped_and_the_next_query_runs(executor):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=f"{TIMEOUT_S:g} s time limit"):
        executor.execute(RUNAWAY)
    assert time.monotonic() - started < TIMEOUT_S + 2
    result = executor.execute(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s {PREDICATE} ?o }}")
    (row,) = list(ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON))
    assert int(row["n"].value) == SUBJECTS


def test_truncation_keeps_exactly_max_rows(executor):
    result = executor.execute(f"SELECT ?s ?o WHERE {{ ?s {PREDICATE} ?o }}", max_rows=10)
    assert (result.truncated, result.row_count) == (True, 10)
    assert len(list(ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON))) == 10
    capped = executor.execute(f"SELECT ?s WHERE {{ ?s {PREDICATE} ?o }}")  # settings.max_rows = 50
    assert (capped.truncated, capped.row_count) == (True, 50)
    whole = executor.execute(f"SELECT ?s WHERE {{ ?s {PREDICATE} ?o }} LIMIT 10", max_rows=10)
    assert (whole.truncated, whole.row_count) == (False, 10)
    triples = executor.execute(f"CONSTRUCT WHERE {{ ?s {PREDICATE} ?o }}", format="ntriples", max_rows=7)
    assert (triples.truncated, triples.row_count) == (True, 7)
    assert len(list(ox.parse(triples.body, ox.RdfFormat.N_TRIPLES))) == 7


SMALL_SELECT = f"SELECT ?s ?label WHERE {{ ?s <{SYN}label> ?label }}"
EXPECTED_ROW = {(f"{SYN}small/a", "A", "de")}


@pytest.mark.parametrize("format", SOLUTION_FORMATS)
def test_solution_formats_parse_back(executor, format):
    result = executor.execute(SMALL_SELECT, format=format)
    assert result.form == "SELECT" and result.row_count == 1
    if format == "csv":  # CSV drops language tags, so read it with rdflib and compare values
        parsed = rdflib.query.Result.parse(io.BytesIO(result.body), format="csv")
        assert {(str(r.s), str(r.label)) for r in parsed} == {(f"{SYN}small/a", "A")}
        return
    parsed = ox.parse_query_results(result.body, ox.QueryResultsFormat.from_media_type(result.media_type))
    assert {(r["s"].value, r["label"].value, r["label"].language) for r in parsed} == EXPECTED_ROW


@pytest.mark.parametrize("format", GRAPH_FORMATS)
def test_graph_formats_parse_back(executor, format):
    result = executor.execute(f"CONSTRUCT WHERE {{ <{SYN}small/a> ?p ?o }}", format=format)
    parsed = rdflib.Dataset()
    parsed.parse(data=result.body, format=result.media_type)
    triples = {(str(s), str(p), str(o)) for s, p, o, _g in parsed.quads()}
    assert triples == {
        (f"{SYN}small/a", f"{SYN}label", "A"),
        (f"{SYN}small/a", f"{SYN}next", f"{SYN}small/b"),
    }


def test_ask_and_dataset_parameters(executor):
    yes = executor.execute(f"ASK {{ <{SYN}small/a> ?p ?o }}", format="xml")
    assert bool(ox.parse_query_results(yes.body, ox.QueryResultsFormat.XML)) is True
    only_big = executor.execute(f"ASK {{ <{SYN}small/a> ?p ?o }}", default_graph=[f"{SYN}graph/big"])
    assert bool(ox.parse_query_results(only_big.body, ox.QueryResultsFormat.JSON)) is False
    from_small = executor.execute(f"SELECT (COUNT(*) AS ?n) FROM <{SYN}graph/small> WHERE {{ ?s ?p ?o }}")
    (row,) = list(ox.parse_query_results(from_small.body, ox.QueryResultsFormat.JSON))
    assert int(row["n"].value) == 2


def test_guard_runs_before_the_store(executor):
    with pytest.raises(QueryRefused, match="SERVICE"):
        executor.execute("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(QueryRefused, match="FROM"):
        executor.execute(f"SELECT * FROM <{SYN}graph/absent> WHERE {{ ?s ?p ?o }}")
    # A protocol graph the store does not hold is an empty graph, never read.
    absent = executor.execute("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=["file:///etc/passwd"])
    assert absent.row_count == 0
    with pytest.raises(QueryRefused, match="named-graph-uri"):
        executor.execute("SELECT * WHERE { ?s ?p ?o }", named_graphs=["no iri"])
    with pytest.raises(QueryRefused) as refused:
        executor.execute(SMALL_SELECT, format="turtle")
    assert refused.value.status == 406
    with pytest.raises(QueryRefused, match="line 1, column 21: the prefix undeclared: is not declared"):
        executor.execute("SELECT * WHERE { ?s undeclared:p ?o }")   # named before Oxigraph's terse error


def test_worker_killed_mid_query_is_replaced(executor):
    def kill_soon() -> None:
        time.sleep(0.3)
        (worker,) = list(executor._workers)  # the one busy worker this executor started
        os.kill(worker.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_soon)
    killer.start()
    with pytest.raises(QueryFailed, match="stopped unexpectedly"):
        executor.execute(RUNAWAY)
    killer.join()
    result = executor.execute(SMALL_SELECT)
    assert result.row_count == 1


def test_concurrent_callers_and_reload(synthetic_nquads, tmp_path):
    settings = Settings(query_timeout_s=10, max_rows=100)
    with QueryExecutor(settings, synthetic_nquads, workers=2) as ex:
        counts: list[int] = []

        def ask() -> None:
            counts.append(ex.execute(f"SELECT ?s WHERE {{ ?s {PREDICATE} 7 }}").row_count)

        callers = [threading.Thread(target=ask) for _ in range(6)]
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
        assert counts == [1] * 6
        rebuilt = tmp_path / "rebuilt.nq"
        rebuilt.write_text(f'<{SYN}new> <{SYN}label> "neu"@de <{SYN}graph/new> .\n')
        ex.reload(rebuilt)
        assert ex.local_graphs() == [f"{SYN}graph/new"]
        result = ex.execute(f"SELECT ?label WHERE {{ ?s <{SYN}label> ?label }}", format="tsv")
        assert [r["label"].value for r in ox.parse_query_results(result.body, ox.QueryResultsFormat.TSV)] == ["neu"]


def test_disk_backend_reads_a_read_only_store(synthetic_nquads, tmp_path):
    writer = DiskStore(tmp_path / "store")
    writer.replace_with(synthetic_nquads)
    writer.close()
    settings = Settings(store="disk", data_dir=tmp_path, query_timeout_s=TIMEOUT_S)
    with QueryExecutor(settings, workers=1) as ex:
        assert ex.local_graphs() == [f"{SYN}graph/big", f"{SYN}graph/small"]
        assert ex.execute(SMALL_SELECT).row_count == 1
        with pytest.raises(QueryTimeout):
            ex.execute(RUNAWAY)
        assert ex.execute(SMALL_SELECT).row_count == 1


@pytest.mark.remote
def test_remote_backend_serialises_like_the_embedded_one(oxigraph_server, synthetic_nquads):
    from vankien.graph.store import open_store

    settings = Settings(store="remote", remote_query_url=f"{oxigraph_server}/query", max_rows=20)
    with open_store(settings) as store:
        store.replace_with(synthetic_nquads)
    with QueryExecutor(settings) as ex:
        result = ex.execute(f"SELECT ?s WHERE {{ ?s {PREDICATE} ?o }}")
        assert (result.truncated, result.row_count) == (True, 20)
        small = ex.execute(SMALL_SELECT, format="xml")
        parsed = ox.parse_query_results(small.body, ox.QueryResultsFormat.XML)
        assert {(r["s"].value, r["label"].value, r["label"].language) for r in parsed} == EXPECTED_ROW
