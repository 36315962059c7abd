"""Scale benchmark: vankien (pyoxigraph) and a plain rdflib Dataset, side by side, in one run.

For each size it generates a SYNTHETIC corpus (``vankien.graph.synth`` plus the ontology graph) and
measures build time and peak memory, lookup by number, lineage, a 3-hop provenance query, SHACL
(full and incremental), API throughput/latency on a real uvicorn on 127.0.0.1, and (smallest size)
the same corpus in the Oxigraph server and Virtuoso through vankien (load, the same answers, the
query figures, the API with 1, 2 and 4 worker processes; bench/engines_bench.py). Builds run in
fresh child processes (``--child``); every rdflib measurement is cut after a time limit.

    python bench/run.py       # sizes 1000,10000,38000,100000; writes bench/RESULTS.md
    python bench/run.py --targets-only --sizes 10000,100000   # the scale targets only (its section)
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from vankien.graph import queries, synth
from vankien.graph.settings import Settings
from vankien.graph.pipeline import serving_settings
from vankien.graph.store import DiskStore, MemoryStore

from rdflib_baseline import RdflibStore, load_dataset  # bench/ is sys.path[0] when run as a script
from api_load import CLIENT_THREADS, bench_api, percentiles
from engines_bench import bench_engines, markdown as engines_markdown
from report import markdown
from scale_targets import bench_serve, markdown as targets_markdown, remove_snapshots

BENCH = Path(__file__).resolve().parent
LOOKUP_SPARQL = 'PREFIX eli: <http://data.europa.eu/eli/ontology#> SELECT ?d WHERE {{ ?d eli:id_local "{}" }}'
# A number names one document once its issuer's jurisdiction and term are given (numbers restart
# with each term): the lookup a user makes for a known document. The jurisdiction comes first, as
# in queries.document_filter: Oxigraph joins in the order written.
IDENTITY_SPARQL = ('PREFIX eli: <http://data.europa.eu/eli/ontology#> '
                   'PREFIX vk: <https://w3id.org/vankien/ontology#> SELECT ?d WHERE {{ '
                   '?d vk:jurisdiction <{}> ; eli:id_local "{}" ; vk:issuedInTerm <{}> }}')
# 38,000 synthetic documents are ~2.0M quads: the "100k documents ≈ 2M triples" in triples
# (each synthetic document brings ~54 quads: its claims, quotes and selectors); then 100k documents.
DEFAULT_SIZES = "1000,10000,38000,100000"
QUERY_BUDGET_S = 10.0      # time one vankien figure may take (after its minimum runs)
RDFLIB_BUDGET_S = 20.0     # time one rdflib figure may take (after its first run)


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
    stats = synth.generate(size, seed, path, ontology=True)
    return path, vars(stats), time.perf_counter() - started


def extra_source(seed: int) -> tuple[bytes, str]:
    """ONE more synthetic source (another seed; its document IRIs renamed so none collides)."""
    buffer = io.BytesIO()
    synth.generate(synth.DOCS_PER_SOURCE, seed, buffer)
    data = buffer.getvalue().replace(b"/synthetic/id/doc/", b"/synthetic/id/doc/extra-")
    return data, f"{synth.SYNTH_BASE}graph/synthetic-s{seed}-00000"


# --- timing helpers -----------------------------------------------------------------------------------

def timed_runs(function, min_runs: int, max_runs: int, budget_s: float, limit_s: float = 1e9) -> list[float]:
    """Seconds per call: at least min_runs, at most max_runs, no new call once budget_s is spent,
    and none that would likely end after limit_s (so a cut means: one call took that long)."""
    times, started = [], time.perf_counter()
    while len(times) < max_runs:
        spent = time.perf_counter() - started
        if times and (spent > budget_s and len(times) >= min_runs or spent + max(times) > limit_s):
            break
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return times


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def bench_queries(store, stats: dict, min_runs: int, max_runs: int, budget_s: float,
                  measure=None) -> dict:
    """The query figures on any store; `measure(name, function)` may wrap each (time limits)."""
    notation, claim = stats["sample_notation"], stats["sample_claim_triple"]
    identity, (number, place, term) = identity_lookup(store, stats["typical_doc"])
    figures = {
        "lookup_identity": lambda: list(store.query(identity)),
        "lookup_identity_function": lambda: queries.find_documents_by_number(store, number, place=place,
                                                                             term=term),
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
        if isinstance(result[name], dict):
            result[name]["load"] = os.getloadavg()[0]
        log(f"  {name}: {result[name]}")
    return result


def identity_lookup(store, document: str) -> tuple[str, tuple[str, str, int]]:
    """The identity lookup query (jurisdiction + number + term) of one known document, and that
    identity as (number, place, term ordinal) for queries.find_documents_by_number."""
    row = queries.rows(store, f"SELECT ?n ?j ?t ?o WHERE {{ <{document}> eli:id_local ?n ; "
                              f"vk:jurisdiction ?j ; vk:issuedInTerm ?t . ?t vk:termOrdinal ?o }} LIMIT 1")[0]
    return IDENTITY_SPARQL.format(row["j"], row["n"], row["t"]), (row["n"], row["j"], row["o"])


# --- child processes (python bench/run.py --child NAME ARGS_JSON) -------------------------------------

def child_vankien(corpus: str, stats: dict) -> dict:
    """Memory store: bulk build of the checked file (time, peak memory), then the query figures."""
    store, build = memory_build(corpus, checked=True)
    return {"build": build, **bench_queries(store, stats, 200, 2000, QUERY_BUDGET_S)}


def child_memory_build(corpus: str, checked: bool) -> dict:
    return memory_build(corpus, checked)[1]


def memory_build(corpus: str, checked: bool) -> tuple[MemoryStore, dict]:
    """checked=True: the load of vankien's own artifact at every start of the memory store
    (lenient parse); False: the first load of a file nobody has checked yet (strict parse)."""
    started, cpu = time.perf_counter(), cpu_s()
    store = MemoryStore()
    store.replace_with(corpus, checked=checked)
    return store, {"seconds": time.perf_counter() - started, "cpu_s": cpu_s() - cpu, "peak_mb": peak_mb(),
                   "quads": len(store), "load": os.getloadavg()[0]}


def cpu_s() -> float:
    """CPU seconds of this process (user + system): less bent by other jobs than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_snapshot(data_dir: str, stats: dict) -> dict:
    """The snapshot `vankien serve` writes for the memory store (once per artifact), then the query
    figures on it, opened read-only as every serving process opens it."""
    started = time.perf_counter()
    serving = serving_settings(Settings(data_dir=Path(data_dir), store="memory"))
    written = {"written_s": time.perf_counter() - started, "peak_mb": peak_mb(), "load": os.getloadavg()[0]}
    store = DiskStore(serving.disk_store_path, read_only=True)
    return {**written, **bench_queries(store, stats, 200, 2000, QUERY_BUDGET_S)}


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
    from vankien.graph.shacl_sparql import validate_source, validate_store
    store = ox.Store()
    store.bulk_load(path=corpus, format=ox.RdfFormat.N_QUADS)
    started = time.perf_counter()
    full = validate_store(store)
    full_s = time.perf_counter() - started
    data, graph = extra_source(extra_seed)
    store.load(data, ox.RdfFormat.N_QUADS)
    started = time.perf_counter()
    incremental = validate_source(store, graph)
    focus = {q.subject for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
    return {"full_s": full_s, "full_violations": len(full.violations),
            "incremental_s": time.perf_counter() - started, "focus_nodes": len(focus),
            "incremental_violations": len(incremental.violations)}


def child_rdflib(corpus: str, stats: dict, cap_s: float, shacl_cap_s: float, skip: list[str]) -> dict:
    """rdflib: parse (time, peak memory), then each figure in a forked child cut after cap_s."""
    started = time.perf_counter()
    dataset = load_dataset(corpus)
    build = {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}
    log(f"  rdflib parsed in {build['seconds']:.1f} s, peak {build['peak_mb']:.0f} MB")
    store = RdflibStore(dataset)

    def measure(name, function, cap=cap_s):
        if name in skip:
            return {"skipped": True}
        return in_fork(lambda: percentiles(timed_runs(function, 5, 200, RDFLIB_BUDGET_S, 0.9 * cap)), cap)

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
            (child_vankien, child_memory_build, child_disk_build, child_disk_reopen, child_shacl, child_rdflib,
             child_api_server, child_snapshot)}


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



# --- main ---------------------------------------------------------------------------------------------

def bench_size(size: int, args, cut: dict) -> dict:
    corpus, stats, generate_s = make_corpus(size, args.seed, args.out_dir)
    log(f"{size:,} docs: generated {corpus} ({stats['quads']:,} quads) in {generate_s:.1f} s")
    fig = {"documents": size, "generate_s": generate_s}
    log("vankien memory store: build and queries")
    fig["vankien"] = run_child("vankien", str(corpus), stats)
    fig["strict_build"] = run_child("memory_build", str(corpus), False)
    log(f"memory store: checked build {fig['vankien']['build']}, strict build {fig['strict_build']}")
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
        fig["api"] = bench_api(corpus, LOOKUP_SPARQL.format(stats["sample_notation"]), args.api_seconds)
        log(f"API: {fig['api']}")
    if not args.skip_remote and size in args.engine_sizes:
        fig["engines"] = run_engines(corpus, stats, args)
    return fig


def run_engines(corpus: Path, stats: dict, args) -> dict:
    log("engines: the embedded store, the Oxigraph server and Virtuoso")
    found = bench_engines(corpus, stats, bench_queries=bench_queries, competency_answers=competency_answers,
                          lookup_sparql=LOOKUP_SPARQL.format(stats["sample_notation"]),
                          api_seconds=args.api_seconds, log=log, names=args.engines,
                          oxigraph_bulk=stats["documents"] >= args.oxigraph_bulk_from)
    if "oxigraph" in found and "identical" in found["oxigraph"]:
        found["remote"] = "yes" if all(found[e].get("identical") for e in ("oxigraph", "virtuoso")
                                       if "identical" in found.get(e, {})) else "NO"
    return found


ENGINES_BEGIN, ENGINES_END = "<!-- engines: bench/run.py --engines-only -->", "<!-- /engines -->"
TARGETS_BEGIN, TARGETS_END = "<!-- targets: bench/run.py --targets-only -->", "<!-- /targets -->"


def bench_targets(size: int, args) -> dict:
    """The three scale targets on one corpus: memory build, query figures (memory and snapshot),
    `vankien serve` start-up."""
    corpus, stats, _ = make_corpus(size, args.seed, args.out_dir)
    log(f"{size:,} docs: memory store build and queries")
    fig = {"memory": run_child("vankien", str(corpus), stats)}
    remove_snapshots(corpus.parent)
    log("snapshot: written, then the queries on it")
    fig["snapshot"] = run_child("snapshot", str(corpus.parent), stats)
    log("vankien serve: start-up")
    fig["serve"] = bench_serve(corpus.parent, log)
    return fig


def write_section(path: Path, text: str, begin: str = ENGINES_BEGIN, end: str = ENGINES_END) -> None:
    """Put a section into RESULTS.md (replacing the one there), leaving the rest as it is."""
    current = path.read_text() if path.exists() else ""
    section = f"{begin}\n{text}\n{end}"
    if begin in current:
        before, rest = current.split(begin, 1)
        current = before + section + rest.split(end, 1)[1]
    else:
        current = current.rstrip() + "\n\n" + section + "\n"
    path.write_text(current)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        type=lambda text: sorted(int(x) for x in text.split(",")), help="documents per corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out-dir", type=Path, default=BENCH / "out", help="corpora and stores (gitignored)")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--rdflib-max-size", type=int, default=10**9, help="skip rdflib above this size")
    parser.add_argument("--rdflib-timeout", type=float, default=60.0, help="cut one rdflib figure after S s")
    parser.add_argument("--shacl-timeout", type=float, default=300.0, help="cut pySHACL after S s")
    parser.add_argument("--api-seconds", type=float, default=10.0, help="load per API route (0: skip)")
    parser.add_argument("--skip-remote", action="store_true", help="no Oxigraph server / Virtuoso figures")
    parser.add_argument("--engine-sizes", default="10000,100000",
                        type=lambda text: {int(x) for x in text.split(",") if x}, help="sizes with engine figures")
    parser.add_argument("--engines", default="oxigraph,virtuoso", help="remote engines to run",
                        type=lambda text: tuple(x for x in text.split(",") if x))
    parser.add_argument("--oxigraph-bulk-from", type=int, default=50_000, metavar="DOCUMENTS",
                        help="from this corpus size on, fill the Oxigraph server with its own bulk loader "
                             "(36 s at 100k documents; vankien's verified write took 837 s there)")
    parser.add_argument("--engines-only", action="store_true",
                        help="only the engine figures (at --sizes), written into RESULTS.md's engines section")
    parser.add_argument("--targets-only", action="store_true",
                        help="only the scale-target figures (at --sizes), written into RESULTS.md's targets section")
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
    if args.targets_only:
        targets = {}
        for size in args.sizes:
            targets[size] = bench_targets(size, args)
            write_section(args.results, targets_markdown(targets, command), TARGETS_BEGIN, TARGETS_END)
        log(f"wrote the targets section of {args.results}")
        return 0
    if args.engines_only:
        found = {}
        for size in args.sizes:
            corpus, stats, _ = make_corpus(size, args.seed, args.out_dir)
            found[size] = run_engines(corpus, stats, args)
            write_section(args.results, engines_markdown(found, command))
        log(f"wrote the engines section of {args.results}")
        return 0
    results, cut = {}, {}
    for size in args.sizes:
        results[size] = bench_size(size, args, cut)
        text = markdown(results, command, f"rdflib figures cut after {args.rdflib_timeout:.0f} s "
                        f"(pySHACL {args.shacl_timeout:.0f} s); API: {CLIENT_THREADS} keep-alive client "
                        f"threads for {args.api_seconds:.0f} s per route on 127.0.0.1")
        engines = {n: f["engines"] for n, f in results.items() if "engines" in f}
        if engines:
            text += "\n\n" + f"{ENGINES_BEGIN}\n{engines_markdown(engines, command)}\n{ENGINES_END}"
        args.results.write_text(text + "\n")  # after every size: a long run leaves partial results
    print(text)
    log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
