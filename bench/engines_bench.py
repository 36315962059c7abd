"""The engines part of bench/run.py: the same SYNTHETIC corpus in the embedded store, the Oxigraph
server and Virtuoso (both started on 127.0.0.1 by tests/engines.py), through vankien on each: load
time (the verified, staged write), the competency answers compared with the embedded store's, the
query figures of bench_queries, and the API with 1, 2 and 4 uvicorn worker processes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vankien.graph import queries
from vankien.graph.settings import Settings
from vankien.graph.store import MemoryStore, RemoteStore, StoreError

from api_load import free_port, load_test, wait_for

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))
import engines  # noqa: E402  (tests/engines.py: the same launchers the tests use)

WORKER_COUNTS = (1, 2, 4)
ENGINES = {"oxigraph": engines.oxigraph, "virtuoso": engines.virtuoso}


def bench_engines(corpus: Path, stats: dict, *, bench_queries, competency_answers, lookup_sparql: str,
                  api_seconds: float, log, names: tuple[str, ...] = tuple(ENGINES),
                  oxigraph_bulk: bool = False) -> dict:
    """{"memory": {...}, "oxigraph": {...}, "virtuoso": {...}} for one corpus (the engines named).
    ``oxigraph_bulk``: fill the Oxigraph server with its own bulk loader instead of vankien's
    verified write, whose one-update switch it holds in memory (at 100k documents the kernel killed
    it at 18 GB on a 24 GB machine)."""
    memory = MemoryStore()
    started = time.perf_counter()
    memory.replace_with(corpus, checked=True)
    expected = queries.comparable(competency_answers(memory, stats))
    result = {"memory": {"load_s": time.perf_counter() - started, "quads": len(memory),
                         **bench_queries(memory, stats, 20, 200, 5.0)}}
    if api_seconds > 0:
        result["memory"]["api"] = api_by_workers({"VANKIEN_STORE": "memory", "VANKIEN_DATA_DIR": str(corpus.parent)},
                                                 lookup_sparql, api_seconds, log)
    memory.close()
    for name in names:
        launcher = ENGINES[name]
        folder = Path(tempfile.mkdtemp(prefix=f"vankien-bench-{name}-"))
        try:
            bulk_s = None
            if name == "oxigraph" and oxigraph_bulk:
                started = time.perf_counter()
                engines.oxigraph_bulk_load(folder, corpus)
                bulk_s = time.perf_counter() - started
                log(f"  oxigraph load (bulk loader): {bulk_s:.1f} s")
            with launcher(folder) as engine:
                # The bench's engines hold vankien's graphs alone (Virtuoso's own made private by
                # tests/engines.py): their union default graph is vankien's dataset.
                engine = {**engine, "remote_dataset": "union"}
                result[name] = bench_engine(engine, corpus, stats, expected, bench_queries=bench_queries,
                                            competency_answers=competency_answers,
                                            lookup_sparql=lookup_sparql, api_seconds=api_seconds, log=log,
                                            bulk_s=bulk_s)
        except engines.EngineMissing as missing:
            result[name] = {"skipped": str(missing)}
        except StoreError as failed:   # a figure of its own: the table says what failed
            result[name] = {"skipped": "failed: " + " ".join(str(failed).split())[:300]}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        log(f"{name}: {json.dumps(result[name])[:400]}")
    return result


def bench_engine(engine: dict, corpus: Path, stats: dict, expected: dict, *, bench_queries,
                 competency_answers, lookup_sparql: str, api_seconds: float, log,
                 bulk_s: float | None = None) -> dict:
    """One engine's figures; ``bulk_s``: the store was filled by the engine's bulk loader in that time."""
    store = RemoteStore(Settings(store="remote", query_timeout_s=120, **engine))
    started = time.perf_counter()
    if bulk_s is None:
        store.replace_with(corpus, checked=True)
    figures = {"load_s": bulk_s or time.perf_counter() - started, "bulk": bulk_s is not None, "quads": len(store),
               "identical": queries.comparable(competency_answers(store, stats)) == expected}
    log(f"  loaded in {figures['load_s']:.1f} s; identical answers: {figures['identical']}")
    figures.update(bench_queries(store, stats, 5, 100, 5.0))
    store.close()
    if api_seconds > 0:
        environment = {"VANKIEN_STORE": "remote", **{f"VANKIEN_{k.upper()}": v for k, v in engine.items()},
                       "VANKIEN_DATA_DIR": tempfile.mkdtemp(prefix="vankien-bench-api-")}
        figures["api"] = api_by_workers(environment, lookup_sparql, api_seconds, log)
    return figures


def api_by_workers(environment: dict, lookup_sparql: str, seconds: float, log) -> dict:
    """The lineage route and /sparql under load, with 1, 2 and 4 uvicorn worker processes."""
    found = {}
    for workers in WORKER_COUNTS:
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "vankien.api.app:create_app", "--factory",
                   "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                   "--log-level", "warning", "--no-access-log"]
        server = subprocess.Popen(command, env={**_base_environment(), **environment})
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            wait_for(f"{base}/sparql", {"query": lookup_sparql})
            ready_s = time.perf_counter() - started
            sample = "SELECT ?d WHERE { ?d <http://data.europa.eu/eli/ontology#id_local> ?n } LIMIT 2000"
            documents = [b["d"]["value"] for b in
                         wait_for(f"{base}/sparql", {"query": sample}).json()["results"]["bindings"]]
            lineage = [(f"/documents/{d}/implemented-by", None) for d in documents]
            found[workers] = {"ready_s": ready_s, "lineage": load_test(base, lineage, seconds),
                              "sparql": load_test(base, [("/sparql", {"query": lookup_sparql})], seconds)}
            log(f"  API, {workers} worker(s): {found[workers]}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return found


def _base_environment() -> dict:
    import os
    return {k: v for k, v in os.environ.items() if not k.startswith("VANKIEN_")}


def _load_range(results) -> str:
    """The lowest and highest load average recorded with any figure in ``results``."""
    loads: list[float] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            loads.extend(v for k, v in value.items() if k == "load" and isinstance(v, (int, float)))
            for inner in value.values():
                walk(inner)
    walk(results)
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "not recorded"


def markdown(results: dict, command: str) -> str:
    """The engines section of RESULTS.md: one table per size, the stores side by side."""
    lines = ["## Engines: the embedded store, the Oxigraph server and Virtuoso", "",
             f"Written by `{command}`. The same SYNTHETIC corpus in each store, asked through vankien "
             "(remote stores: over HTTP on 127.0.0.1, answers compared with the embedded store's). "
             "Both engines with `VANKIEN_REMOTE_DATASET=union` (their union default graph is vankien's graphs). "
             "Remote load = the verified write: upload into staging graphs (Graph Store POST in chunks), "
             "count, MOVE over the served graphs, count again. Times are medians; the machine has 2 "
             f"cores, 1-minute load average {_load_range(results)} while the figures were taken.", ""]
    for size, by_store in results.items():
        names = [n for n in ("memory", "oxigraph", "virtuoso") if n in by_store]
        lines += [f"### {size:,} documents", "", "| metric | " + " | ".join(names) + " |",
                  "|---|" + "---|" * len(names)]
        rows = [("quads", lambda f: f"{f['quads']:,}"), ("load / verified write (s)", lambda f: f"{f['load_s']:.1f}" + (" (its bulk loader)" if f.get("bulk") else "")),
                ("answers identical to the embedded store", lambda f: "yes" if f.get("identical", True) else "NO")]
        for key, label in (("lookup_identity_function", "lookup: number + place + term (ms)"),
                           ("lookup_function", "lookup: number, any spelling (ms)"),
                           ("lineage_typical", "lineage, typical document (ms)"),
                           ("lineage_worst", "lineage, deepest chain (ms)"),
                           ("provenance", "3-hop provenance of one claim (ms)")):
            rows.append((label, lambda f, key=key: f"{f[key]['p50'] * 1000:.2f}" if key in f else "—"))
        for workers in WORKER_COUNTS:
            rows.append((f"API, {workers} worker(s): first answer after start (s)",
                         lambda f, w=workers: _api_ready(f, w)))
            for route in ("lineage", "sparql"):
                rows.append((f"API {route}, {workers} worker(s): req/s (p50 / p99 ms)",
                             lambda f, w=workers, r=route: _api_cell(f, w, r)))
        for label, cell in rows:
            values = [by_store[n].get("skipped") or cell(by_store[n]) for n in names]
            lines.append(f"| {label} | " + " | ".join(values) + " |")
        lines.append("")
    return "\n".join(lines)


def _api_ready(figures: dict, workers: int) -> str:
    api = figures.get("api", {}).get(workers) or figures.get("api", {}).get(str(workers))
    return f"{api['ready_s']:.1f}" if api else "—"


def _api_cell(figures: dict, workers: int, route: str) -> str:
    api = figures.get("api", {}).get(workers) or figures.get("api", {}).get(str(workers))
    if not api:
        return "—"
    load = api[route]
    errors = f", {load['errors']} errors" if load["errors"] else ""
    return f"{load['rps']:.0f} ({load['p50'] * 1000:.1f} / {load['p99'] * 1000:.1f}){errors}"
