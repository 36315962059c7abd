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
from abc import ABC, abstractmethod
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from vankien.graph import formats
from vankien.graph.errors import Unavailable, UserError
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import QueryRefused, analyse_query

ProgressCallback = Callable[[int], None]  # called with the number of quads read so far
PROGRESS_EVERY = 100_000

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list


def solution_rows(solutions: Any, convert: Callable[[Any], Any] = lambda term: term) -> list[dict]:
    """SELECT solutions as dicts ``{variable name: convert(term)}``, unbound variables left out
    (``Store.select`` and ``queries.rows``; any object with ``variables`` and rows will do)."""
    names = [variable.value for variable in solutions.variables]
    # zip over the solution: looking terms up by name (solution[name]) costs twice as much
    return [{name: convert(term) for name, term in zip(names, solution) if term is not None}
            for solution in solutions]


class StoreError(Unavailable, RuntimeError):
    """A store operation failed; the message names the file or endpoint involved."""


class StoreUnreachable(StoreError):
    """The store cannot be reached: the endpoint does not answer, or the folder is held by another
    process (the CLI's exit status 4)."""


class StoreTimeout(StoreUnreachable):
    """A remote endpoint did not answer within the time limit."""


def rdf_format(name: str | ox.RdfFormat) -> ox.RdfFormat:
    """``"nquads"`` → ``RdfFormat.N_QUADS`` (a format object passes through)."""
    try:
        return formats.rdf_format(name)
    except UserError as problem:
        raise StoreError(str(problem)) from None


def wants_union(sparql: str, default_graph, named_graphs, union_default_graph: bool | None) -> bool:
    """Whether to query the union of all graphs: an explicit dataset or a FROM clause wins."""
    if default_graph or named_graphs:
        return False
    if union_default_graph is not None:
        return union_default_graph
    try:
        return not analyse_query(sparql).has_dataset_clause
    except QueryRefused:
        return True  # let the store report the problem in its own words


class Store(ABC):
    """The operations vankien needs from a quad store."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default_graph: bool | None = None,
    ) -> QueryResult:
        """Run a SPARQL query. ``union_default_graph=None`` means: union unless the query has FROM."""

    def select(self, sparql: str, **kw) -> list[dict[str, Term]]:
        """SELECT rows as dicts ``{variable name: term}`` (unbound variables are left out)."""
        solutions = self.query(sparql, **kw)
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        return solution_rows(solutions)

    @abstractmethod
    def replace_with(self, nquads_path: str | Path, *, progress: ProgressCallback | None = None,
                     checked: bool = False) -> None:
        """Replace ALL content with an N-Quads file; on any failure the old content stays.

        ``checked=True`` says the file was written by vankien or already parsed strictly (see
        ``CHECKED``): it is not validated again."""

    @abstractmethod
    def load(self, source: str | Path | bytes, format: str | ox.RdfFormat = "nquads", *,
             checked: bool = False) -> None:
        """Add data (a file path or bytes) to what is there (``checked``: as in ``replace_with``)."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads."""

    @abstractmethod
    def dump(self, format: str | ox.RdfFormat = "nquads") -> bytes:
        """All quads serialised (use a dataset format: nquads or trig)."""

    def close(self) -> None:
        """Release files or connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# A checked file is parsed leniently: pyoxigraph then skips validating IRIs and language tags
# (the syntax is still parsed), 15–25 % faster on a national corpus. Only files that vankien wrote
# itself (the validated build artifact) or parsed strictly before (``vankien load``) are checked.
CHECKED = "written by vankien or parsed strictly before"


def check_nquads_file(path: str | Path, progress: ProgressCallback | None = None) -> int:
    """Parse an N-Quads file without storing it; return the quad count or raise StoreError."""
    count = 0
    for count, _quad in enumerate(_read_quads(path, progress, lenient=False), start=1):
        pass
    return count


def _read_quads(path: str | Path, progress: ProgressCallback | None, *,
                lenient: bool) -> Iterator[ox.Quad]:
    """Quads of an N-Quads file, reporting progress; parse errors become StoreError with the file."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    count = 0
    try:
        for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS, lenient=lenient):
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
            yield quad
    except SyntaxError as error:
        raise StoreError(f"{path}: {error}") from None
    if progress is not None:
        progress(count)


class _EmbeddedStore(Store):
    """What the memory and disk backends share: a pyoxigraph.Store."""

    _store: ox.Store

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
                self._store.bulk_load(path=str(source), format=rdf_format(format), lenient=checked)
        except (SyntaxError, OSError) as error:
            where = "input" if isinstance(source, bytes) else str(source)
            raise StoreError(f"{where}: {error}") from None

    def named_graphs(self):
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self):
        return len(self._store)

    def dump(self, format="nquads"):
        return self._store.dump(format=rdf_format(format))


def _fill(store: ox.Store, nquads_path: str | Path, progress: ProgressCallback | None,
          checked: bool) -> None:
    """Load an N-Quads file into a fresh store (native bulk load, or streamed when reporting)."""
    try:
        if progress is None:
            store.bulk_load(path=str(nquads_path), format=ox.RdfFormat.N_QUADS, lenient=checked)
        else:
            store.bulk_extend(_read_quads(nquads_path, progress, lenient=checked))
    except SyntaxError as error:
        raise StoreError(f"{nquads_path}: {error}") from None
    except OSError as error:
        raise StoreError(f"{nquads_path}: {error}") from None


class MemoryStore(_EmbeddedStore):
    """Everything in memory; ``replace_with`` loads a new store and swaps it in."""

    def __init__(self) -> None:
        self._store = ox.Store()

    def replace_with(self, nquads_path, *, progress=None, checked=False):
        fresh = ox.Store()
        _fill(fresh, nquads_path, progress, checked)
        self._store = fresh  # one reference swap: readers see old or new, never half


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
            _fill(fresh, nquads_path, progress, checked)
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
        shutil.rmtree(retired, ignore_errors=True)

    def _release(self) -> None:
        """Drop our handle so RocksDB closes the directory (pyoxigraph closes on collection)."""
        self._store = None  # type: ignore[assignment]
        gc.collect()

    def close(self):
        if self._store is not None:
            if not self.read_only:
                self._store.flush()
            self._release()


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol endpoint (query + update) and Graph Store Protocol, e.g. Oxigraph server.

    ``remote_update_url``/``remote_gsp_url`` default to the Oxigraph layout next to the query URL
    (``…/query`` → ``…/update`` and ``…/store``). Whole-dataset writes use Oxigraph's ``/store``
    extension (PUT/POST of N-Quads without ``graph=``).
    """

    RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        if not settings.remote_query_url:
            raise StoreError("remote store needs remote_query_url (VANKIEN_REMOTE_QUERY_URL)")
        self.query_url = settings.remote_query_url
        self.update_url = settings.remote_update_url or _sibling(self.query_url, "update")
        self.gsp_url = settings.remote_gsp_url or _sibling(self.query_url, "store")
        # The endpoint may also enforce its own limit (Oxigraph: serve --timeout-s).
        self._client = client or httpx.Client(timeout=settings.query_timeout_s + 1)

    def query(self, sparql, *, default_graph=None, named_graphs=None, union_default_graph=None):
        form: list[tuple[str, str]] = [("query", sparql)]
        form += [("default-graph-uri", iri) for iri in default_graph or ()]
        form += [("named-graph-uri", iri) for iri in named_graphs or ()]
        if wants_union(sparql, default_graph, named_graphs, union_default_graph):
            form.append(("union-default-graph", ""))  # Oxigraph server; others ignore it
        response = self._send(
            "POST", self.query_url, content=urlencode(form).encode(),
            headers={"Accept": self.RESULTS_ACCEPT, "Content-Type": "application/x-www-form-urlencoded"},
        )
        return parse_http_results(response.content, response.headers.get("content-type", ""))

    def replace_with(self, nquads_path, *, progress=None, checked=False):
        # Parse locally first: a malformed file is refused before the server is touched.
        if not checked:
            check_nquads_file(nquads_path, progress)
        with open(nquads_path, "rb") as body:
            self._send(
                "PUT", self.gsp_url, content=body, headers={"Content-Type": "application/n-quads"},
                timeout=None,
            )

    def load(self, source, format="nquads", *, checked=False):  # the endpoint parses what it gets
        rdf = rdf_format(format)
        params = {} if rdf in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) else {"default": ""}
        headers = {"Content-Type": rdf.media_type}
        if isinstance(source, bytes):
            self._send("POST", self.gsp_url, params=params, content=source, headers=headers, timeout=None)
        else:
            with open(source, "rb") as body:
                self._send("POST", self.gsp_url, params=params, content=body, headers=headers, timeout=None)

    def named_graphs(self):
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", union_default_graph=False)
        return sorted(row["g"].value for row in rows if isinstance(row.get("g"), ox.NamedNode))

    def __len__(self):
        rows = self.select(
            "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            union_default_graph=False,
        )
        return int(rows[0]["n"].value)

    def dump(self, format="nquads"):
        rdf = rdf_format(format)
        return self._send("GET", self.gsp_url, headers={"Accept": rdf.media_type}, timeout=None).content

    def update(self, sparql_update: str) -> None:
        """Run SPARQL Update on the endpoint (admin use only; never with user input)."""
        self._send(
            "POST", self.update_url, content=sparql_update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )

    def close(self):
        self._client.close()

    def _send(self, method: str, url: str, **kw) -> httpx.Response:
        if kw.get("timeout", 0) is None:  # uploads and dumps may take long: connect limit only
            kw["timeout"] = httpx.Timeout(None, connect=10.0)
        else:
            kw.pop("timeout", None)
        try:
            response = self._client.request(method, url, **kw)
        except httpx.TimeoutException:
            raise StoreTimeout(f"{method} {url}: no answer within the time limit") from None
        except httpx.TransportError as error:
            raise StoreUnreachable(f"{method} {url}: {error or type(error).__name__}") from None
        except httpx.HTTPError as error:
            raise StoreError(f"{method} {url}: {error}") from None
        if response.is_error:
            raise StoreError(f"{method} {url}: HTTP {response.status_code}: {response.text[:500]}")
        return response


def parse_http_results(body: bytes, content_type: str) -> QueryResult:
    """Turn a SPARQL protocol response into pyoxigraph results, whichever backend sent it."""
    media_type = content_type.split(";")[0].strip()
    results_format = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
    if results_format is not None:
        return ox.parse_query_results(body, results_format)
    rdf = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if rdf is None:
        raise StoreError(f"endpoint answered with unsupported media type {content_type!r}")
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, rdf)]


def _sibling(url: str, last_segment: str) -> str:
    """``http://h:7878/query`` → ``http://h:7878/store`` (same parent path)."""
    parts = urlsplit(url)
    parent = parts.path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{parent}/{last_segment}", "", ""))


def open_store(settings: Settings) -> Store:
    """The backend ``settings.store`` names (memory | disk | remote)."""
    if settings.store == "memory":
        return MemoryStore()
    if settings.store == "disk":
        return DiskStore(settings.disk_store_path)
    return RemoteStore(settings)

