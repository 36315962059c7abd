"""The ``vankien`` command: a thin layer over the build core, the queries and the stores.

Every known error is one line on stderr (``vankien: error: …``); the exit status says which kind
(README, "Exit status"): 1 the graph violates the shapes (or coverage found gaps), 2 usage or bad
input, 3 not found, 4 store unreachable, 130 interrupted, 141 the reader closed the pipe.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

from vankien import __version__
from vankien.graph import formats, queries
from vankien.graph.errors import BadInput, NotFound, UserError
from vankien.graph.namespaces import prefixes_with_ids
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import QueryRefused

EXPORT_NAMES = [name for fmt in formats.EXPORTS for name in fmt.names()]
EXIT_VIOLATIONS, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_UNREACHABLE = 1, 2, 3, 4
EXIT_INTERRUPTED, EXIT_CLOSED_PIPE = 130, 141     # as a shell reports SIGINT and SIGPIPE


def _settings(args) -> Settings:
    overrides = {name: getattr(args, name) for name in
                 ("store", "data_dir", "seeds_dir", "sources_dir", "base_iri", "store_path",
                  "remote_query_url", "remote_update_url", "remote_gsp_url", "remote_profile", "claims")
                 if getattr(args, name, None) is not None}
    return Settings.from_env(**overrides)


def _open(args):
    from vankien.graph.pipeline import open_graph
    return open_graph(_settings(args))


# --- commands -----------------------------------------------------------------------------------------

def cmd_build(args) -> int:
    from vankien.graph.pipeline import build
    result = build(_settings(args))
    print(f"built {result.artifact}: {result.quads} quads, {result.claims} claimed triples from "
          f"{len(result.sources)} source(s) in {result.seconds:.2f} s; SHACL: conforms")
    for missing in result.unverified_sources:
        print(f"note: quotes of {missing} not verified: the source text is not in the sources folder "
              f"(set VANKIEN_SOURCES_DIR)", file=sys.stderr)
    return 0


def cmd_review(args) -> int:
    from vankien.cli import review
    return review.run(args, _settings(args).sources_dir)


def cmd_ingest(args) -> int:
    from vankien.graph.claims import load_claims_paths, load_seed_dir
    from vankien.graph.ingest import ingest_file, report_text
    settings = _settings(args)
    known = load_seed_dir(settings.seeds_dir) + load_claims_paths(settings.claims)
    result = ingest_file(args.file, seeds=known, sources_dir=settings.sources_dir,
                         base_iri=settings.base_iri, output=args.output, url=args.url, lang=args.lang,
                         date=args.date, overwrite=args.force)
    print(report_text(result.report))
    print(f"report: {result.report_file}")
    return 0


def _iso_date(text: str):
    import datetime
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _web_address(text: str) -> str:
    """A source's URL (--url): an absolute http(s) address, as vk:sourceUrl records it."""
    from urllib.parse import urlsplit
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a web address (http:// or https://, e.g. "
                                         "https://baodienbienphu.com.vn/…)")
    return text.strip()


def _at_least_one(text: str) -> int:
    """A count or ordinal (--depth, --term, --web-workers): 0 or less would answer nothing, quietly."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def cmd_validate(args) -> int:
    from xml.sax import SAXParseException
    from rdflib import Dataset
    from rdflib.exceptions import ParserError
    from vankien.graph.pipeline import artifact_path
    from vankien.graph.validate import validate_dataset
    settings = _settings(args)
    path = Path(args.file) if args.file else artifact_path(settings)
    if not path.exists():
        raise NotFound(f"{path} not found" + ("" if args.file else ": run 'vankien build' first"))
    data = Dataset()
    try:
        data.parse(path, format=formats.by_extension(path).rdflib)
    # rdflib's parsers raise each of these for a malformed file (Turtle, JSON-LD, N-Triples, RDF/XML)
    except (SyntaxError, ValueError, ParserError, SAXParseException) as exc:
        if isinstance(exc, UserError):
            raise
        raise BadInput(f"{path}: cannot read it as RDF: {exc}") from None
    report = validate_dataset(data, engine=args.engine)
    print(report.text())
    return 0 if report.conforms else 1


def cmd_query(args) -> int:
    from vankien.graph.namespaces import PREFIXES as KNOWN_PREFIXES
    from vankien.graph.sparql_guard import check_query, engine_refusal, is_engine_refusal
    text = _query_file(Path(args.file)) if args.file else args.sparql
    if not text:
        raise BadInput("give a SPARQL query text or --file FILE")
    settings = _settings(args)
    # The command line knows the usual prefixes (vk:, eli:, skos: …): the guard reads the user's text
    # (so error positions are the user's lines) and the store runs it after their PREFIX lines.
    checked = check_query(text, settings, known_prefixes=KNOWN_PREFIXES).text
    store = _open(args)
    try:
        result = store.query(queries.PREFIXES + checked)
    except (SyntaxError, RuntimeError) as refused:   # the engine's own rules (grouping, scope, functions)
        if not is_engine_refusal(type(refused).__name__, str(refused)):
            raise
        raise engine_refusal(str(refused), lines_before=queries.PREFIXES.count("\n")) from None
    _print_result(result, args.format)
    return 0


def _query_file(path: Path) -> str:
    from vankien.graph.claims import read_utf8
    if not path.exists():
        raise NotFound(f"{path}: no such file")
    return read_utf8(path)    # not UTF-8: an error at its line and column


def _print_result(result, fmt: str) -> None:
    import pyoxigraph as ox
    if isinstance(result, ox.QueryBoolean) or isinstance(result, bool):
        print(json.dumps({"boolean": bool(result)}) if fmt == "json" else str(bool(result)).lower())
        return
    if not hasattr(result, "variables"):           # CONSTRUCT / DESCRIBE: a graph, not a table
        if fmt in ("csv", "tsv"):
            raise BadInput(f"--format {fmt}: a CONSTRUCT or DESCRIBE query answers with a graph; "
                           "use --format table (Turtle) or json (JSON-LD)")
        syntax = ox.RdfFormat.JSON_LD if fmt == "json" else ox.RdfFormat.TURTLE
        sys.stdout.write(formats.in_memory(ox.serialize(result, format=syntax)).decode())
        return
    names = [v.value for v in result.variables]
    table = [[queries.python_value(solution[name]) for name in names] for solution in result]
    if fmt == "json":
        print(json.dumps([dict(zip(names, row)) for row in table], ensure_ascii=False, indent=2))
    elif fmt in ("csv", "tsv"):
        writer = csv.writer(sys.stdout, delimiter="," if fmt == "csv" else "\t")
        writer.writerow(names)
        writer.writerows([["" if v is None else v for v in row] for row in table])
    else:
        _print_table(names, table)


def _print_table(names: list[str], table: list[list]) -> None:
    cells = [[("" if v is None else str(v)) for v in row] for row in table]
    widths = [min(60, max([len(n)] + [len(r[i]) for r in cells])) for i, n in enumerate(names)]
    line = lambda values: "  ".join(v[:60].ljust(w) for v, w in zip(values, widths))  # noqa: E731
    print(line(names))
    print(line(["-" * w for w in widths]))
    for row in cells:
        print(line(row))
    print(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")


def _narrowing_arguments(command) -> None:
    """Numbers restart with each term: --term and --place pick one document among namesakes."""
    command.add_argument("--term", type=_at_least_one, help="ordinal of the issuing committee's term (e.g. 14)")
    command.add_argument("--place", help="IRI of the place whose committee issued the document")


def _document(store, args) -> str:
    """The document ``args.id`` names: a number, an IRI or a CURIE (``vkid:doc/…``), as in REST."""
    return queries.resolve_document(store, args.id, place=args.place, term=args.term,
                                    prefixes=prefixes_with_ids(_settings(args).base_iri))


def cmd_show(args) -> int:
    store = _open(args)
    doc = _document(store, args)
    if args.json:
        print(json.dumps(queries.describe(store, doc), ensure_ascii=False, indent=2))
        return 0
    from vankien.cli.show import render
    print("\n".join(render(store, doc)))
    return 0


def cmd_lineage(args) -> int:
    store = _open(args)
    doc = _document(store, args)
    result = queries.lineage(store, doc, max_depth=args.depth)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    from vankien.cli.show import render_lineage
    print("\n".join(render_lineage(store, doc, result)))
    return 0


def cmd_coverage(args) -> int:
    from vankien.graph.claims import load_seed_dir, source_text
    from vankien.graph.coverage import find_gaps, load_ignore_rules
    settings = _settings(args)
    missing_total, checked = 0, 0
    for seed in load_seed_dir(settings.seeds_dir):
        text = source_text(seed, settings.sources_dir)
        if text is None:
            print(f"{seed.source.file}: source text not found in {settings.sources_dir}; not checked",
                  file=sys.stderr)
            continue
        checked += 1
        gaps = find_gaps(seed, text, load_ignore_rules(settings.seeds_dir, seed.source.file))
        missing_total += len(gaps)
        print(f"{seed.source.file}: {len(gaps)} number(s) or figure(s) not represented")
        for gap in gaps:
            print(f"  {gap}")
    if not checked:
        raise NotFound(f"no source text found in {settings.sources_dir}")
    return EXIT_VIOLATIONS if missing_total else 0


def cmd_export(args) -> int:
    from vankien.graph.export import export
    data = export(_open(args), args.format, base_iri=_settings(args).base_iri)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({len(data)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_load(args) -> int:
    """Bulk build: stream a large N-Quads file into the store, replacing its content atomically.

    The memory store lives in the serving process and is filled from ``data_dir/vankien.nq``: for it
    the checked file becomes that artifact. Disk and remote stores are filled directly."""
    import shutil
    from vankien.graph.pipeline import MANIFEST, artifact_path
    from vankien.graph.progress import progress_bar
    from vankien.graph.store import check_nquads_file, open_store
    from vankien.graph.synth import check_complete
    path = Path(args.file)
    if path.is_dir():
        raise BadInput(f"{path} is a folder: give the N-Quads file to load")
    if not path.is_file():
        raise NotFound(f"{path} not found")
    check_complete(path)
    settings = _settings(args)
    if (artifact_path(settings).parent / MANIFEST).exists() and settings.store != "remote":
        raise BadInput(f"{settings.data_dir} holds the graph built from the seeds; load other data "
                         "(e.g. a synthetic corpus) into another folder with --data-dir, so the two "
                         "never mix")
    started = time.perf_counter()
    show = sys.stderr.isatty()       # the streamed load that reports progress is slower than the native one
    with progress_bar(total=None, unit="quad", desc="check") as bar:
        quads = check_nquads_file(path, progress=bar.update_to if show else None)
    if quads == 0:   # surely the wrong file: loading it would leave an empty graph served
        raise BadInput(f"{path} holds no quads: nothing loaded, the {settings.store} store is unchanged")
    if settings.store == "memory":
        target = artifact_path(settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target.with_name(target.name + ".tmp"))
        target.with_name(target.name + ".tmp").replace(target)
        print(f"checked {quads} quads; {target} now holds them: 'vankien serve' (memory store) serves "
              f"them (took {time.perf_counter() - started:.1f} s)")
        return 0
    store = open_store(settings)
    try:
        with progress_bar(total=None, unit="quad", desc="load") as bar:
            store.replace_with(path, progress=bar.update_to if show else None, checked=True)
        quads = len(store)
    finally:
        store.close()
    print(f"loaded {quads} quads from {path} into the {settings.store} store in "
          f"{time.perf_counter() - started:.1f} s")
    return 0


def cmd_viz(args) -> int:
    from vankien.api.graph_page import write_view
    settings = _settings(args)
    path = write_view(_open(args), args.output, focus=args.focus, depth=args.depth,
                      types=args.type, max_nodes=args.max_nodes, settings=settings)
    print(f"wrote {path}")
    return 0


def cmd_synth(args) -> int:
    from vankien.graph.synth import generate
    from vankien.graph.progress import progress_bar
    with progress_bar(total=args.docs, unit="doc", desc="synth") as bar:
        stats = generate(args.docs, args.seed, args.output, progress=bar.update_to,
                         ontology=not args.no_ontology)
    ontology = "" if args.no_ontology else " and the ontology graph"
    print(f"wrote {args.output}: {stats.documents} synthetic documents, {stats.quads} quads{ontology} "
          f"(SYNTHETIC data: keep it out of the real graph)")
    return 0


def cmd_serve(args) -> int:
    import uvicorn
    from vankien.api.app import create_app, uvicorn_config
    from vankien.api.security import check_can_listen, uvicorn_options
    settings = _settings(args).replace(**{k: v for k, v in (
        ("host", args.host), ("port", args.port), ("cors", args.cors)) if v is not None})
    from vankien.api.runtime import open_runtime
    from vankien.graph.pipeline import open_graph, serving_settings
    check_can_listen(settings.host, settings.port)
    # Build if needed and open the graph before uvicorn starts: a bad seed or data folder is then
    # one line (main()), not a traceback of the server's start-up.
    runtime = open_runtime(settings) if args.web_workers == 1 else None
    if runtime is None:
        open_graph(serving_settings(settings), read_only=True).close()
    print(f"vankien: serving on http://{settings.host}:{settings.port}/ (store: {settings.store}, "
          f"{args.web_workers} web worker(s))")
    # No line per request unless asked: at hundreds of requests a second the log costs more than
    # answering a cheap query.
    options = {"host": settings.host, "port": settings.port, "log_level": "info",
               "access_log": args.access_log}
    if runtime is not None:
        try:
            uvicorn.Server(uvicorn_config(create_app(settings, runtime=runtime), **options)).run()
        finally:
            runtime.close()
        return 0
    # Several processes: each imports the app and reads its settings from the environment.
    os.environ.update(settings.environment())
    uvicorn.run("vankien.api.app:create_served_app", factory=True, workers=args.web_workers, **options,
                **uvicorn_options())
    return 0


# --- parser -------------------------------------------------------------------------------------------

def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vankien", description="A source-backed knowledge graph of "
                                     "Vietnamese Communist Party documents.")
    parser.add_argument("--version", action="version", version=f"vankien {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", choices=("memory", "disk", "remote"), help="store backend")
    common.add_argument("--store-path", dest="store_path", help="folder of the disk store")
    common.add_argument("--remote-query-url", dest="remote_query_url")
    common.add_argument("--remote-update-url", dest="remote_update_url")
    common.add_argument("--remote-gsp-url", dest="remote_gsp_url")
    common.add_argument("--remote-profile", dest="remote_profile", choices=("oxigraph", "virtuoso", "generic"),
                        help="the remote engine's quirks (default: detected from the server)")
    common.add_argument("--data-dir", dest="data_dir", help="where built artifacts go (default ./var)")
    common.add_argument("--seeds-dir", dest="seeds_dir")
    common.add_argument("--sources-dir", dest="sources_dir", help="folder of source texts")
    common.add_argument("--base-iri", dest="base_iri")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text):
        cmd = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        cmd.set_defaults(func=func)
        return cmd

    b = add("build", cmd_build, "build the graph from the seed claims (validated; atomic)")
    b.add_argument("--claims", action="append", metavar="PATH",
                   help="also build this claims file or folder (repeatable); only curated and "
                        "accepted claims reach the graph")
    from vankien.cli.review import add_arguments as review_arguments
    review_arguments(add("review", cmd_review, "accept or reject candidate claims (a terminal, or --web: "
                                               "a local page on 127.0.0.1)"))
    ig = add("ingest", cmd_ingest, "read a text or HTML page into candidate claims (all pending review)")
    ig.add_argument("file", help="UTF-8 text or HTML page")
    ig.add_argument("--url", type=_web_address, help="where the text was taken from (recorded as the source URL)")
    ig.add_argument("--lang", choices=("vi", "de", "en", "auto"), default="auto")
    ig.add_argument("--date", type=_iso_date, help="date of the text, YYYY-MM-DD (recorded for review)")
    ig.add_argument("-o", "--output", help="candidate claims file (default ./<file>.claims.yaml); "
                    "the JSON report is written beside it")
    ig.add_argument("--force", action="store_true", help="replace an existing claims file (and its decisions)")
    v = add("validate", cmd_validate, "validate the built graph (or FILE) against the SHACL shapes")
    v.add_argument("file", nargs="?")
    v.add_argument("--engine", choices=("sparql", "pyshacl"), default="sparql",
                   help="sparql: shapes compiled to SPARQL on pyoxigraph (fast); pyshacl: the reference")
    q = add("query", cmd_query, "run a SPARQL query")
    q.add_argument("sparql", nargs="?")
    q.add_argument("-f", "--file")
    q.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table",
                   help="rows as a table, CSV, TSV or JSON; a CONSTRUCT or DESCRIBE graph as Turtle "
                        "(table) or JSON-LD (json)")
    s = add("show", cmd_show, "show a document (any spelling of its number, its URI or a CURIE)")
    s.add_argument("id")
    _narrowing_arguments(s)
    s.add_argument("--json", action="store_true")
    ln = add("lineage", cmd_lineage, "what a document implements and what implements it, with quotes")
    ln.add_argument("id")
    _narrowing_arguments(ln)
    ln.add_argument("--depth", type=_at_least_one, default=20)
    ln.add_argument("--json", action="store_true")
    add("coverage", cmd_coverage, "list numbers and figures of the sources the graph does not represent")
    e = add("export", cmd_export, "export the graph")
    e.add_argument("--format", choices=EXPORT_NAMES, default=formats.EXPORTS[0].name)
    e.add_argument("-o", "--output")
    ld = add("load", cmd_load, "bulk-load a large N-Quads file into the store (replaces its content)")
    ld.add_argument("file")
    z = add("viz", cmd_viz, "write the interactive graph view as one offline HTML file")
    z.add_argument("--focus")
    z.add_argument("--depth", type=int, default=2)
    z.add_argument("--type", action="append", help="only these node types (repeatable)")
    z.add_argument("--max-nodes", dest="max_nodes", type=int, default=500)
    z.add_argument("-o", "--output", default="vankien-graph.html")
    y = add("synth", cmd_synth, "generate a SYNTHETIC corpus (N-Quads) for benchmarks")
    y.add_argument("--docs", type=int, default=1000)
    y.add_argument("--seed", type=int, default=1)
    y.add_argument("-o", "--output", default="synthetic.nq")
    y.add_argument("--no-ontology", dest="no_ontology", action="store_true",
                   help="leave out the ontology graph (the queries need it: add it yourself)")
    sv = add("serve", cmd_serve, "build if needed and serve the API and the graph view")
    sv.add_argument("--host")
    sv.add_argument("--port", type=int)
    sv.add_argument("--web-workers", dest="web_workers", type=_at_least_one, default=1, metavar="N",
                    help="HTTP server processes (default 1); each runs its own query workers")
    sv.add_argument("--access-log", dest="access_log", action="store_true",
                    help="log one line per request (off by default)")
    sv.add_argument("--cors", metavar="ORIGIN|*",
                    help="let browser clients on ORIGIN (comma-separated, or * for any) call the API "
                         "(default: off; also VANKIEN_CORS)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)      # argparse exits with EXIT_USAGE (2) on bad arguments
    try:
        status = args.func(args)
        sys.stdout.flush()                       # a closed pipe shows here, inside the handler
        return status
    except KeyboardInterrupt:
        print("vankien: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()
    except Exception as exc:  # one clear line for every error a user can cause; a bug still shows
        status = _exit_status(exc)
        if status is None:
            raise
        print(f"vankien: error: {exc}", file=sys.stderr)
        return status


# Errors a user causes and fixes: vankien's named ones, a refused query, and the operating system
# refusing a path the user gave. Anything else is a bug and keeps its traceback.
USER_ERRORS = (UserError, QueryRefused, FileNotFoundError, PermissionError, IsADirectoryError,
               NotADirectoryError)


def _reader_gone() -> int:
    """``vankien show … | head -1``: the reader has all it wants. Point stdout at /dev/null so the
    interpreter's final flush does not fail again, and say nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_CLOSED_PIPE


def _exit_status(exc: Exception) -> int | None:
    """The exit status of an error a user can cause and fix; None for a bug (it shows a traceback)."""
    from vankien.graph.build import ShapesViolated
    from vankien.graph.store import StoreUnreachable
    statuses: tuple[tuple[tuple[type[BaseException], ...], int], ...] = (
        ((ShapesViolated,), EXIT_VIOLATIONS), ((StoreUnreachable,), EXIT_UNREACHABLE),
        ((NotFound, FileNotFoundError), EXIT_NOT_FOUND), (USER_ERRORS, EXIT_USAGE))
    for kinds, status in statuses:
        if isinstance(exc, kinds):
            return status
    return None
