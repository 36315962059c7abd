"""Throughput beside the engine (issue 11): vankien ``/sparql`` and the Oxigraph server, side by side.

Both serve the seed graph on 127.0.0.1: vankien as ``vankien serve`` (every guard on), the Oxigraph
server as ``oxigraph serve-read-only --union-default-graph`` over the same built N-Quads. The same
client (keep-alive HTTP/1.1 connections, one thread each) sends one cheap ``vk:implements+`` lookup
for ``--seconds`` per server at each concurrency — in ``--slices`` turns alternating between the
servers (A B B A …), so that a change in the machine's load falls on both alike — and prints req/s,
p50/p99 latency, errors and the ratio vankien / Oxigraph. Every answer is checked (200, the same
rows from both servers).

    .venv/bin/python bench/throughput_vs_oxigraph.py            # 8 s at 1, 4 and 16 clients
    .venv/bin/python bench/throughput_vs_oxigraph.py --seconds 3 --clients 1 4 --web-workers 2

``--web-workers`` is passed to ``vankien serve --web-workers`` (uvicorn processes). The figures
depend on the machine and its load: the script prints the load average before and after.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
QUERY = ("PREFIX vk: <https://w3id.org/vankien/ontology#>\n"
         "SELECT ?directive WHERE { <https://w3id.org/vankien/id/doc/tu-dien-bien/kh/158/k14> "
         "vk:implements+ ?directive }")
ACCEPT = "application/sparql-results+json"
START_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def oxigraph_binary() -> str:
    beside = Path(PYTHON).parent / "oxigraph"
    if not beside.is_file():
        sys.exit("the oxigraph server binary is missing: pip install oxigraph")
    return str(beside)


def wait_until_answering(port: int, path: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server on port {port} exited: {log.read_text()[-2000:]}")
        try:
            status, _ = request_once(port, path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"server on port {port} did not answer within {START_TIMEOUT_S} s")


def request_once(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": ACCEPT})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def rows_of(body: bytes) -> list:
    return sorted(json.dumps(b, sort_keys=True) for b in json.loads(body)["results"]["bindings"])


def load(port: int, path: str, clients: int, seconds: float, expected: list) -> dict:
    """``clients`` threads, each on one keep-alive connection, for ``seconds``."""
    return summary([run_clients(port, path, clients, seconds, expected)])


def run_clients(port: int, path: str, clients: int, seconds: float, expected: list) -> dict:
    """The latencies and error count of ``clients`` threads, each on one keep-alive connection,
    sending ``path`` for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop_at = time.monotonic() + seconds
    start = threading.Barrier(clients)

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept": ACCEPT})
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and rows_of(body) == expected
            except (OSError, http.client.HTTPException, ValueError):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            latencies[index].append(time.perf_counter() - began)
            if not ok:
                errors[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"elapsed": time.monotonic() - began,
            "latencies": [t for per_client in latencies for t in per_client], "errors": sum(errors)}


def summary(runs: list[dict]) -> dict:
    """req/s, p50/p99 and errors over several runs (their requests over their summed time)."""
    times = sorted(t for run in runs for t in run["latencies"])
    return {"rps": len(times) / sum(run["elapsed"] for run in runs),
            "p50_ms": 1000 * statistics.median(times),
            "p99_ms": 1000 * times[min(len(times) - 1, int(0.99 * len(times)))],
            "requests": len(times), "errors": sum(run["errors"] for run in runs)}


def side_by_side(targets: dict, answers: dict, clients: int, seconds: float, slices: int) -> dict:
    """Each server's figures for ``seconds`` at ``clients``, measured in ``slices`` turns that
    alternate between the servers (A B B A …), so that both see the machine's load alike."""
    runs: dict[str, list] = {name: [] for name in targets}
    names = list(targets)
    for turn in range(slices):
        for name in (names if turn % 2 == 0 else names[::-1]):
            port, path = targets[name]
            runs[name].append(run_clients(port, path, clients, seconds / slices, answers[name]))
    return {name: summary(measured) for name, measured in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--slices", type=int, default=8,
                        help="turns each server's --seconds are split into, alternating between "
                             "the servers (default 8; 1: one run each, one after the other)")
    parser.add_argument("--web-workers", type=int, default=None,
                        help="uvicorn processes for vankien (default: vankien serve's default)")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="vk-throughput-") as folder:
        data = Path(folder) / "var"
        env = {**os.environ, "VANKIEN_DATA_DIR": str(data), "VANKIEN_STORE": "memory"}
        subprocess.run([PYTHON, "-m", "vankien", "build"], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        nquads = data / "vankien.nq"
        vk_port, ox_port = free_port(), free_port()
        vk_log, ox_log = Path(folder) / "vankien.log", Path(folder) / "oxigraph.log"
        subprocess.run([oxigraph_binary(), "load", "--location", f"{folder}/ox", "--file", str(nquads)],
                       check=True, capture_output=True)
        serve = [PYTHON, "-m", "vankien", "serve", "--port", str(vk_port)]
        if args.web_workers:
            serve += ["--web-workers", str(args.web_workers)]
        servers = [
            subprocess.Popen(serve, env=env, cwd=ROOT, stdout=vk_log.open("wb"), stderr=subprocess.STDOUT),
            subprocess.Popen([oxigraph_binary(), "serve-read-only", "--location", f"{folder}/ox",
                              "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"],
                             stdout=ox_log.open("wb"), stderr=subprocess.STDOUT),
        ]
        try:
            targets = {"vankien": (vk_port, "/sparql?" + urlencode({"query": QUERY})),
                       "oxigraph": (ox_port, "/query?" + urlencode({"query": QUERY}))}
            wait_until_answering(*targets["vankien"], servers[0], vk_log)
            wait_until_answering(*targets["oxigraph"], servers[1], ox_log)
            answers = {name: rows_of(request_once(*target)[1]) for name, target in targets.items()}
            if answers["vankien"] != answers["oxigraph"] or not answers["vankien"]:
                sys.exit(f"the servers answer differently: {answers}")
            print(f"query: {len(answers['vankien'])} rows; {args.seconds:g} s per server and "
                  f"concurrency, in {args.slices} alternating turns; "
                  f"vankien web workers: {args.web_workers or 'default'}")
            print(f"{'clients':>7}  {'server':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
            for clients in args.clients:
                for name, (port, path) in targets.items():
                    load(port, path, clients, min(1.0, args.seconds), answers[name])  # warm up
                measured = side_by_side(targets, answers, clients, args.seconds, args.slices)
                for name, result in measured.items():
                    print(f"{clients:>7}  {name:<9} {result['rps']:>8.0f} {result['p50_ms']:>8.1f} "
                          f"{result['p99_ms']:>8.1f} {result['errors']:>7}")
                ratio = measured["vankien"]["rps"] / measured["oxigraph"]["rps"]
                print(f"{clients:>7}  ratio vankien/oxigraph: {ratio:.2f}x "
                      f"({'meets' if ratio >= 0.8 else 'below'} the 0.8x target)")
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
