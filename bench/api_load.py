"""The API part of bench/run.py: start the API in its own process on 127.0.0.1 and put it under a
bounded load (CLIENT_THREADS keep-alive clients for a fixed time), reporting req/s, p50/p99, errors.
"""

from __future__ import annotations

import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

RUN_SCRIPT = Path(__file__).with_name("run.py")
CLIENT_THREADS = 4


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50": statistics.median(ordered), "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
            "runs": len(ordered)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, params: dict | None = None, timeout_s: float = 1800) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, params=params, timeout=60)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the API did not answer {url} within {timeout_s} s")


def load_test(base: str, paths: list, seconds: float) -> dict:
    """CLIENT_THREADS keep-alive clients, each sending requests one after another for `seconds`."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        rng, mine, failed = random.Random(index), [], 0
        with httpx.Client(base_url=base, timeout=30) as http:
            while time.monotonic() < deadline:
                path, params = rng.choice(paths)
                begin = time.perf_counter()
                try:
                    failed += http.get(path, params=params).status_code != 200
                except httpx.HTTPError:
                    failed += 1
                mine.append(time.perf_counter() - begin)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {**percentiles(latencies), "rps": len(latencies) / elapsed, "errors": errors[0]}


def bench_api(corpus: Path, lookup_sparql: str, seconds: float) -> dict:
    """Start the API (bench/run.py --child api_server) on a free port; load lineage, then /sparql."""
    port = free_port()
    command = [sys.executable, str(RUN_SCRIPT), "--child", "api_server",
               json.dumps([str(corpus.parent), port])]
    server = subprocess.Popen(command)
    base = f"http://127.0.0.1:{port}"
    try:
        lookup = {"query": lookup_sparql}
        wait_for(f"{base}/sparql", lookup)  # the app and its query workers have loaded the data
        sample = "SELECT ?d WHERE { ?d <http://data.europa.eu/eli/ontology#id_local> ?n } LIMIT 5000"
        documents = [b["d"]["value"] for b in
                     wait_for(f"{base}/sparql", {"query": sample}).json()["results"]["bindings"]]
        lineage = [(f"/documents/{d}/implemented-by", None) for d in documents]
        return {"lineage": load_test(base, lineage, seconds),
                "sparql": load_test(base, [("/sparql", lookup)], seconds)}
    finally:
        server.kill()
        server.wait()
