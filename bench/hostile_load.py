"""Hostile load test (issue 11): a real ``vankien serve`` on 127.0.0.1 over the real graph, put under
a bounded, open-loop mixed SPARQL/REST load in which every 10th request is hostile, plus a few
slowloris sockets. Prints throughput, p50/p99 of the well-formed requests, their errors, what the
hostile ones got, and the server's RSS before and after.

    python bench/hostile_load.py                      # 60 s at 30 req/s (the acceptance run)
    python bench/hostile_load.py --seconds 10 --rate 20

Acceptance: 0 errors for well-formed requests, well-formed p99 ≤ 250 ms, server RSS growth ≤ 10 %.
Every SERVICE/FROM target of a hostile query is a canary HTTP server on 127.0.0.1 that must see no
request. Loops are bounded in count and time. On a shared machine, state the load (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import httpx

PREFIXES = "PREFIX vk: <https://w3id.org/vankien/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
SENDERS = 64  # client threads: enough that a hostile request (≤ 5 s) never delays a well-formed one
SLOW_SOCKETS = 20
START_TIMEOUT_S = 600


def well_formed() -> list[tuple[str, str, dict]]:
    """(label, path, params) of the well-formed requests: the example queries and the REST routes."""
    from vankien.graph.examples import EXAMPLES
    sparql = [(f"sparql:{e.name}", "/sparql", {"query": e.sparql}) for e in EXAMPLES]
    lookup = [(f"sparql:lookup-{n}", "/sparql", {"query": PREFIXES + f'SELECT ?d WHERE {{ ?d skos:notation "{n}" }}'})
              for n in ("35-CT/TW", "158-KH/TU", "03-HD/TU")]
    rest = [("rest:documents", "/documents", {}), ("rest:document", "/documents/35-CT/TW", {}),
            ("rest:implemented-by", "/documents/35-CT/TW/implemented-by", {}),
            ("rest:lineage", "/lineage", {"from": "158-KH/TU", "to": "35-CT/TW"}),
            ("rest:bodies", "/bodies", {}), ("rest:provenance", "/provenance", {"subject": "158-KH/TU"}),
            ("rest:sources", "/sources", {})]
    return sparql + lookup + rest


def hostile(n: int, canary: str) -> tuple[str, str, str, dict | str]:
    """(label, method, path, params or body) of the n-th hostile request: texts vary with n, so the
    server's memory of past texts does not make them cheap."""
    kinds = [
        ("expression-bomb", "GET", "/sparql", {"query": "SELECT * WHERE { BIND(" + "1+" * (9_000 + n % 900) + "1 AS ?x) }"}),
        ("cross-product", "GET", "/sparql", {"query": f"SELECT (COUNT(*) AS ?n{n}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}"}),
        ("order-by-cross", "GET", "/sparql", {"query": f"SELECT ?a ?d WHERE {{ ?a ?b ?c . ?d ?e ?f }} ORDER BY ?c ?f LIMIT {n + 1}"}),
        ("string-doubling", "GET", "/sparql", {"query": f'SELECT (STRLEN(?s30) AS ?n) WHERE {{ BIND("{n}" AS ?s0) '
                                               + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(30)) + " }"}),
        ("blank-node-nesting", "GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p " + "[?p" * 3900 + f" {n}" + "]" * 3900 + " }"}),
        ("service-escape", "POST", "/sparql", {"query": f'SELECT * WHERE {{ BIND("\\u0022" AS ?a) SERVICE <{canary}/{n}> {{ ?s ?p ?o }} BIND("\\u0022" AS ?b) }}'}),
        ("from-foreign", "GET", "/sparql", {"query": f"SELECT * FROM <{canary}/g{n}> WHERE {{ ?s ?p ?o }}"}),
        ("update", "POST", "/sparql", {"update": f"INSERT DATA {{ <urn:x{n}> <urn:p> 1 }}"}),
        ("oversized", "POST", "/sparql", {"query": "#" * 300_000}),
        ("syntax-error", "GET", "/sparql", {"query": f"SELECT * WHERE {{ ?s ?p {n} "}),
    ]
    return kinds[n % len(kinds)]


class Canary(BaseHTTPRequestHandler):
    seen: list[str] = []

    def _answer(self) -> None:
        Canary.seen.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    found, frontier = [], {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
        found += frontier
    return found


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "VANKIEN_DATA_DIR": str(data_dir)}
    log = open(data_dir / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "vankien", "serve", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {(data_dir / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def slowloris(url: str, stop: threading.Event, closed: list[float]) -> None:
    """SLOW_SOCKETS connections that send a header line every second and never finish."""
    port = int(url.rsplit(":", 1)[1])
    started = time.monotonic()
    conns = [socket.create_connection(("127.0.0.1", port), timeout=2) for _ in range(SLOW_SOCKETS)]
    for conn in conns:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    open_conns = list(conns)
    while open_conns and not stop.is_set():
        for conn in list(open_conns):
            try:
                conn.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed.append(time.monotonic() - started)
                open_conns.remove(conn)
        stop.wait(1.0)
    for conn in conns:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=30, help="requests per second, all kinds")
    parser.add_argument("--hostile-every", type=int, default=10, help="every n-th request is hostile")
    parser.add_argument("--data-dir", type=Path, help="a built data folder (default: build one)")
    args = parser.parse_args()

    canary = ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    canary_url = f"http://127.0.0.1:{canary.server_address[1]}"
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="vankien-hostile-"))
    if not (data_dir / "vankien.nq").exists():
        subprocess.run([sys.executable, "-m", "vankien", "build", "--data-dir", str(data_dir)], check=True)
    load_before = os.getloadavg()
    server, url = start_server(data_dir)
    try:
        run(args, url, server, canary_url, load_before)
    finally:
        server.kill()
        server.wait(timeout=10)
        canary.shutdown()


def run(args, url: str, server: subprocess.Popen, canary_url: str, load_before) -> None:
    good = well_formed()
    with httpx.Client(timeout=30) as warm:  # every well-formed text once: its verdict is remembered
        for _, path, params in good:
            warm.get(url + path, params=params)
    time.sleep(1)
    rss_before = rss_mb(server.pid)
    total_before = rss_before + sum(rss_mb(pid) for pid in descendants(server.pid))
    jobs: queue.Queue = queue.Queue()
    results: list[tuple[str, bool, float, int | str]] = []
    lock = threading.Lock()

    def sender() -> None:
        with httpx.Client(timeout=30) as client:
            while True:
                job = jobs.get()
                if job is None:
                    return
                due, label, is_hostile, method, path, payload = job
                try:
                    if method == "GET":
                        status = client.get(url + path, params=payload).status_code
                    else:
                        status = client.post(url + path, content=urlencode(payload),
                                             headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code
                except httpx.HTTPError as problem:
                    status = type(problem).__name__
                with lock:
                    results.append((label, is_hostile, time.monotonic() - due, status))

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    stop, closed = threading.Event(), []
    loris = threading.Thread(target=slowloris, args=(url, stop, closed), daemon=True)
    loris.start()
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < args.seconds:
        due = started + sent / args.rate
        time.sleep(max(0.0, due - time.monotonic()))
        if sent % args.hostile_every == args.hostile_every - 1:
            label, method, path, payload = hostile(sent // args.hostile_every, canary_url)
            jobs.put((due, "hostile:" + label, True, method, path, payload))
        else:
            label, path, params = good[sent % len(good)]
            jobs.put((due, label, False, "GET", path, params))
        sent += 1
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - started
    stop.set()
    loris.join(timeout=5)
    time.sleep(1)
    rss_after = rss_mb(server.pid)
    total_after = rss_after + sum(rss_mb(pid) for pid in descendants(server.pid))
    report(results, elapsed, rss_before, rss_after, total_before, total_after, closed, load_before, args)


def report(results, elapsed, rss_before, rss_after, total_before, total_after, closed, load_before, args) -> None:
    good = [r for r in results if not r[1]]
    bad = [r for r in results if r[1]]
    latencies = sorted(r[2] for r in good)
    errors = [r for r in good if r[3] != 200]
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan")
    hostile_outcomes: dict[str, dict] = {}
    for label, _, _, status in bad:
        hostile_outcomes.setdefault(label, {}).setdefault(str(status), 0)
        hostile_outcomes[label][str(status)] += 1
    growth = (rss_after - rss_before) / rss_before * 100
    print(f"machine: {os.cpu_count()} cores, load average before {load_before[0]:.2f} / after "
          f"{os.getloadavg()[0]:.2f} (1 min)")
    print(f"load: {args.rate:g} req/s open loop for {args.seconds:g} s, every {args.hostile_every}th hostile, "
          f"{SLOW_SOCKETS} slowloris sockets")
    print(f"throughput: {len(results) / elapsed:.1f} req/s answered ({len(good)} well-formed, {len(bad)} hostile)")
    print(f"well-formed: p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms, errors {len(errors)}")
    for label, status in sorted({(r[0], str(r[3])) for r in errors}):
        print(f"  error: {label} → {status}")
    print("hostile: " + json.dumps(hostile_outcomes, sort_keys=True))
    print(f"slowloris: {len(closed)}/{SLOW_SOCKETS} closed by the server"
          + (f" after {max(closed):.1f} s at most" if closed else ""))
    print(f"canary requests: {len(Canary.seen)}")
    print(f"server RSS: {rss_before:.1f} MB before, {rss_after:.1f} MB after ({growth:+.1f} %); "
          f"with its workers {total_before:.1f} → {total_after:.1f} MB")
    ok = not errors and p99 <= 0.250 and growth <= 10 and not Canary.seen
    print("acceptance (0 errors, p99 ≤ 250 ms, RSS growth ≤ 10 %, canary 0): " + ("PASS" if ok else "FAIL"))


if __name__ == "__main__":
    main()
