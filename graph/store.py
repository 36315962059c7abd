"""One small store interface with three backends: in memory, on disk (RocksDB), remote SPARQL.

``open_store(settings)`` picks the backend. Every backend answers ``query`` with pyoxigraph
objects (``QuerySolutions`` / ``QueryBoolean`` for SELECT/ASK; for CONSTRUCT/DESCRIBE the embedded
stores give ``QueryTriples`` and the remote store a list of ``pyoxigraph.Triple``), so callers never
care where the data lives.

Queries run with the union of all graphs as the default graph (docs/data-model.md) unless the
caller names a dataset (``default_graph``/``named_graphs``) or the query has its own ``FROM``.
"""

from __future__ import annotations

import gc
import os
import shutil
import threading
import uuid
from pathlib import Path

import pyoxigraph as ox

from vankien.graph.remote.store import RemoteStore
from vankien.graph.settings import Settings
from vankien.graph.store_interface import (
    CHECKED, PROGRESS_EVERY, ProgressCallback, QueryResult, Store, StoreError, StoreTimeout, StoreUnreachable, Term,
    _read_quads, check_nquads_file, rdf_format, solution_rows, wants_union)

# The interface is re-exported: callers import it, and the backends, from here.
__all__ = ["CHECKED", "PROGRESS_EVERY", "ProgressCallback", "QueryResult", "Store", "StoreError",
           "StoreTimeout", "StoreUnreachable", "Term", "check_nquads_file", "rdf_format", "solution_rows", "wants_union", "MemoryStore",
           "DiskStore", "RemoteStore", "open_store"]


class _EmbeddedStore(Store):
    """What the memory and disk backends share: a pyoxigraph.Store."""

    _store: ox.Store
    _writes = 0  # data_version: only this process writes an embedded store it has open

    def data_version(self):
        return self._writes

    def _written(self) -> None:
        self._writes += 1

    def query(self, sparql, *, default_graph=None, named_graphs=None, union_default_graph=None):
        options: dict = {
            "use_default_graph_as_union": wants_union(
                sparql, default_graph, named_graphs, union_default_graph
            )
        }
        if default_graph:
            options["default_graph"] = [ox.NamedNode(iri) for iri in default_graph]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
        return self._store.query(sparql, **options)

    def load(self, source, format="nquads", *, checked=False):
        try:
            if isinstance(source, bytes):
                self._store.load(source, rdf_format(format), lenient=checked)
            else:
                self._load_file(self._store, source, rdf_format(format), checked)
        except (SyntaxError, OSError) as error:
            where = "input" if isinstance(source, bytes) else str(source)
            raise StoreError(f"{where}: {error}") from None
        finally:
            self._written()  # a failed bulk load may have stored part

    @staticmethod
    def _load_file(store: ox.Store, path: str | Path, format: ox.RdfFormat, lenient: bool) -> None:
        """RocksDB: the bulk loader (sorted runs, no transaction log)."""
        store.bulk_load(path=str(path), format=format, lenient=lenient)

    def _fill(self, store: ox.Store, nquads_path: str | Path, progress: ProgressCallback | None,
              checked: bool) -> None:
        """Load an N-Quads file into a fresh store (natively, or streamed when reporting)."""
        try:
            if progress is None:
                self._load_file(store, nquads_path, ox.RdfFormat.N_QUADS, checked)
            else:
                store.bulk_extend(_read_quads(nquads_path, progress, lenient=checked))
        except (SyntaxError, OSError) as error:
            raise StoreError(f"{nquads_path}: {error}") from None

    def named_graphs(self):
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self):
        return len(self._store)

    def dump(self, format="nquads"):
        return self._store.dump(format=rdf_format(format))


PARALLEL_PARSE_CORES = 4  # pyoxigraph's bulk_load parses on several threads from this many cores


class MemoryStore(_EmbeddedStore):
    """Everything in memory; ``replace_with`` loads a new store and swaps it in."""

    def __init__(self) -> None:
        self._store = ox.Store()

    @staticmethod
    def _load_file(store: ox.Store, path: str | Path, format: ox.RdfFormat, lenient: bool) -> None:
        # Below 4 cores pyoxigraph's bulk loader parses on one thread all the same and first gathers
        # batches of a million parsed quads: 15 % more time and 160 MB more peak memory than a
        # plain (transactional) load at 5.4M quads (bench/RESULTS.md). From 4 cores it parses in parallel.
        if len(os.sched_getaffinity(0)) >= PARALLEL_PARSE_CORES:
            store.bulk_load(path=str(path), format=format, lenient=lenient)
        else:
            store.load(path=str(path), format=format, lenient=lenient)

    def replace_with(self, nquads_path, *, progress=None, checked=False):
        fresh = ox.Store()
        self._fill(fresh, nquads_path, progress, checked)
        self._store = fresh  # one reference swap: readers see old or new, never half
        self._written()


class DiskStore(_EmbeddedStore):
    """A RocksDB directory; reopening needs no re-parse. ``read_only=True`` for reader processes."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._store = self._open()

    def _open(self) -> ox.Store:
        try:
            if self.read_only:
                return ox.Store.read_only(str(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.path))
        except OSError as error:
            raise StoreUnreachable(f"{self.path}: cannot open store: {error}") from None

    def replace_with(self, nquads_path, *, progress=None, checked=False):
        """Bulk-load into a sibling directory, then swap directories; a failed load changes nothing."""
        if self.read_only:
            raise StoreError(f"{self.path}: store is open read-only")
        staging = self.path.with_name(f"{self.path.name}.new-{uuid.uuid4().hex[:8]}")
        fresh = None
        try:
            fresh = ox.Store(str(staging))
            self._fill(fresh, nquads_path, progress, checked)
            fresh.optimize()  # see optimize()
            fresh.flush()
        except BaseException:
            fresh = None
            gc.collect()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        fresh = None  # close the staging store before its directory moves
        gc.collect()
        retired = self.path.with_name(f"{self.path.name}.old-{uuid.uuid4().hex[:8]}")
        with self._lock:
            self._release()
            os.replace(self.path, retired)
            os.replace(staging, self.path)
            self._store = self._open()
            self._written()
        shutil.rmtree(retired, ignore_errors=True)

    def optimize(self) -> None:
        """Compact the files a bulk load left: a store opened read-only never compacts them itself,
        and uncompacted, a one-document lookup at 100k documents took 17.6 ms instead of 1.2 ms."""
        self._store.optimize()

    def _release(self) -> None:
        """Drop our handle so RocksDB closes the directory (pyoxigraph closes on collection)."""
        self._store = None  # type: ignore[assignment]
        gc.collect()

    def close(self):
        if self._store is not None:
            if not self.read_only:
                self._store.flush()
            self._release()


def open_store(settings: Settings) -> Store:
    """The backend ``settings.store`` names (memory | disk | remote)."""
    if settings.store == "memory":
        return MemoryStore()
    if settings.store == "disk":
        return DiskStore(settings.disk_store_path)
    return RemoteStore(settings)

