"""The processes that check and run users' SPARQL: network-less, memory-capped, cheap to kill.

A **zygote** process (started with ``spawn``) first takes its network away
(:func:`~vankien.graph.sandbox.deny_network`), imports the guard and the engine and, for the memory
store, loads the data once. Each **worker** is forked from it on demand: a fork shares the loaded
data copy-on-write and takes milliseconds, so a worker that runs too long or too big is killed and
replaced without reloading anything. Workers inherit the zygote's network isolation.

Limits a worker sets on itself right after the fork (before it reads any request):

- memory: ``RLIMIT_AS`` = what the loaded data already takes + room for the guard's parser stack +
  ``Settings.worker_memory_mb``; over it an allocation fails and the worker exits, the executor
  reports the limit and forks a fresh worker;
- lifetime: ``PR_SET_PDEATHSIG`` (SIGKILL when the zygote dies) plus a watchdog thread that exits
  when the parent pid changes. The zygote in turn exits when its pipe to the server closes (the
  kernel closes it when the server dies, even by ``kill -9``) or its parent pid changes. So no
  worker outlives the server.

The zygote must stay single-threaded (it forks); it only waits on its pipe. The disk store is
opened by each worker after the fork (RocksDB's threads do not survive a fork).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import threading
import time
from multiprocessing import reduction
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from vankien.graph.results import serialize_results
from vankien.graph.sandbox import deny_network
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import check_query

PR_SET_PDEATHSIG = 1
WATCHDOG_INTERVAL_S = 0.5
ZYGOTE_POLL_S = 0.5
MIB = 1024 * 1024
WARM_UP_QUERY = "PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:p ?o FILTER(?o > 1) } LIMIT 1"
# Signals a worker dies of when an allocation fails under RLIMIT_AS (Rust aborts, C code may crash).
MEMORY_SIGNALS = (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS)


class WorkerStartError(Exception):
    """The zygote or a worker could not start (bad data, no process); the message says why."""


class Worker:
    """The server's handle on one forked worker: a pipe, a pid and the zygote it came from."""

    def __init__(self, zygote: Zygote, pid: int, conn: Connection) -> None:
        self.zygote, self.pid, self.conn = zygote, pid, conn
        self.generation = zygote.generation
        self.local_graphs: list[str] | None = None
        try:  # a pidfd cannot hit a recycled pid when the worker is killed later
            self._pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self._pidfd = None

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has opened its data and reported its graphs."""
        try:
            if not self.conn.poll(timeout):
                raise WorkerStartError(f"query worker did not start within {timeout:g} s")
            message = self.conn.recv()
        except (EOFError, OSError):
            raise WorkerStartError("query worker exited while starting") from None
        if message[0] != "ready":
            raise WorkerStartError(f"query worker could not open its data: {message[2]}")
        self.local_graphs = message[1]

    def alive(self) -> bool:
        """False once the worker has exited (an idle worker has nothing to read but EOF)."""
        try:
            return not self.conn.poll(0)
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        try:
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, OSError):
            pass  # already gone
        self.close()

    def close(self) -> None:
        self.conn.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def death_signal(self) -> int | None:
        """The signal the (exited) worker died of, as its zygote reaped it; None if unknown."""
        return self.zygote.exit_signal(self.pid)


class Zygote:
    """The server's handle on one zygote: the data of one generation, ready to fork workers."""

    _context = multiprocessing.get_context("spawn")

    def __init__(self, backend: str, source: str | None, settings: Settings, generation: int) -> None:
        self.generation = generation
        self.network_isolation: tuple[str, ...] = ()
        self.workers = 0  # live workers forked from it (the executor keeps count)
        self._lock = threading.Lock()  # one conversation on the control pipe at a time
        self._conn, child_conn = self._context.Pipe(duplex=True)  # a socketpair: fds can pass
        self.process = self._context.Process(
            target=_zygote_main, args=(child_conn, backend, source, settings),
            name="vankien-zygote", daemon=True,
        )
        self.process.start()
        child_conn.close()
        self._ready = False

    def wait_ready(self, timeout: float) -> None:
        with self._lock:
            if self._ready:
                return
            try:
                if not self._conn.poll(timeout):
                    raise WorkerStartError(f"the query workers did not load their data within {timeout:g} s")
                message = self._conn.recv()
            except (EOFError, OSError):
                raise WorkerStartError(
                    f"the query worker template exited while starting (exit code {self.process.exitcode}); "
                    "scripts that start a QueryExecutor need an `if __name__ == '__main__':` guard"
                ) from None
            if message[0] != "ready":
                raise WorkerStartError(f"query workers could not load their data: {message[2]}")
            self.network_isolation = message[1]
            self._ready = True

    def fork(self, timeout: float) -> Worker:
        """A new worker (still opening its data: call :meth:`Worker.wait_ready`)."""
        self.wait_ready(timeout)
        ours, theirs = self._context.Pipe(duplex=True)
        try:
            with self._lock:
                self._conn.send(("fork",))
                reduction.send_handle(self._conn, theirs.fileno(), self.process.pid)
                if not self._conn.poll(timeout):
                    raise WorkerStartError("the query worker template did not answer")
                _, pid = self._conn.recv()
        except (EOFError, OSError):
            ours.close()
            raise WorkerStartError("the query worker template has stopped") from None
        finally:
            theirs.close()
        return Worker(self, pid, ours)

    def exit_signal(self, pid: int) -> int | None:
        try:
            with self._lock:
                self._conn.send(("status", pid))
                if not self._conn.poll(2.0):
                    return None
                return self._conn.recv()[1]
        except (EOFError, OSError):
            return None

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """Stop the zygote; workers forked from it die with it (PR_SET_PDEATHSIG)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self._conn.close()


# ---- inside the zygote ----------------------------------------------------------------------


def _zygote_main(control: Connection, backend: str, source: str | None, settings: Settings) -> None:
    # Before anything else: nothing forked from here can reach any host.
    isolation = deny_network()
    from vankien.graph.sparql_guard import analyse_query  # imported once here, shared by forks

    analyse_query(WARM_UP_QUERY)  # the parser's first use is slow: pay it once, before forking

    store = None
    try:
        if backend == "memory":
            store = ox.Store()
            if source is not None:
                store.bulk_load(path=source, format=ox.RdfFormat.N_QUADS)
    except Exception as error:  # reported to the server, which refuses to start on it
        control.send(("error", type(error).__name__, f"{source}: {error}"))
        return
    control.send(("ready", isolation))
    parent = os.getppid()
    reaped: dict[int, int | None] = {}
    while True:
        _reap(reaped)
        try:
            if not control.poll(ZYGOTE_POLL_S):
                if os.getppid() != parent:
                    return  # the server is gone
                continue
            message = control.recv()
        except (EOFError, OSError):
            return  # the server is gone (its end of the pipe closed with it)
        if message[0] == "fork":
            fd = reduction.recv_handle(control)
            pid = os.fork()
            if pid == 0:
                control.close()
                _worker_child(Connection(fd), store, backend, source, settings)
                os._exit(0)  # never return into the zygote's loop
            os.close(fd)
            control.send(("forked", pid))
        elif message[0] == "status":
            control.send(("status", _wait_reaped(message[1], reaped)))


def _reap(reaped: dict[int, int | None]) -> None:
    """Collect exited workers (no zombies) and remember what they died of."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        reaped[pid] = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if len(reaped) > 1024:
            reaped.pop(next(iter(reaped)))


def _wait_reaped(pid: int, reaped: dict[int, int | None]) -> int | None:
    deadline = time.monotonic() + 1.0
    while pid not in reaped and time.monotonic() < deadline:
        _reap(reaped)
        time.sleep(0.01)
    return reaped.pop(pid, None)


# ---- inside a worker ------------------------------------------------------------------------


def _worker_child(conn: Connection, store, backend: str, source: str | None, settings: Settings) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _die_with_parent()
    try:
        if backend == "disk" and source is not None:
            store = ox.Store.read_only(source)
        graphs = None
        if store is not None:
            graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        cap_memory(settings.worker_memory_mb)
    except Exception as error:
        conn.send(("error", type(error).__name__, f"{source}: {error}"))
        return
    conn.send(("ready", graphs))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the server went away
            return
        try:
            conn.send(("ok", handle_in_worker(store, graphs, settings, request)))
        except MemoryError:
            conn.send(("error", "MemoryError", "out of memory"))
            return  # the heap may be in a bad state: let the server fork a fresh worker
        except Exception as error:
            conn.send(("error", type(error).__name__, str(error), getattr(error, "status", None),
                       getattr(error, "where", None)))   # a refusal's line, column, prefix


def _die_with_parent() -> None:
    """SIGKILL when the zygote dies, and a watchdog for the case prctl is unavailable or late."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_INTERVAL_S)
        os._exit(1)

    threading.Thread(target=watch, name="vankien-parent-watchdog", daemon=True).start()


# rdflib's parser runs in a thread with a big stack (sparql_guard); the cap leaves room for it.
def cap_memory(extra_mb: int) -> int:
    """Limit this process's address space to its present size + parser stack + ``extra_mb``."""
    from vankien.graph.sparql_guard import PARSER_STACK_BYTES

    with open("/proc/self/statm") as statm:
        present = int(statm.read().split()[0]) * resource.getpagesize()
    limit = present + PARSER_STACK_BYTES + extra_mb * MIB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit


def handle_in_worker(store: ox.Store | None, local_graphs: list[str] | None, settings: Settings,
                     request: tuple) -> Any:
    """What a worker does with one request of the executor: check a text, or run a checked one."""
    kind, payload = request
    if kind == "check":
        sparql, graphs = payload
        return check_query(sparql, settings, local_graphs=graphs if graphs is not None else local_graphs)
    if store is None:
        raise RuntimeError("this worker holds no store")
    return _run_embedded(store, payload)


def _run_embedded(store: ox.Store, request: tuple) -> tuple[bytes, int, bool]:
    sparql, format, default_graph, named_graphs, union, limit, base_iri = request
    options: dict[str, Any] = {"use_default_graph_as_union": union, "base_iri": base_iri}
    if default_graph:
        options["default_graph"] = [ox.NamedNode(iri) for iri in default_graph]
    if named_graphs is not None:  # [] is a dataset without named graphs
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
    return serialize_results(store.query(sparql, **options), format, limit)
