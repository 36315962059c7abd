"""Check and run user SPARQL with hard limits, without risking the server process.

Both the guard's parse (rdflib, slow on hostile input) and the query (pyoxigraph, which cannot be
interrupted from Python) run in worker processes (:mod:`.workers`): network-less, memory-capped,
forked from a zygote that holds the data. What runs too long or too big is killed; a fresh worker
is forked in milliseconds. The server process only runs the guard's linear lexical checks
(:func:`~vankien.graph.sparql_guard.precheck`) and remembers, per distinct query text, the guard's
verdict (so each text is parsed once) and whether it ran long.

Scheduling keeps cheap queries fast while expensive ones run (``Settings``):

- every query starts on any idle worker; one still running after ``slow_query_s`` is *long* and
  must hold one of ``slow_query_slots`` slots to go on, else it is stopped (503, "busy with long
  queries"); so at least ``query_workers - slow_query_slots`` workers are always left for the rest;
- a text that ran long before waits for a slot before it starts (it never takes a quick worker);
- checking and running each stop at ``query_timeout_s``; a text the guard could not parse in that
  time is refused (400) from then on.

A remote store needs no worker for running (the HTTP request carries the time limit); its queries
are still checked in workers.

Row limits and serialisation: :mod:`.results`.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from vankien.graph import formats
from vankien.graph.settings import Settings
from vankien.graph.results import serialize_results
from vankien.graph.sparql_guard import (QueryInfo, QueryRefused, engine_refusal, is_engine_refusal, is_repeatable,
                                        local_dataset, precheck)
from vankien.graph.store import RemoteStore, StoreError, StoreTimeout
from vankien.graph.workers import MEMORY_SIGNALS, Worker, WorkerStartError, Zygote

SOLUTION_FORMATS = tuple(f.name for f in formats.SOLUTIONS)  # json xml csv tsv
GRAPH_FORMATS = tuple(f.name for f in formats.GRAPHS)
REMEMBERED_TEXTS = 4096  # distinct query texts whose verdict and cost the executor keeps
# Answers kept for reuse until the data is reloaded: small ones, of repeatable queries, embedded stores.
REMEMBERED_ANSWERS = 2048
ANSWER_BYTES_KEPT = 16_384  # at most 2048 × 16 kB = 32 MB
SLOT_WAIT_S = 1.0  # how long a text that ran long before waits for a slot (it holds a thread)


class QueryTimeout(Exception):
    """The query ran out of time (or no worker was free in time); it was stopped."""

    status = 503


class QueryBusy(QueryTimeout):
    """The query ran long while every slot for long queries was taken; it was stopped."""


class QueryFailed(Exception):
    """The store could not run the query (worker crash, load failure, endpoint error)."""

    status = 500


class QueryOutOfMemory(QueryFailed):
    """The query needed more memory than a worker may take (``worker_memory_mb``)."""

    status = 507


@dataclass(frozen=True)
class ExecutionResult:
    body: bytes  # serialised result in `format`
    format: str  # json | xml | csv | tsv | turtle | ntriples | nquads | jsonld | rdfxml | trig
    media_type: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    row_count: int  # solutions or triples in `body` (1 for ASK)
    truncated: bool  # True when rows beyond max_rows were dropped
    elapsed_s: float


class _Memo:
    """A bounded, thread-safe map from query text to what was learnt about it (oldest dropped)."""

    def __init__(self, size: int = REMEMBERED_TEXTS) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._size, self._lock = size, threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def discard(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


class QueryExecutor:
    """Thread-safe: any number of threads may call :meth:`check` and :meth:`execute` at once."""

    def __init__(
        self,
        settings: Settings,
        nquads_path: str | Path | None = None,
        *,
        workers: int | None = None,
        start_timeout_s: float = 600.0,
    ) -> None:
        self.settings = settings
        self.start_timeout_s = start_timeout_s
        self._worker_count = max(1, workers or settings.query_workers)
        # At least one worker stays free for quick queries, unless there is only one.
        self._slow_slot_count = max(1, min(settings.slow_query_slots, self._worker_count - 1))
        self._slow_slots = threading.BoundedSemaphore(self._slow_slot_count)
        self._verdicts = _Memo()  # text → QueryInfo | QueryRefused
        self._ran_long = _Memo()  # text → True
        self._answers = _Memo(REMEMBERED_ANSWERS)  # repr(request) → (body, rows, truncated)
        self._checking: dict[str, threading.Event] = {}  # texts being checked now
        self._lock = threading.Lock()
        self._closed = False
        self._generation = 0
        self._zygote: Zygote | None = None
        self._workers: set[Worker] = set()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._remote: RemoteStore | None = None
        self._local_graphs: list[str] | None = None
        self.network_isolation: tuple[str, ...] | None = None  # layers the workers run under
        if settings.store == "remote":
            self._remote = RemoteStore(settings)
            self._backend, self._source = "none", None
        elif settings.store == "disk":
            self._backend, self._source = "disk", str(settings.disk_store_path)
        else:
            self._backend = "memory"
            self._source = str(nquads_path) if nquads_path is not None else None
        self.reload(nquads_path)

    # ---- public API -------------------------------------------------------------------------

    def check(self, sparql: str) -> QueryInfo:
        """The guard's verdict on ``sparql``: its :class:`QueryInfo` or :class:`QueryRefused`.

        Cheap lexical limits are checked here; the parse runs in a worker under the time limit,
        once per distinct text (the verdict is remembered).
        """
        known = self._verdicts.get(sparql)
        if known is None:
            known = self._check_once(sparql)
        if isinstance(known, QueryRefused):
            raise QueryRefused(known.message, known.status, **known.where)
        return known

    def check_if_known(self, sparql: str) -> QueryInfo | None:
        """The remembered verdict on ``sparql`` (None when it has not been checked); never blocks."""
        known = self._verdicts.get(sparql)
        if isinstance(known, QueryRefused):
            raise QueryRefused(known.message, known.status)
        return known

    def execute(
        self,
        sparql: str,
        *,
        format: str | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        max_rows: int | None = None,
        base_iri: str | None = None,
    ) -> ExecutionResult:
        """Check, run and serialise one query. Raises QueryRefused, QueryTimeout or QueryFailed.

        ``base_iri`` resolves relative IRIs in the query (the endpoint's URL, as the SPARQL Protocol
        retrieves the query from there); graph IRIs the store does not hold are empty graphs.
        """
        started = time.monotonic()
        answers = self._answers  # this data's: a reload meanwhile must not receive the answer
        info = self.check(sparql)
        request = self._request(info, format, default_graph, named_graphs, max_rows, base_iri)
        key = repr(request)
        answer = answers.get(key)
        if answer is None:
            if self._remote is not None:
                answer = self._run_remote(request)
            else:
                answer = self._in_worker(("run", request), key=sparql)
            if self._remote is None and len(answer[0]) <= ANSWER_BYTES_KEPT and is_repeatable(info.text):
                answers.put(key, answer)
        return self._result(info, request[1], answer, started)

    def answer_if_known(self, sparql: str, *, format: str | None = None,
                        default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
                        max_rows: int | None = None, base_iri: str | None = None) -> ExecutionResult | None:
        """What :meth:`execute` would answer, when that needs no worker: the text's verdict and this
        answer are remembered (the data has not been reloaded since). Never blocks: callers on an
        event loop use it before handing :meth:`execute` to a thread."""
        started = time.monotonic()
        info = self.check_if_known(sparql)
        if info is None:
            return None
        request = self._request(info, format, default_graph, named_graphs, max_rows, base_iri)
        answer = self._answers.get(repr(request))
        return None if answer is None else self._result(info, request[1], answer, started)

    def _request(self, info: QueryInfo, format: str | None, default_graph: list[str] | None,
                 named_graphs: list[str] | None, max_rows: int | None, base_iri: str | None) -> tuple:
        """The request tuple a worker runs for a checked query (QueryRefused when it cannot be)."""
        local = self.local_graphs()
        default_graph = local_dataset(default_graph, self.settings, local)
        named_graphs = local_dataset(named_graphs, self.settings, local, parameter="named-graph-uri")
        if default_graph and named_graphs is None:
            named_graphs = []  # a protocol dataset holds the graphs it names, no others (as Oxigraph)
        allowed = tuple(f.name for f in formats.for_form(info.form))
        format = format or allowed[0]
        if format not in allowed:
            raise QueryRefused(
                f"format {format!r} does not fit a {info.form} query; use one of {', '.join(allowed)}",
                status=406,
            )
        limit = min(max_rows or self.settings.max_rows, self.settings.max_rows)
        # An explicit dataset or a FROM clause wins over the union default graph.
        union = not (default_graph or named_graphs or info.has_dataset_clause)
        # Run exactly the text the guard checked (escapes expanded).
        return (info.text, format, default_graph, named_graphs, union, limit, base_iri)

    def _result(self, info: QueryInfo, format: str, answer: tuple, started: float) -> ExecutionResult:
        body, rows, truncated = answer
        return ExecutionResult(body, format, formats.get(format).content_type, info.form, rows,
                               truncated, time.monotonic() - started)

    @property
    def generation(self) -> int:
        """The loaded data's number (each reload starts the next): what callers remember from
        answers holds only while it stays the same."""
        return self._generation

    def local_graphs(self) -> list[str] | None:
        """Named graphs of the loaded data (None until a worker has reported them)."""
        return self._local_graphs

    def reload(self, nquads_path: str | Path | None = None) -> None:
        """Use freshly built data: idle workers are replaced now, busy ones when they finish."""
        if self._remote is not None:
            self._local_graphs = self._remote.named_graphs()
        if nquads_path is not None and self.settings.store == "memory":
            self._source = str(nquads_path)
        zygote = Zygote(self._backend, self._source, self.settings, self._generation + 1)
        try:
            zygote.wait_ready(self.start_timeout_s)
            fresh = [self._fork(zygote) for _ in range(self._worker_count)]
            for worker in fresh:
                worker.wait_ready(self.start_timeout_s)
        except WorkerStartError as problem:
            zygote.stop()
            raise QueryFailed(str(problem)) from None
        with self._lock:
            old, self._zygote = self._zygote, zygote
            self._generation = zygote.generation
            self._verdicts = _Memo()  # FROM checks depend on the graphs held
            self._answers = _Memo(REMEMBERED_ANSWERS)  # answers depend on the data
            stale = self._drain_idle()
            if self._remote is None:
                self._local_graphs = fresh[0].local_graphs
            self.network_isolation = zygote.network_isolation
        for worker in fresh:
            self._idle.put(worker)
        for worker in stale:
            self._stop(worker)
        if old is not None and old.workers == 0:
            old.stop()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            zygote = self._zygote
        for worker in workers:
            self._stop(worker)
        if zygote is not None:
            zygote.stop()
        if self._remote is not None:
            self._remote.close()

    def __enter__(self) -> QueryExecutor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- checking and running ---------------------------------------------------------------

    def _check_once(self, sparql: str) -> QueryInfo | QueryRefused:
        """Check in a worker; callers with the same text meanwhile wait for that verdict."""
        with self._lock:
            running = self._checking.get(sparql)
            if running is None:
                self._checking[sparql] = threading.Event()
        if running is not None:
            running.wait(self.settings.query_timeout_s)
            return self._verdicts.get(sparql) or self._check_in_worker(sparql)
        try:
            return self._check_in_worker(sparql)
        finally:
            with self._lock:
                self._checking.pop(sparql).set()

    def _check_in_worker(self, sparql: str) -> QueryInfo | QueryRefused:
        try:
            precheck(sparql, self.settings)
            verdict = self._in_worker(("check", (sparql, self.local_graphs())), key=sparql)
        except QueryRefused as refusal:
            verdict = refusal
        except (QueryBusy, QueryOutOfMemory):
            raise  # stopped for others' sake, or a memory verdict that names its own limit
        except QueryTimeout:
            verdict = QueryRefused(
                f"the query could not be checked within the {self.settings.query_timeout_s:g} s "
                "time limit (VANKIEN_QUERY_TIMEOUT_S): it is too complex to parse"
            )
        except QueryFailed:
            verdict = QueryRefused("the query could not be checked: it is too complex to parse")
        self._verdicts.put(sparql, verdict)
        return verdict

    def _run_remote(self, request: tuple) -> tuple[bytes, int, bool]:
        sparql, format, default_graph, named_graphs, union, limit, _ = request  # its own base
        assert self._remote is not None  # only called when the executor runs on a remote store
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
        """Run a (checked) request tuple in a worker: no guard here (tests use it to bypass it)."""
        return self._in_worker(("run", request), key=request[0])

    def _in_worker(self, message: tuple, key: str) -> Any:
        """Send ``message`` to a worker under the scheduling rules (module docstring)."""
        ran_long_before = self._ran_long.get(key) is not None
        holds_slot = ran_long_before and self._slow_slots.acquire(timeout=SLOT_WAIT_S)
        if ran_long_before and not holds_slot:
            raise QueryBusy(self._busy_message())
        started = time.monotonic()
        deadline = started + self.settings.query_timeout_s
        worker = None
        try:
            worker = self._acquire(deadline)
            worker.conn.send(message)
            if not holds_slot and not worker.conn.poll(min(self.settings.slow_query_s, _left(deadline))):
                self._ran_long.put(key, True)
                holds_slot = self._slow_slots.acquire(blocking=False)
                if not holds_slot:
                    self._replace(worker)
                    worker = None
                    raise QueryBusy(self._busy_message())
            if not worker.conn.poll(_left(deadline)):
                self._ran_long.put(key, True)
                self._replace(worker)
                worker = None
                raise QueryTimeout(self._timeout_message())
            reply = worker.conn.recv()
        except (EOFError, OSError):
            died_of = worker.death_signal() if worker is not None else None
            self._replace(worker)
            worker = None
            if died_of in MEMORY_SIGNALS:
                raise QueryOutOfMemory(self._memory_message()) from None
            raise QueryFailed("the query worker stopped unexpectedly; a new one was started") from None
        finally:
            if holds_slot:
                self._slow_slots.release()
            if worker is not None:
                self._release(worker)
        if time.monotonic() - started < self.settings.slow_query_s:
            self._ran_long.discard(key)
        if reply[0] == "ok":
            return reply[1]
        _, kind, text, *details = reply
        if kind == "QueryRefused":
            status, where = (details + [None, None])[:2]
            raise QueryRefused(text, status or 400, **(where or {}))
        if is_engine_refusal(kind, text):
            raise engine_refusal(text)
        if kind == "MemoryError":
            raise QueryOutOfMemory(self._memory_message())
        raise QueryFailed(f"query failed: {kind}: {_without_network_detail(text)}")

    def _acquire(self, deadline: float) -> Worker:
        """An idle worker; one that died while idle is replaced on the way."""
        while True:
            if self._closed:
                raise QueryFailed("the query executor is closed (the server is shutting down)")
            try:
                worker = self._idle.get(timeout=_left(deadline))
            except queue.Empty:
                raise QueryBusy(
                    f"all {self._worker_count} query workers stayed busy for "
                    f"{self.settings.query_timeout_s:g} s; try again"
                ) from None
            if worker.alive():
                return worker
            self._replace(worker)

    def _timeout_message(self) -> str:
        return (
            f"query stopped after the {self.settings.query_timeout_s:g} s time limit "
            "(VANKIEN_QUERY_TIMEOUT_S); add LIMIT or narrow the patterns"
        )

    def _busy_message(self) -> str:
        return (
            f"query stopped: it ran longer than {self.settings.slow_query_s:g} s "
            f"(VANKIEN_SLOW_QUERY_S) while all {self._slow_slot_count} slot(s) for long queries "
            "(VANKIEN_SLOW_QUERY_SLOTS) were taken; try again later"
        )

    def _memory_message(self) -> str:
        return (
            f"query stopped: it needed more than the {self.settings.worker_memory_mb} MB a query "
            "worker may use (VANKIEN_WORKER_MEMORY_MB); a new worker was started. Add LIMIT, avoid "
            "ORDER BY over large joins"
        )

    # ---- worker pool ------------------------------------------------------------------------

    def _fork(self, zygote: Zygote) -> Worker:
        worker = zygote.fork(self.start_timeout_s)
        with self._lock:
            zygote.workers += 1
            self._workers.add(worker)
        return worker

    def _drain_idle(self) -> list[Worker]:
        drained = []
        while True:
            try:
                drained.append(self._idle.get_nowait())
            except queue.Empty:
                return drained

    def _release(self, worker: Worker) -> None:
        if worker.generation == self._generation and not self._closed:
            self._idle.put(worker)
        else:
            self._stop(worker)  # reload() already started its successor

    def _replace(self, worker: Worker | None) -> None:
        """Kill a worker; unless closing, put a fresh one of the current data in the pool."""
        if worker is not None:
            self._stop(worker)
        with self._lock:
            if self._closed or self._zygote is None:
                return
            if worker is not None and worker.generation != self._generation:
                return  # reload() already started its successor
            zygote = self._zygote
        try:
            if not zygote.alive():
                raise WorkerStartError("the query worker template died")
            fresh = self._fork(zygote)
            fresh.wait_ready(self.start_timeout_s)
        except WorkerStartError:
            self.reload()  # start over from a fresh zygote (it tops the pool up)
            return
        self._idle.put(fresh)

    def _stop(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            if worker not in self._workers:
                return
            self._workers.discard(worker)
            zygote = worker.zygote
            zygote.workers -= 1
            retired = zygote is not self._zygote and zygote.workers == 0
        if retired:
            zygote.stop()


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


# Engine messages about a failed fetch would tell a client whether a host or port answered.
_NETWORK_DETAIL = re.compile(
    r"service|http|connect|socket|network|dns|resolve|host|port|refused|unreachable|permission denied",
    re.IGNORECASE,
)


def _without_network_detail(message: str) -> str:
    if _NETWORK_DETAIL.search(message):
        return "the query could not be evaluated"
    return message
