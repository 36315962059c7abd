"""Scale benchmark: vankien (pyoxigraph) and a plain rdflib Dataset, side by side, in one run.

For each size it generates a SYNTHETIC corpus (``vankien.graph.synth`` plus the ontology graph) and
measures build time and peak memory, lookup by number, lineage, a 3-hop provenance query, SHACL
(full and incremental), API throughput/latency on a real uvicorn on 127.0.0.1, and (smallest size)
whether the remote Oxigraph backend answers the competency queries identically. Builds run in
fresh child processes (``--child``); every rdflib measurement is cut after a time limit.

    python bench/run.py --sizes 1000,10000,100000      # writes bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import rdflib

from vankien.graph import queries, synth
from vankien.graph.settings import Settings
from vankien.graph.store import DiskStore, MemoryStore, RemoteStore
from vankien.ontology import ONTOLOGY_IRI, ONTOLOGY_PATH

BENCH = Path(__file__).resolve().parent
LOOKUP_SPARQL = 'PREFIX eli: <http://data.europa.eu/eli/ontology#> SELECT ?d WHERE {{ ?d eli:id_local "{}" }}'
QUERY_BUDGET_S = 10.0      # time one vankien figure may take (after its minimum runs)
RDFLIB_BUDGET_S = 20.0     # time one rdflib figure may take (after its first run)
CLIENT_THREADS = 4
MB = 1024 * 1024


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- corpus -------------------------------------------------------------------------------------------

def make_corpus(size: int, seed: int, out_dir: Path) -> tuple[Path, dict, float]:
    """out_dir/<size>/vankien.nq: the SYNTHETIC corpus plus the ontology graph (the queries need
    its subclass axioms); returns (path, synth stats, generation seconds)."""
    folder = out_dir / str(size)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "vankien.nq"
    started = time.perf_counter()
    stats = synth.generate(size, seed, path)
    graph = ox.NamedNode(ONTOLOGY_IRI)
    ontology = [ox.Quad(q.subject, q.predicate, q.object, graph)
                for q in ox.parse(path=ONTOLOGY_PATH, format=ox.RdfFormat.TURTLE)]
    with open(path, "ab") as out:
        out.write(ox.serialize(ontology, format=ox.RdfFormat.N_QUADS))
    return path, vars(stats), time.perf_counter() - started


def extra_source(seed: int) -> tuple[bytes, str]:
    """ONE more synthetic source (another seed; its document IRIs renamed so none collides)."""
    buffer = __import__("io").BytesIO()
    synth.generate(synth.DOCS_PER_SOURCE, seed, buffer)
    data = buffer.getvalue().replace(b"/synthetic/id/doc/", b"/synthetic/id/doc/extra-")
    return data, f"{synth.SYNTH_BASE}graph/synthetic-s{seed}-00000"


# --- timing helpers -----------------------------------------------------------------------------------

def timed_runs(function, min_runs: int, max_runs: int, budget_s: float) -> list[float]:
    """Seconds per call: at least min_runs (unless one call alone exceeds the budget), at most
    max_runs, and no new call once the budget is spent."""
    times, started = [], time.perf_counter()
    while len(times) < max_runs:
        spent = time.perf_counter() - started
        if times and spent > budget_s and (len(times) >= min_runs or spent > 2 * budget_s):
            break
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return times


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    pick = lambda share: ordered[min(len(ordered) - 1, int(share * len(ordered)))]  # noqa: E731
    return {"p50": statistics.median(ordered), "p99": pick(0.99), "runs": len(ordered)}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def bench_queries(store, stats: dict, min_runs: int, max_runs: int, budget_s: float,
                  measure=None) -> dict:
    """The query figures on any store; `measure(name, function)` may wrap each (time limits)."""
    notation, claim = stats["sample_notation"], stats["sample_claim_triple"]
    figures = {
        "lookup_sparql": lambda: list(store.query(LOOKUP_SPARQL.format(notation))),
        "lookup_function": lambda: queries.find_documents_by_number(store, notation),
        "lineage_typical": lambda: queries.lineage(store, stats["typical_doc"]),
        "lineage_worst": lambda: queries.lineage(store, stats["deepest_doc"]),
        "provenance": lambda: queries.provenance(store, *claim),
    }
    run = measure or (lambda name, f: percentiles(timed_runs(f, min_runs, max_runs, budget_s)))
    result = {}
    for name, function in figures.items():
        result[name] = run(name, function)
        log(f"  {name}: {result[name]}")
    return result


# --- child processes (python bench/run.py --child NAME ARGS_JSON) -------------------------------------

def child_vankien(corpus: str, stats: dict) -> dict:
    """Memory store: bulk build (time, peak memory), then the query figures."""
    started = time.perf_counter()
    store = MemoryStore()
    store.replace_with(corpus)
    build = {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "quads": len(store)}
    return {"build": build, **bench_queries(store, stats, 200, 2000, QUERY_BUDGET_S)}


def child_disk_build(corpus: str, path: str) -> dict:
    started = time.perf_counter()
    store = DiskStore(path)
    store.load(corpus)  # pyoxigraph bulk_load into the new directory
    store.close()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def child_disk_reopen(path: str, notation: str) -> dict:
    started = time.perf_counter()
    store = DiskStore(path, read_only=True)
    found = queries.find_documents_by_number(store, notation)
    return {"seconds": time.perf_counter() - started, "documents": len(found)}


def child_shacl(corpus: str, extra_seed: int) -> dict:
    """SPARQL-compiled SHACL on the whole store, then on one new source's nodes only."""
    from vankien.graph.shacl_sparql import focus_nodes_of_graph, validate_store
    store = ox.Store()
    store.bulk_load(path=corpus, format=ox.RdfFormat.N_QUADS)
    started = time.perf_counter()
    full = validate_store(store)
    full_s = time.perf_counter() - started
    data, graph = extra_source(extra_seed)
    store.load(data, ox.RdfFormat.N_QUADS)
    started = time.perf_counter()
    focus = focus_nodes_of_graph(store, graph)
    incremental = validate_store(store, focus_nodes=focus)
    return {"full_s": full_s, "full_violations": len(full.violations),
            "incremental_s": time.perf_counter() - started, "focus_nodes": len(focus),
            "incremental_violations": len(incremental.violations)}


def child_rdflib(corpus: str, stats: dict, cap_s: float, shacl_cap_s: float, skip: list[str]) -> dict:
    """rdflib: parse (time, peak memory), then each figure in a forked child cut after cap_s."""
    sys.path.insert(0, str(BENCH))
    from rdflib_baseline import RdflibStore, load_dataset
    started = time.perf_counter()
    dataset = load_dataset(corpus)
    build = {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}
    log(f"  rdflib parsed in {build['seconds']:.1f} s, peak {build['peak_mb']:.0f} MB")
    store = RdflibStore(dataset)

    def measure(name, function, cap=cap_s):
        if name in skip:
            return {"skipped": True}
        return in_fork(lambda: percentiles(timed_runs(function, 5, 200, RDFLIB_BUDGET_S)), cap)

    result = {"build": build, **bench_queries(store, stats, 5, 200, RDFLIB_BUDGET_S, measure)}

    def pyshacl_full():
        from vankien.graph.validate import validate
        begin = time.perf_counter()
        report = validate(dataset)
        return {"p50": time.perf_counter() - begin, "violations": len(report.violations), "runs": 1}
    result["shacl_full"] = ({"skipped": True} if "shacl_full" in skip
                            else in_fork(pyshacl_full, shacl_cap_s))
    log(f"  shacl_full: {result['shacl_full']}")
    return result


def in_fork(function, cap_s: float) -> dict:
    """function() in a forked process (shares the parsed data); {"timeout": cap_s} if cut."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    def target():
        try:
            sender.send(function())
        except Exception as error:  # reported in the table instead of a figure
            sender.send({"error": f"{type(error).__name__}: {error}"})
    process = context.Process(target=target, daemon=True)
    process.start()
    answered = receiver.poll(cap_s)
    value = receiver.recv() if answered else {"timeout": cap_s}
    process.kill()
    process.join()
    return value


def child_api_server(data_dir: str, port: int) -> None:
    """The API on one uvicorn worker on 127.0.0.1 (runs until the parent kills it)."""
    import uvicorn
    from vankien.api.app import create_app
    app = create_app(Settings(data_dir=Path(data_dir), store="memory"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, workers=1)


CHILDREN = {f.__name__.removeprefix("child_"): f for f in
            (child_vankien, child_disk_build, child_disk_reopen, child_shacl, child_rdflib, child_api_server)}


def run_child(name: str, *args, timeout: float = 3600) -> dict:
    """Run CHILDREN[name](*args) in a fresh interpreter; its last stdout line is the JSON answer."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, json.dumps(args)]
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"bench child {name} failed with exit code {error.returncode}") from None
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


# --- API under load -----------------------------------------------------------------------------------

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


def bench_api(corpus: Path, stats: dict, seconds: float) -> dict:
    port = free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "api_server",
               json.dumps([str(corpus.parent), port])]
    server = subprocess.Popen(command)
    base = f"http://127.0.0.1:{port}"
    try:
        lookup = {"query": LOOKUP_SPARQL.format(stats["sample_notation"])}
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


# --- remote parity ------------------------------------------------------------------------------------

def competency_answers(store, stats: dict) -> dict:
    body = "https://w3id.org/vankien/synthetic/id/body/tw/bo-chinh-tri"
    return {
        "documents": queries.documents(store, limit=200), "plans": queries.documents(store, type="KH"),
        "by_number": queries.find_documents_by_number(store, stats["sample_notation"]),
        "lineage": queries.lineage(store, stats["deepest_doc"]),
        "provenance": queries.provenance(store, *stats["sample_claim_triple"]),
        "bodies": queries.bodies(store), "body_activity": queries.body_activity(store, body),
        "observations": queries.observations(store), "sources": queries.sources(store),
        "unresolved": queries.unresolved(store), "implementations": queries.implementations(store),
        "describe": queries.describe(store, stats["typical_doc"]),
    }


def normalised(value):
    """JSON-ready data with every list sorted: engines may return rows in another order."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((normalised(item) for item in value), key=lambda x: json.dumps(x, sort_keys=True))
    return value


def bench_remote(corpus: Path, stats: dict) -> str:
    binary = Path(sys.executable).parent / "oxigraph"
    binary = str(binary) if binary.is_file() else shutil.which("oxigraph")
    if binary is None:
        return "not run (no oxigraph binary)"
    port, location = free_port(), tempfile.mkdtemp(prefix="vankien-bench-oxigraph-")
    server = subprocess.Popen([binary, "serve", "--location", location, "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        remote = RemoteStore(Settings(store="remote", remote_query_url=f"http://127.0.0.1:{port}/query"))
        deadline = time.monotonic() + 30
        while True:
            try:
                remote.query("ASK {}")
                break
            except Exception:
                if time.monotonic() > deadline:
                    return "not run (oxigraph server did not start)"
                time.sleep(0.2)
        remote.replace_with(corpus)
        memory = MemoryStore()
        memory.replace_with(corpus)
        same = normalised(competency_answers(memory, stats)) == normalised(competency_answers(remote, stats))
        return "yes" if same else "NO"
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(location, ignore_errors=True)


# --- the table ----------------------------------------------------------------------------------------

def seconds_text(value: float) -> str:
    return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.1f} s"


def cell(figure) -> str:
    """A figure as table text: p50 (p99, runs), a time limit hit, or a plain value."""
    if figure is None:
        return "not run"
    if isinstance(figure, str):
        return figure
    if "error" in figure:
        return f"error: {figure['error'][:80]}"
    if "timeout" in figure:
        where = f", cut at {figure['cut_at']:,} docs" if "cut_at" in figure else ""
        return f"> {figure['timeout']:.0f} s{where}"
    if "p99" in figure and figure.get("runs", 1) > 1:
        return f"{seconds_text(figure['p50'])} (p99 {seconds_text(figure['p99'])}, n={figure['runs']})"
    return seconds_text(figure["p50"])


def ratio(vankien, baseline) -> str:
    if not isinstance(vankien, dict) or not isinstance(baseline, dict) or "p50" not in vankien:
        return ""
    if "timeout" in baseline:
        return f"> {baseline['timeout'] / vankien['p50']:,.0f}×"
    return f"{baseline['p50'] / vankien['p50']:,.0f}×" if "p50" in baseline else ""


def speed_row(metric, vankien, baseline, limit_s=None, min_ratio=None):
    """(metric, vankien, rdflib, ratio, target, met?) for a time; targets optional."""
    targets, met = [], []
    if limit_s is not None:
        targets.append(f"≤ {seconds_text(limit_s)}")
        met.append(isinstance(vankien, dict) and vankien.get("p50", 1e9) <= limit_s)
    if min_ratio is not None:
        targets.append(f"≥ {min_ratio}× rdflib")
        if isinstance(baseline, dict) and "p50" in vankien:
            bound = baseline.get("p50", baseline.get("timeout", 0))
            met.append(bound / vankien["p50"] >= min_ratio)
    return (metric, cell(vankien), cell(baseline), ratio(vankien, baseline), ", ".join(targets) or "—",
            ("yes" if all(met) else "**no**") if met else "—")


def value_row(metric, text, target="—", met=None, baseline="", ratio_text=""):
    return (metric, text, baseline, ratio_text, target, "—" if met is None else "yes" if met else "**no**")


def as_time(seconds: float) -> dict:
    return {"p50": seconds, "runs": 1}


def table_rows(fig: dict) -> list[tuple]:
    v, r, shacl, api = fig["vankien"], fig.get("rdflib") or {}, fig["shacl"], fig.get("api")
    build, r_build = v["build"], r.get("build")
    rows = [
        value_row("corpus", f"{fig['documents']:,} docs, {build['quads']:,} quads "
                  f"(generated in {fig['generate_s']:.1f} s)"),
        speed_row("build: memory store bulk load / rdflib parse", as_time(build["seconds"]),
                  as_time(r_build["seconds"]) if r_build else None, 10.0),
        value_row("build: peak memory (RSS)", f"{build['peak_mb']:,.0f} MB", "≤ 1,536 MB",
                  build["peak_mb"] <= 1536, f"{r_build['peak_mb']:,.0f} MB" if r_build else "not run",
                  f"{r_build['peak_mb'] / build['peak_mb']:.1f}×" if r_build else ""),
        value_row("build: disk store bulk load", f"{seconds_text(fig['disk']['seconds'])}, "
                  f"peak {fig['disk']['peak_mb']:,.0f} MB"),
        speed_row("reopen disk store + one lookup", as_time(fig["reopen"]["seconds"]), None, 1.0),
        speed_row("lookup by number: raw SPARQL", v["lookup_sparql"], r.get("lookup_sparql"), 0.0005, 100),
        speed_row("lookup by number: find_documents_by_number", v["lookup_function"],
                  r.get("lookup_function"), 0.0005, 100),
        speed_row("lineage, typical document", v["lineage_typical"], r.get("lineage_typical")),
        speed_row("lineage, worst case (deepest chain)", v["lineage_worst"], r.get("lineage_worst"),
                  0.010, 20),
        speed_row("3-hop provenance of one claimed edge", v["provenance"], r.get("provenance"), 0.020),
        speed_row(f"SHACL full ({shacl['full_violations']} violations) / pySHACL",
                  as_time(shacl["full_s"]), r.get("shacl_full"), 30.0),
        speed_row(f"SHACL incremental, one new source ({shacl['focus_nodes']} focus nodes)",
                  as_time(shacl["incremental_s"]), None, 2.0),
    ]
    for name, label in (("lineage", "API lineage (/documents/{iri}/implemented-by)"),
                        ("sparql", "API /sparql lookup by number")):
        if api is None:
            continue
        load = api[name]
        rows.append(value_row(f"{label}: throughput", f"{load['rps']:,.0f} req/s",
                              "≥ 150 req/s" if name == "lineage" else "—",
                              load["rps"] >= 150 if name == "lineage" else None))
        rows.append(value_row(f"{label}: latency p50 / p99", f"{seconds_text(load['p50'])} / "
                              f"{seconds_text(load['p99'])}", "p99 ≤ 50 ms", load["p99"] <= 0.050))
        rows.append(value_row(f"{label}: errors", f"{load['errors']} of {load['runs']:,}", "0",
                              load["errors"] == 0))
    if fig.get("remote"):
        rows.append(value_row("remote Oxigraph: identical answers to the competency queries",
                              fig["remote"], "yes", fig["remote"] == "yes"))
    return rows


def machine() -> str:
    memory_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} CPUs (nproc), {memory_kb / 1024 / 1024:.1f} GB RAM, "
            f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}, "
            f"{platform.platform()}")


def markdown(results: dict, command: str, args) -> str:
    lines = ["# vankien scale benchmark", "",
             "Written by `bench/run.py` (see bench/README.md for what each figure means). All corpora "
             "are SYNTHETIC (`vankien.graph.synth`). Targets are those of the issue, stated for 100k "
             "documents; they are checked at every size.", "",
             f"- command: `{command}`", f"- machine: {machine()}",
             f"- date: {time.strftime('%Y-%m-%d %H:%M')}; rdflib figures cut after "
             f"{args.rdflib_timeout:.0f} s (pySHACL {args.shacl_timeout:.0f} s); API: {CLIENT_THREADS} "
             f"keep-alive client threads for {args.api_seconds:.0f} s per route on 127.0.0.1", ""]
    for size, fig in results.items():
        lines += [f"## {size:,} documents", "", "| metric | vankien | rdflib | ratio | target | met? |",
                  "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in table_rows(fig)]
        lines.append("")
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------------

def bench_size(size: int, args, cut: dict) -> dict:
    corpus, stats, generate_s = make_corpus(size, args.seed, args.out_dir)
    log(f"{size:,} docs: generated {corpus} ({stats['quads']:,} quads) in {generate_s:.1f} s")
    fig = {"documents": size, "generate_s": generate_s}
    log("vankien memory store: build and queries")
    fig["vankien"] = run_child("vankien", str(corpus), stats)
    disk = corpus.parent / "store"
    shutil.rmtree(disk, ignore_errors=True)
    fig["disk"] = run_child("disk_build", str(corpus), str(disk))
    fig["reopen"] = run_child("disk_reopen", str(disk), stats["sample_notation"])
    log(f"disk store: {fig['disk']}, reopen {fig['reopen']}")
    fig["shacl"] = run_child("shacl", str(corpus), args.seed + 1000)
    log(f"SHACL: {fig['shacl']}")
    if size <= args.rdflib_max_size:
        log("rdflib: parse and the same queries")
        fig["rdflib"] = run_child("rdflib", str(corpus), stats, args.rdflib_timeout, args.shacl_timeout,
                                  sorted(cut))
        for name, figure in fig["rdflib"].items():
            if isinstance(figure, dict) and "timeout" in figure and name not in cut:
                cut[name] = size  # a larger corpus will not be faster: report, do not rerun
            elif isinstance(figure, dict) and figure.get("skipped"):
                limit = args.shacl_timeout if name == "shacl_full" else args.rdflib_timeout
                fig["rdflib"][name] = {"timeout": limit, "cut_at": cut[name]}
    if args.api_seconds > 0:
        log("API under load")
        fig["api"] = bench_api(corpus, stats, args.api_seconds)
        log(f"API: {fig['api']}")
    if not args.skip_remote and size == min(args.sizes):
        fig["remote"] = bench_remote(corpus, stats)
        log(f"remote identical: {fig['remote']}")
    return fig


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        type=lambda text: sorted(int(x) for x in text.split(",")), help="documents per corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out-dir", type=Path, default=BENCH / "out", help="corpora and stores (gitignored)")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--rdflib-max-size", type=int, default=10**9, help="skip rdflib above this size")
    parser.add_argument("--rdflib-timeout", type=float, default=60.0, help="cut one rdflib figure after S s")
    parser.add_argument("--shacl-timeout", type=float, default=300.0, help="cut pySHACL after S s")
    parser.add_argument("--api-seconds", type=float, default=10.0, help="load per API route (0: skip)")
    parser.add_argument("--skip-remote", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="?", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        answer = CHILDREN[args.child](*json.loads(args.child_args))
        print(json.dumps(answer), flush=True)
        return 0
    command = "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    results, cut = {}, {}
    for size in args.sizes:
        results[size] = bench_size(size, args, cut)
        text = markdown(results, command, args)
        args.results.write_text(text + "\n")  # after every size: a long run leaves partial results
    print(text)
    log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
