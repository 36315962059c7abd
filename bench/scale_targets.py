"""The scale-targets part of bench/run.py (``--targets-only``): for one SYNTHETIC corpus, the memory
store's build (time, peak memory) and query figures, the same figures on the read-only snapshot
`vankien serve` opens, and how long `vankien serve` takes to answer and how much memory its
processes hold (PSS): on the memory store (each process parses the artifact) and on the snapshot (built
at the first start, opened by every worker process and restart).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from vankien.graph.pipeline import SNAPSHOT_PREFIX

from api_load import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from serving import stop_session  # tests/serving.py

START_TIMEOUT_S = 1800
# (label, web workers, snapshot setting, snapshot removed first)
SERVE_RUNS = (("memory store, each process parses the artifact", 1, "off", False),
              ("snapshot: first start (writes it)", 1, "on", True),
              ("snapshot: restart", 1, "on", False),
              ("snapshot: restart with 2 web workers", 2, "on", False),
              ("snapshot: restart with 4 web workers", 4, "on", False))


def remove_snapshots(data_dir: Path) -> None:
    for path in data_dir.glob(f"{SNAPSHOT_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)


def serve_start(data_dir: Path, workers: int, snapshot: str) -> dict:
    """Seconds from `vankien serve` to its first answer, and the RSS of all its processes then."""
    port = free_port()
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("VANKIEN_")},
                   "VANKIEN_SERVE_SNAPSHOT": snapshot}
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "vankien", "serve", "--data-dir", str(data_dir),
                               "--port", str(port), "--web-workers", str(workers)],
                              env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                             timeout=30).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            return {"error": f"no answer within {START_TIMEOUT_S} s (exit {server.poll()})"}
        ready_s = time.perf_counter() - started
        time.sleep(2 if workers == 1 else 10)  # the other web workers finish starting
        tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
        # PSS, not RSS: forked query workers share the pages of the data they were forked with
        pss = sum(process.memory_full_info().pss for process in tree if process.is_running())
        return {"ready_s": ready_s, "pss_mb": pss / 2**20, "processes": len(tree), "load": os.getloadavg()[0]}
    finally:
        stop_session(server, 60)


def bench_serve(data_dir: Path, log) -> dict:
    found = {}
    for label, workers, snapshot, fresh in SERVE_RUNS:
        if fresh:
            remove_snapshots(data_dir)
        found[label] = serve_start(data_dir, workers, snapshot)
        log(f"  serve, {label}: {found[label]}")
    return found


def markdown(results: dict, command: str) -> str:
    """The targets section of RESULTS.md."""
    lines = ["## Scale targets: memory build, lookup, serve start", "",
             f"Written by `{command}`. Load average (1 min) beside each figure: the machine has 2 "
             "cores shared with other jobs.", ""]
    for size, fig in results.items():
        memory, snapshot = fig["memory"], fig["snapshot"]
        build = memory["build"]
        lines += [f"### {size:,} documents ({build['quads']:,} quads)", "",
                  "| metric | memory store | snapshot (RocksDB, read-only) |", "|---|---|---|",
                  f"| build: load of the checked artifact | {build['seconds']:.1f} s{_cpu(build)}, peak {build['peak_mb']:,.0f} MB "
                  f"(load {build['load']:.1f}) | written in {snapshot['written_s']:.1f} s, peak "
                  f"{snapshot['peak_mb']:,.0f} MB (load {snapshot['load']:.1f}) |"]
        for key, label in (("lookup_identity_function", "lookup: number + place + term, with its summary"),
                           ("lookup_function", "lookup: number alone, every namesake with its summary"),
                           ("lineage_typical", "lineage, typical document"),
                           ("lineage_worst", "lineage, deepest chain"),
                           ("provenance", "3-hop provenance of one claim")):
            lines.append(f"| {label} | {_ms(memory.get(key))} | {_ms(snapshot.get(key))} |")
        lines += ["", "| `vankien serve` | first answer after | memory of its processes (PSS) | load |",
                  "|---|---|---|---|"]
        for label, start in fig["serve"].items():
            if "error" in start:
                lines.append(f"| {label} | {start['error']} | | |")
            else:
                lines.append(f"| {label} | {start['ready_s']:.1f} s | {start['pss_mb']:,.0f} MB "
                             f"({start['processes']} processes) | {start['load']:.1f} |")
        lines.append("")
    return "\n".join(lines)


def _cpu(build: dict) -> str:
    return f" ({build['cpu_s']:.1f} s CPU)" if "cpu_s" in build else ""


def _ms(figure) -> str:
    if not figure or "p50" not in figure:
        return "—"
    return (f"{figure['p50'] * 1000:.2f} ms (p99 {figure['p99'] * 1000:.2f}, n={figure['runs']}, "
            f"load {figure.get('load', 0):.1f})")
