"""Hardening findings 2–6 (issue 11): hostile queries against a real server cost bounded time and
memory, do not stall well-formed queries and leave no process behind.

The data is SYNTHETIC (a few thousand triples under the synthetic namespace: enough for a cross
product that never ends). Every SERVICE / FROM target is the canary on 127.0.0.1, which must count
no request over the whole module.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest


sys.path.insert(0, str(Path(__file__).resolve().parent))
from canary import running_canary
from engines import free_loopback_port, wait_until_answering
from serving import vankien_serving

SYN = "https://w3id.org/vankien/synthetic/id/"
SUBJECTS = 3000
LIMIT_S = 4.0  # the server's query time limit in this module
HTTP_TIMEOUT_S = 90.0


def _cheap(n: int) -> str:
    """A well-formed cheap query; n makes each text distinct (new to the server's memory)."""
    return f"SELECT ?o WHERE {{ <{SYN}s{n}> <{SYN}p> ?o }}"


def _cross_product(n: int) -> str:
    return f"SELECT (COUNT(*) AS ?n{n}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }}"


def _expression_bomb(terms: int) -> str:
    """The audit's checker bomb: ~20 kB of `1+1+…` that rdflib needs ~24 s to parse."""
    return "SELECT * WHERE { BIND(" + "1+" * terms + "1 AS ?x) }"


@pytest.fixture(scope="module")
def canary_url():
    with running_canary() as (url, seen):
        yield url
        time.sleep(0.3)  # room for a stray fetch to arrive
        assert seen == [], f"the canary was fetched: {seen}"


@pytest.fixture(scope="module")
def synthetic_nquads(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "vankien.nq"
    path.write_text("".join(
        f'<{SYN}s{i}> <{SYN}p> "{i}"^^<http://www.w3.org/2001/XMLSchema#integer> <{SYN}graph/big> .\n'
        for i in range(SUBJECTS)))
    return path


@pytest.fixture(scope="module")
def server(synthetic_nquads, canary_url):
    """Base URL of a real uvicorn with 3 query workers, 1 slot for long queries."""
    folder = synthetic_nquads.parent
    with vankien_serving(synthetic_nquads, folder, query_timeout_s=LIMIT_S, query_workers=3,
                         slow_query_slots=1) as url:
        yield url


def _get(url: str, query: str) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": query}, timeout=HTTP_TIMEOUT_S)


def _timed(url: str, query: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = _get(url, query)
    return response, time.monotonic() - started


def _values(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["o"].value for row in ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)]


def test_finding_2_checker_is_time_bounded(server):
    bombs = [_expression_bomb(9_960 + n) for n in range(3)]  # three distinct texts
    with ThreadPoolExecutor(len(bombs)) as pool:
        pending = [pool.submit(_timed, server, bomb) for bomb in bombs]
        time.sleep(0.5)  # the bombs are being checked now
        cheap, cheap_s = _timed(server, _cheap(7))  # a new text: it needs the checker too
        answered = [future.result() for future in pending]
    assert _values(cheap) == ["7"]
    assert cheap_s < LIMIT_S / 2, "a well-formed query waited for the bombs' checks"
    for response, seconds in answered:
        assert response.status_code in (400, 503), response.text
        assert "VANKIEN_" in response.json()["error"]  # the message names the limit it hit
        assert seconds < 2 * LIMIT_S + 5
    # Asked again, each bomb is refused for good; the verdict is remembered per text.
    for bomb in bombs:
        response = _get(server, bomb)
        assert response.status_code == 400
        assert "too complex to parse" in response.json()["error"]
    remembered, seconds = _timed(server, bombs[0])
    assert remembered.status_code == 400 and seconds < LIMIT_S / 2


def test_finding_3_slow_queries_do_not_stall_cheap_ones(server, canary_url):
    slow = [_cross_product(n) for n in range(4)]
    slow.append(f"SELECT * FROM <{canary_url}/g> WHERE {{ ?s ?p ?o }}")  # refused: not local
    with ThreadPoolExecutor(len(slow)) as pool:
        pending = [pool.submit(_get, server, query) for query in slow]
        time.sleep(0.6)  # past slow_query_s: the slow ones hold or have lost their slot
        latencies = []
        for n in range(10):
            response, seconds = _timed(server, _cheap(100 + n))
            assert _values(response) == [str(100 + n)]
            latencies.append(seconds)
        answers = [future.result() for future in pending]
    assert max(latencies) < LIMIT_S / 2, latencies
    for response in answers[:-1]:
        assert response.status_code == 503
        assert "VANKIEN_QUERY_TIMEOUT_S" in response.json()["error"] or \
            "VANKIEN_SLOW_QUERY_SLOTS" in response.json()["error"]
    # Refused (400), or stopped (503) if the busy machine made even its check run long.
    assert answers[-1].status_code in (400, 503), answers[-1].text


def test_finding_6_blank_node_nesting_is_refused(server):
    deep = 3_900
    query = "SELECT * WHERE { ?s ?p " + "[?p" * deep + " 1" + "]" * deep + " }"
    response, seconds = _timed(server, query)
    assert response.status_code == 400, response.text
    assert f"nests brackets {deep + 1} deep" in response.json()["error"]  # the group counts too
    assert seconds < LIMIT_S / 2  # refused by the lexical check, before any parse
    # Brackets inside strings, IRIs and comments are not nesting; shallow blank nodes run.
    shallow = ('SELECT ?o WHERE { [] <' + SYN + 'p> ?o FILTER(?o = 5 || "[[[[[[[[[[[[[[[[[[[[[[" = "") }'
               "  # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")
    assert _values(_get(server, shallow)) == ["5"]


def test_finding_6_all_bracket_kinds_count_together():
    from vankien.graph.sparql_guard import bracket_depth

    assert bracket_depth("[ ?p [ ?p [ ] ] ]") == 3
    assert bracket_depth("{ ?s ?p ( 1 [ ?q ( 2 ) ] ) }") == 4  # { ( [ ( — one stack for all kinds
    assert bracket_depth('{ ?s ?p "[[[" . <http://x/[> ?p ?o # [[[\n }') == 1


@pytest.fixture(scope="module")
def capped_server(synthetic_nquads):
    """A server whose workers may take 256 MB beyond the data, with time enough to reach it."""
    folder = synthetic_nquads.parent
    with vankien_serving(synthetic_nquads, folder, query_timeout_s=60, query_workers=2,
                         worker_memory_mb=256) as url:
        yield url


def _string_doubling(times: int) -> str:
    binds = " ".join(f"BIND(CONCAT(?s{n}, ?s{n}) AS ?s{n + 1})" for n in range(times))
    return f'SELECT (STRLEN(?s{times}) AS ?n) WHERE {{ BIND("0123456789" AS ?s0) {binds} }}'


@pytest.mark.parametrize("query", [
    f"SELECT ?a ?b WHERE {{ ?a <{SYN}p> ?x . ?b <{SYN}p> ?y }} ORDER BY ?x ?y",  # 9 M rows sorted
    _string_doubling(30),  # 10 GB of string
], ids=["order-by-cross-product", "string-doubling"])
def test_finding_4_worker_memory_is_capped(capped_server, query):
    response = _get(capped_server, query)
    assert response.status_code == 507, response.text
    message = response.json()["error"]
    assert "256 MB" in message and "VANKIEN_WORKER_MEMORY_MB" in message
    assert _values(_get(capped_server, _cheap(5))) == ["5"]  # a fresh worker took its place


def _descendants(root: int) -> set[int]:
    """Pids of every living process below ``root`` (read from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1
    return int(fields[11]) + int(fields[12])  # utime + stime


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_finding_5_workers_die_with_the_server(synthetic_nquads, tmp_path):
    import os
    import signal
    import subprocess
    import threading

    data = tmp_path / "var"
    data.mkdir()
    (data / "vankien.nq").write_bytes(synthetic_nquads.read_bytes())
    port = free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VANKIEN_DATA_DIR": str(data), "VANKIEN_QUERY_TIMEOUT_S": "120"}
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "vankien", "serve", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    started: set[int] = set()
    try:
        wait_until_answering(f"{url}/sparql", server, tmp_path / "server.log", 120)
        busy_query = threading.Thread(target=lambda: _swallow(_get, url, _cross_product(99)), daemon=True)
        busy_query.start()
        busy = None
        for _ in range(40):  # find the worker running it: its CPU time grows
            started = _descendants(server.pid)
            before = {pid: _cpu_ticks(pid) for pid in started}
            time.sleep(0.5)
            growing = [pid for pid in started if _cpu_ticks(pid) > before[pid] + 10]
            if growing:
                busy = growing[0]
                break
        assert busy is not None, "no query worker became busy"
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(busy), "the busy worker outlived the server"
        assert [pid for pid in started if _alive(pid)] == []
    finally:
        server.kill()
        for pid in started:  # only processes this test started
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()


def _swallow(function, *args) -> None:
    try:
        function(*args)
    except httpx.HTTPError:
        pass  # the server was killed under it
