"""Run user SPARQL with a hard time limit, without risking the server process.

A pyoxigraph query cannot be interrupted from Python, so embedded queries run in a small pool of
worker processes (``spawn`` context), each holding its own read-only copy of the data (memory: loaded
from the N-Quads artifact; disk: ``Store.read_only``). When a query exceeds the limit its worker is
killed and a fresh one started; the caller gets :class:`QueryTimeout`. A remote store needs no
worker: the HTTP request carries the time limit.

Row limit: the executor reads at most ``max_rows + 1`` solutions (or triples). If there were more
than ``max_rows`` the result is ``truncated`` and only the first ``max_rows`` are serialised: SELECT
rows are written as SPARQL JSON results, read back by pyoxigraph and serialised by pyoxigraph in the
requested format (pyoxigraph cannot build ``QuerySolutions`` from a list); triples go straight to
``pyoxigraph.serialize``.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import queue
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from vankien.graph.sandbox import deny_network
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import QueryRefused, check_graph_params, check_query
from vankien.graph.store import RDF_FORMATS, RESULT_FORMATS, RemoteStore, StoreError, StoreTimeout, wants_union

SOLUTION_FORMATS = tuple(RESULT_FORMATS)  # json xml csv tsv
GRAPH_FORMATS = ("turtle", "ntriples", "nquads", "jsonld", "rdfxml", "trig")
DEFAULT_FORMAT = {"SELECT": "json", "ASK": "json", "CONSTRUCT": "turtle", "DESCRIBE": "turtle"}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class QueryTimeout(Exception):
    """The query ran out of time (or no worker was free in time); it was stopped."""

    status = 503


class QueryFailed(Exception):
    """The store could not run the query (worker crash, load failure, endpoint error)."""

    status = 500


@dataclass(frozen=True)
class ExecutionResult:
    body: bytes  # serialised result in `format`
    format: str  # json | xml | csv | tsv | turtle | ntriples | nquads | jsonld | rdfxml | trig
    media_type: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    row_count: int  # solutions or triples in `body` (1 for ASK)
    truncated: bool  # True when rows beyond max_rows were dropped
    elapsed_s: float


class QueryExecutor:
    """Thread-safe: any number of threads may call :meth:`execute` at once."""

    def __init__(
        self,
        settings: Settings,
        nquads_path: str | Path | None = None,
        *,
        workers: int = 2,
        start_timeout_s: float = 600.0,
    ) -> None:
        self.settings = settings
        self.start_timeout_s = start_timeout_s
        self._worker_count = max(1, workers)
        self._lock = threading.Lock()
        self._closed = False
        self._generation = 0
        self._workers: set[_Worker] = set()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._remote: RemoteStore | None = None
        self._local_graphs: list[str] | None = None
        self.network_isolation: tuple[str, ...] | None = None  # layers the workers run under
        if settings.store == "remote":
            self._remote = RemoteStore(settings)
            self._source = None
        elif settings.store == "disk":
            self._source = str(settings.disk_store_path)
        else:
            self._source = str(nquads_path) if nquads_path is not None else None
        self.reload(nquads_path)

    # ---- public API -------------------------------------------------------------------------

    def execute(
        self,
        sparql: str,
        *,
        format: str | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        max_rows: int | None = None,
    ) -> ExecutionResult:
        """Check, run and serialise one query. Raises QueryRefused, QueryTimeout or QueryFailed."""
        started = time.monotonic()
        local = self.local_graphs()
        info = check_query(sparql, self.settings, local_graphs=local)
        check_graph_params([*(default_graph or ()), *(named_graphs or ())], self.settings, local)
        format = format or DEFAULT_FORMAT[info.form]
        allowed = GRAPH_FORMATS if info.returns_graph else SOLUTION_FORMATS
        if format not in allowed:
            raise QueryRefused(
                f"format {format!r} does not fit a {info.form} query; use one of {', '.join(allowed)}",
                status=406,
            )
        limit = min(max_rows or self.settings.max_rows, self.settings.max_rows)
        sparql = info.text  # run exactly the text the guard checked (escapes expanded)
        union = wants_union(sparql, default_graph, named_graphs, None)
        request = (sparql, format, default_graph, named_graphs, union, limit)
        if self._remote is not None:
            body, rows, truncated = self._run_remote(request)
        else:
            body, rows, truncated = self._run_in_worker(request)
        media_type = (RESULT_FORMATS.get(format) or RDF_FORMATS[format]).media_type
        return ExecutionResult(
            body, format, media_type, info.form, rows, truncated, time.monotonic() - started
        )

    def local_graphs(self) -> list[str] | None:
        """Named graphs of the loaded data (None until a worker has reported them)."""
        return self._local_graphs

    def reload(self, nquads_path: str | Path | None = None) -> None:
        """Use freshly built data: idle workers are replaced now, busy ones when they finish."""
        if self._remote is not None:
            self._local_graphs = self._remote.named_graphs()
            return
        if nquads_path is not None and self.settings.store == "memory":
            self._source = str(nquads_path)
        with self._lock:
            self._generation += 1
            stale = self._drain_idle()
            fresh = [self._spawn() for _ in range(self._worker_count - len(self._workers) + len(stale))]
        for worker in stale:
            self._stop(worker)
        for worker in fresh:
            worker.wait_ready(self.start_timeout_s)
            self._local_graphs = worker.local_graphs
            self.network_isolation = worker.network_isolation
            self._idle.put(worker)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        for worker in workers:
            self._stop(worker)
        if self._remote is not None:
            self._remote.close()

    def __enter__(self) -> "QueryExecutor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- running ----------------------------------------------------------------------------

    def _run_remote(self, request: tuple) -> tuple[bytes, int, bool]:
        sparql, format, default_graph, named_graphs, union, limit = request
        try:
            results = self._remote.query(
                sparql, default_graph=default_graph, named_graphs=named_graphs,
                union_default_graph=union,
            )
        except StoreTimeout:
            raise QueryTimeout(self._timeout_message()) from None
        except StoreError as error:
            raise QueryFailed(_without_network_detail(str(error))) from None
        return serialize_results(results, format, limit)

    def _run_in_worker(self, request: tuple) -> tuple[bytes, int, bool]:
        timeout = self.settings.query_timeout_s
        worker = self._acquire(timeout)
        try:
            try:
                worker.wait_ready(self.start_timeout_s)
            except QueryFailed:
                self._replace(worker)  # try a fresh load next time
                worker = None
                raise
            worker.conn.send(request)
            if not worker.conn.poll(timeout):
                self._replace(worker)
                worker = None
                raise QueryTimeout(self._timeout_message())
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            worker = None
            raise QueryFailed("the query worker stopped unexpectedly; a new one was started") from None
        finally:
            if worker is not None:
                self._release(worker)
        if reply[0] == "ok":
            return reply[1]
        _, kind, message = reply
        if kind == "SyntaxError":
            raise QueryRefused(f"SPARQL error: {message}")
        raise QueryFailed(f"query failed: {kind}: {_without_network_detail(message)}")

    def _acquire(self, timeout: float) -> "_Worker":
        """An idle worker; one that died while idle is replaced on the way."""
        deadline = time.monotonic() + timeout
        while True:
            if self._closed:
                raise QueryFailed("the query executor is closed (the server is shutting down)")
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise QueryTimeout(
                    f"all {self._worker_count} query workers stayed busy for {timeout:g} s; try again"
                ) from None
            if worker.process.is_alive():
                return worker
            self._replace(worker)

    def _timeout_message(self) -> str:
        return (
            f"query stopped after the {self.settings.query_timeout_s:g} s time limit "
            "(VANKIEN_QUERY_TIMEOUT_S); add LIMIT or narrow the patterns"
        )

    # ---- worker pool ------------------------------------------------------------------------

    def _spawn(self) -> "_Worker":
        """Start a worker for the current data (call with the lock held)."""
        backend = "disk" if self.settings.store == "disk" else "memory"
        worker = _Worker(backend, self._source, self._generation)
        self._workers.add(worker)
        return worker

    def _drain_idle(self) -> list["_Worker"]:
        drained = []
        while True:
            try:
                drained.append(self._idle.get_nowait())
            except queue.Empty:
                return drained

    def _release(self, worker: "_Worker") -> None:
        if worker.generation == self._generation and not self._closed:
            self._idle.put(worker)
        else:
            self._replace(worker)

    def _replace(self, worker: "_Worker") -> None:
        """Kill a worker; unless closing, put a fresh one (still loading) in the pool."""
        self._stop(worker)
        with self._lock:
            if self._closed:
                return
            fresh = self._spawn()
        self._idle.put(fresh)

    def _stop(self, worker: "_Worker") -> None:
        worker.stop()
        with self._lock:
            self._workers.discard(worker)


class _Worker:
    """One child process holding one pyoxigraph store."""

    _context = multiprocessing.get_context("spawn")

    def __init__(self, backend: str, source: str | None, generation: int) -> None:
        self.generation = generation
        self.local_graphs: list[str] | None = None
        self.network_isolation: tuple[str, ...] = ()
        self._ready = False
        self._ready_lock = threading.Lock()
        self.conn, child_conn = self._context.Pipe()
        self.process = self._context.Process(
            target=_worker_main, args=(child_conn, backend, source), name="vankien-query", daemon=True
        )
        self.process.start()
        child_conn.close()

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has loaded its data (first message on the pipe)."""
        with self._ready_lock:
            if self._ready:
                return
            try:
                if not self.conn.poll(timeout):
                    raise QueryFailed(f"query worker did not load its data within {timeout:g} s")
                message = self.conn.recv()
            except (EOFError, OSError):
                raise QueryFailed(
                    f"query worker exited while starting (exit code {self.process.exitcode}); "
                    "scripts that start a QueryExecutor need an `if __name__ == '__main__':` guard"
                ) from None
            if message[0] != "ready":
                raise QueryFailed(f"query worker could not load its data: {message[2]}")
            self.local_graphs, self.network_isolation = message[1], message[2]
            self._ready = True

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()


# ---- inside the worker process --------------------------------------------------------------


def _worker_main(conn, backend: str, source: str | None) -> None:
    # Before anything else: a query that slipped past the guard still cannot reach any host.
    isolation = deny_network()
    try:
        if backend == "disk":
            store = ox.Store.read_only(source)
        else:
            store = ox.Store()
            if source is not None:
                store.bulk_load(path=source, format=ox.RdfFormat.N_QUADS)
        graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    except Exception as error:  # reported to the parent, which raises QueryFailed
        conn.send(("error", type(error).__name__, f"{source}: {error}"))
        return
    conn.send(("ready", graphs, isolation))
    while True:
        try:
            request = conn.recv()
        except EOFError:  # parent went away
            return
        try:
            conn.send(("ok", _run_embedded(store, request)))
        except Exception as error:
            conn.send(("error", type(error).__name__, str(error)))


def _run_embedded(store: ox.Store, request: tuple) -> tuple[bytes, int, bool]:
    sparql, format, default_graph, named_graphs, union, limit = request
    options: dict[str, Any] = {"use_default_graph_as_union": union}
    if default_graph:
        options["default_graph"] = [ox.NamedNode(iri) for iri in default_graph]
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
    return serialize_results(store.query(sparql, **options), format, limit)


# Engine messages about a failed fetch would tell a client whether a host or port answered.
_NETWORK_DETAIL = re.compile(
    r"service|http|connect|socket|network|dns|resolve|host|port|refused|unreachable|permission denied",
    re.IGNORECASE,
)


def _without_network_detail(message: str) -> str:
    if _NETWORK_DETAIL.search(message):
        return "the query could not be evaluated"
    return message


# ---- serialisation (shared by workers and the remote path) -----------------------------------


def serialize_results(results, format: str, max_rows: int) -> tuple[bytes, int, bool]:
    """``(body, row_count, truncated)`` for pyoxigraph results, keeping at most ``max_rows`` rows."""
    if isinstance(results, ox.QueryBoolean):
        return results.serialize(format=RESULT_FORMATS[format]), 1, False
    if isinstance(results, ox.QuerySolutions):
        variables = [v.value for v in results.variables]
        rows = list(itertools.islice(results, max_rows + 1))
        kept = rows[:max_rows]
        document = {
            "head": {"vars": variables},
            "results": {"bindings": [_binding_json(variables, row) for row in kept]},
        }
        reread = ox.parse_query_results(json.dumps(document).encode(), ox.QueryResultsFormat.JSON)
        return reread.serialize(format=RESULT_FORMATS[format]), len(kept), len(rows) > max_rows
    triples = list(itertools.islice(iter(results), max_rows + 1))
    kept = triples[:max_rows]
    rdf = RDF_FORMATS[format]
    if rdf in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):  # dataset formats want quads
        kept_items = [ox.Quad(t.subject, t.predicate, t.object) for t in kept]
    else:
        kept_items = kept
    return ox.serialize(kept_items, format=rdf), len(kept), len(triples) > max_rows


def _binding_json(variables: list[str], row: ox.QuerySolution) -> dict:
    return {name: _term_json(term) for name, term in zip(variables, row) if term is not None}


def _term_json(term) -> dict:
    """A pyoxigraph term in the SPARQL 1.1 (1.2 for triple terms) JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        encoded = {"type": "literal", "value": term.value}
        if term.language:
            encoded["xml:lang"] = term.language
            if term.direction is not None:
                encoded["its:dir"] = str(term.direction)  # "ltr" | "rtl"
        elif term.datatype.value != XSD_STRING:
            encoded["datatype"] = term.datatype.value
        return encoded
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term in query results: {term!r}")
