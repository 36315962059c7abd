"""``RemoteStore``: any SPARQL 1.1 store, through standard Query, Update and Graph Store Protocol.

The dataset vankien queries is the graphs vankien wrote, never the engine's default graph (on
Virtuoso that is every graph, its system graphs included): each query names them as
``default-graph-uri`` (their union, as on the embedded store) and ``named-graph-uri``. The list lives
in the store itself, in a manifest graph written with the data, so every process sees the same.
With VANKIEN_REMOTE_DATASET=union (a store holding vankien's graphs only) queries read the engine's
union default graph instead, except while an upload is staged: a marker graph then lists the graphs
still served, and queries name those.

Every write is verified: the data goes into fresh staging graphs, vankien counts what the store
holds there, and only when every graph holds what was sent does one update move the staging graphs
over the served ones and rewrite the manifest; the counts are checked once more after the switch.
A count that differs, an HTTP error or a 2xx answer that is an HTML page raise ``StoreError`` naming
the graph and the counts, and the previously served graphs stay as they were.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from contextlib import contextmanager
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from vankien.graph.namespaces import sparql_iri
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import QueryInfo, QueryRefused, analyse_query
from vankien.graph.store_interface import Store, StoreError, StoreTimeout, StoreUnreachable, _read_quads, check_nquads_file, rdf_format, wants_union
from vankien.graph.remote import profiles
from vankien.graph.remote.auth import ChallengeAuth, credentials, without_userinfo
from vankien.graph.remote.results import accept_for, is_html, parse_http_results, query_form
from vankien.graph.remote.upload import STAGING, Staged, distinct_triples, mismatches, stage_quads

STORE_NS = "https://w3id.org/vankien/store/"
MANIFEST_GRAPH = STORE_NS + "manifest"   # which graphs are vankien's, with their triple counts
# While an upload is staged in a union dataset: the graphs served until it is switched in.
UPLOAD_GRAPH = STORE_NS + "upload"
DEFAULT_GRAPH = STORE_NS + "default"     # what the embedded stores keep in their default graph
VOID = "http://rdfs.org/ns/void#"
GRAPHS_TTL_S = 2.0          # how long a process trusts its copy of the manifest
COUNT_BATCH = 400           # graphs per counting query
SHOWN_MISMATCHES = 20


class RemoteStore(Store):
    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        if not settings.remote_query_url:
            raise StoreError("remote store needs remote_query_url (VANKIEN_REMOTE_QUERY_URL)")
        self.query_url = settings.remote_query_url
        self._settings = settings
        found = credentials(self.query_url, settings.remote_user, settings.remote_password)
        self._authenticated = found is not None
        # The endpoint may also enforce its own limit (Oxigraph: serve --timeout-s).
        self._client = client or httpx.Client(
            timeout=settings.query_timeout_s + 1, auth=ChallengeAuth(*found) if found else None)
        try:
            self._profile = profiles.profile_named(settings.remote_profile) if settings.remote_profile else None
        except ValueError as error:
            raise StoreError(str(error)) from None
        self._graphs: tuple[float, list[str]] | None = None
        self._upload: tuple[float, list[str] | None] | None = None
        self._union: bool | None = None
        self._writes = 0   # data_version: this process's updates

    # ---- where things are -----------------------------------------------------------------------

    @property
    def profile(self) -> profiles.Profile:
        """The engine's profile: the setting, else detected from the server (once)."""
        if self._profile is None:
            try:
                self._profile = profiles.detect(self._client, self.query_url)
            except httpx.HTTPError as error:
                raise StoreError(f"GET {self._shown(self.query_url)}: {error}") from None
        return self._profile

    @property
    def update_url(self) -> str:
        return self._settings.remote_update_url or self.profile.update_url(self.query_url, self._authenticated)

    @property
    def gsp_url(self) -> str | None:
        return self._settings.remote_gsp_url or self.profile.gsp_url(self.query_url, self._authenticated)

    # ---- reading --------------------------------------------------------------------------------

    def query(self, sparql, *, default_graph=None, named_graphs=None, union_default_graph=None):
        form = query_form(sparql)
        fields = [("query", sparql), *self._dataset(sparql, default_graph, named_graphs, union_default_graph)]
        response = self._send("POST", self.query_url, content=urlencode(fields).encode(), headers={
            "Accept": accept_for(form), "Content-Type": "application/x-www-form-urlencoded"})
        return parse_http_results(response.content, response.headers.get("content-type", ""),
                                  ask=form == "ASK")

    def _dataset(self, sparql, default_graph, named_graphs, union_default_graph) -> list[tuple[str, str]]:
        """The protocol fields naming the graphs a query reads."""
        if default_graph or named_graphs:
            defaults, named = list(default_graph or ()), list(named_graphs or ())
        elif wants_union(sparql, None, None, union_default_graph):
            if self.union_dataset and self._served_during_upload() is None:
                # Parsed only when it may matter: rdflib's parser costs milliseconds a query.
                info = _query_info(sparql) if self.profile.union_graph_names_leak and \
                    _GRAPH_VARIABLE.search(sparql) else None
                if not (info and info.graph_variable):
                    return list(self.profile.union_fields or ())
                if not info.reads_default_graph:  # GRAPH ?g alone: vankien's graphs, fast
                    return [("named-graph-uri", g) for g in self.named_graphs()]
            defaults, named = [*self.named_graphs(), DEFAULT_GRAPH], self.named_graphs()
        elif (info := _query_info(sparql)) and info.has_dataset_clause:
            return []
        else:  # the store's own default graph, as the embedded stores have one
            defaults, named = [DEFAULT_GRAPH], self.named_graphs()
        fields = [("default-graph-uri", g) for g in defaults]
        return fields + [("named-graph-uri", g) for g in named or ([DEFAULT_GRAPH] if defaults else [])]

    @property
    def union_dataset(self) -> bool:
        """Whether union queries read the engine's union default graph (VANKIEN_REMOTE_DATASET=union:
        the store holds vankien's graphs only) rather than naming vankien's graphs."""
        if self._union is None:
            self._union = self._settings.remote_dataset == "union" and self._check_union()
        return self._union

    def _check_union(self) -> bool:
        """The engine's union default graph holds vankien's graphs alone (else StoreError)."""
        profile = self.profile
        if profile.union_fields is None:
            raise StoreError(f"VANKIEN_REMOTE_DATASET=union: the {profile.name} profile has no union default "
                             "graph of vankien's graphs alone; use VANKIEN_REMOTE_DATASET=listed")
        if profile.union_hides and self._select_raw(
                f"SELECT ?s WHERE {{ GRAPH {sparql_iri(profile.union_hides)} {{ ?s ?p ?o }} }} LIMIT 1"):
            raise StoreError(f"VANKIEN_REMOTE_DATASET=union: the engine's own graph <{profile.union_hides}> "
                             f"is part of its union default graph, so vankien's answers would include it: make "
                             f"the {profile.name} engine's own graphs private to the query user (README "
                             "\"Remote stores\", Virtuoso) or use VANKIEN_REMOTE_DATASET=listed")
        return True

    def named_graphs(self):
        return [graph for graph in self.graphs() if graph != DEFAULT_GRAPH]

    def graphs(self) -> list[str]:
        """vankien's graphs in the store (its default graph too): from the manifest (or, in a union
        dataset while an upload is staged, its marker), else every graph that is not the engine's
        own or vankien's bookkeeping (staging, manifest, marker). Kept for GRAPHS_TTL_S."""
        if self._graphs is None or time.monotonic() - self._graphs[0] >= GRAPHS_TTL_S:
            listed = self._served_during_upload() if self.union_dataset else self._listed_in(MANIFEST_GRAPH)
            if listed is None:
                skipped = (*self.profile.system_graph_prefixes, STAGING, MANIFEST_GRAPH, UPLOAD_GRAPH)
                listed = [name for name in self._graph_names() if not name.startswith(skipped)]
            self._graphs = (time.monotonic(), sorted(set(listed)))
        return self._graphs[1]

    def _graph_names(self) -> list[str]:
        """Every graph the store names (the profile's fastest listing)."""
        return [row["g"].value for row in self._select_raw(self.profile.graph_listing)
                if isinstance(row.get("g"), ox.NamedNode)]

    def data_version(self):
        """Other processes may write the store: what is derived from its data is trusted for
        GRAPHS_TTL_S, as the graph listing is, and dropped on this process's writes. Asks nothing
        (listing the graphs took Virtuoso 10 s at 100k documents)."""
        return self._writes, int(time.monotonic() // GRAPHS_TTL_S)

    def __len__(self):
        return sum(self.graph_counts(self.graphs()).values())

    def is_empty(self) -> bool:
        # One ASK over vankien's dataset: counting every graph, as len() does, took Virtuoso about
        # 2 minutes at 100k documents, at every start of `vankien serve`.
        return not self.query("ASK { ?s ?p ?o }")

    def graph_counts(self, graphs: Iterable[str]) -> Counter:
        """Triples the store holds in each of ``graphs`` (absent graphs count 0)."""
        counts: Counter = Counter()
        wanted = list(graphs)
        for start in range(0, len(wanted), COUNT_BATCH):
            values = " ".join(sparql_iri(g) for g in wanted[start:start + COUNT_BATCH])
            for row in self._select_raw(  # counting millions of triples may take a while: no read limit
                    f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
                    timeout=None):
                counts[row["g"].value] = int(row["n"].value)
        return counts

    def dump(self, format="nquads"):
        """Every quad of vankien's graphs (Graph Store GET of each graph, or CONSTRUCT without one)."""
        dataset = ox.Store()
        for graph in self.graphs():
            name = ox.DefaultGraph() if graph == DEFAULT_GRAPH else ox.NamedNode(graph)
            dataset.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in self._graph_triples(graph))
        return dataset.dump(format=rdf_format(format))

    def _graph_triples(self, graph: str) -> list[ox.Triple]:
        if self.gsp_url:
            response = self._send("GET", self.gsp_url, params={"graph": graph}, timeout=None,
                                  headers={"Accept": "application/n-triples, text/turtle;q=0.9"})
            result = parse_http_results(response.content, response.headers.get("content-type", ""))
        else:
            result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}",
                                union_default_graph=False)
        if not isinstance(result, list):
            raise StoreError(f"GET of graph <{graph}> did not answer with RDF")
        return result

    def _served_during_upload(self) -> list[str] | None:
        """In a union dataset, while an upload is staged, the graphs still served (the upload's
        marker graph lists them; the staging graphs would show in the union); else None. Asked of
        the store at most every GRAPHS_TTL_S: another process may be uploading."""
        if self._upload is None or time.monotonic() - self._upload[0] >= GRAPHS_TTL_S:
            self._upload = (time.monotonic(), self._listed_in(UPLOAD_GRAPH))
        return self._upload[1]

    def _begin_upload(self, served: list[str]) -> None:
        """Before an upload into a union dataset, a marker graph listing the graphs served now (which
        queries name until the switch, `_served_during_upload`)."""
        if self.union_dataset:
            if self._listed_in(UPLOAD_GRAPH) is not None:
                # An earlier upload was killed (or runs in another process, whose count check will
                # then fail loudly): its staging graphs would be part of the union once this one
                # is switched in.
                left = [g for g in self._graph_names() if g.startswith(STAGING)]
                if left:
                    self.update(" ;\n".join(f"DROP SILENT GRAPH {sparql_iri(g)}" for g in left))
            self.update(" ;\n".join(_listing_operations(UPLOAD_GRAPH, served)))

    def _end_upload(self) -> list[str]:
        """The update operations that end an upload (with its switch, or on its failure)."""
        return [f"DROP SILENT GRAPH {sparql_iri(UPLOAD_GRAPH)}"] if self._union else []

    def _listed_in(self, listing: str) -> list[str] | None:
        """The graphs a listing graph (the manifest, an upload's marker) names; None without it."""
        m = sparql_iri(listing)
        rows = self._select_raw(
            f"SELECT ?g WHERE {{ GRAPH {m} {{ {m} a {sparql_iri(VOID + 'Dataset')} "
            f"OPTIONAL {{ {m} {sparql_iri(VOID + 'subset')} ?g }} }} }}")
        if not rows:
            return None
        return [row["g"].value for row in rows if "g" in row]

    def _select_raw(self, sparql: str, **send) -> list[dict]:
        """A SELECT over the store as it is (no dataset): vankien's own bookkeeping queries."""
        response = self._send("POST", self.query_url, content=urlencode([("query", sparql)]).encode(),
                              headers={"Accept": accept_for("SELECT"),
                                       "Content-Type": "application/x-www-form-urlencoded"}, **send)
        solutions = parse_http_results(response.content, response.headers.get("content-type", ""))
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError(f"{self._shown(self.query_url)} did not answer a SELECT with solutions")
        names = [variable.value for variable in solutions.variables]
        return [{n: t for n, t in zip(names, row) if t is not None} for row in solutions]

    # ---- writing --------------------------------------------------------------------------------

    def replace_with(self, nquads_path, *, progress=None, checked=False):
        # Parse locally first: a malformed file is refused before the server is touched.
        if not checked:
            check_nquads_file(nquads_path)
        where, staged = str(nquads_path), Staged()
        # Listed: only graphs the manifest names are vankien's to drop (the store may hold others).
        previous = self.graphs() if self.union_dataset else self._listed_in(MANIFEST_GRAPH) or []
        with self._dropped_on_failure(staged):
            self._begin_upload(previous)
            self._stage(_read_quads(nquads_path, progress, lenient=True), staged)
            self._verify_staging(staged, lambda graphs: distinct_triples(
                _read_quads(nquads_path, None, lenient=True), graphs, DEFAULT_GRAPH), where)
            moves = [f"MOVE {sparql_iri(staging)} TO {sparql_iri(graph)}" for graph, staging in staged.staging.items()]
            drops = [f"DROP SILENT GRAPH {sparql_iri(graph)}" for graph in previous if graph not in staged.staging]
            self._switch(moves, [*drops, *self._manifest_operations(staged.sent), *self._end_upload()], where)
        self._verify(staged.sent, self.graph_counts(staged.sent), where,
                     "after the switch the store holds other counts than were verified in staging")

    def load(self, source, format="nquads", *, checked=False):
        rdf = rdf_format(format)
        where, staged = "input" if isinstance(source, bytes) else str(source), Staged()
        try:
            quads = list(ox.parse(source, rdf, lenient=checked) if isinstance(source, bytes)
                         else ox.parse(path=str(source), format=rdf, lenient=checked))
        except (SyntaxError, OSError) as error:
            raise StoreError(f"{where}: {error}") from None
        served = self.graphs()
        with self._dropped_on_failure(staged):
            self._begin_upload(served)
            self._stage(iter(quads), staged)
            self._verify_staging(staged, lambda graphs: distinct_triples(quads, graphs, DEFAULT_GRAPH), where)
            self._switch([f"ADD {sparql_iri(staging)} TO {sparql_iri(graph)} ; DROP SILENT GRAPH {sparql_iri(staging)}"
                          for graph, staging in staged.staging.items()], self._end_upload(), where)
        counts = self.graph_counts({*served, *staged.staging})
        short = Counter({g: staged.sent[g] for g in staged.staging if counts[g] < staged.sent[g]})
        self._verify(short, Counter({g: counts[g] for g in short}), where, "after adding")
        self._write_manifest(counts)

    def _switch(self, per_graph: list[str], last: list[str], where: str) -> None:
        """Put the verified staging graphs in place: one update request, or one per
        ``profile.switch_graphs`` graphs with ``last`` (the bookkeeping) in the final one. A request
        that fails after earlier ones went through leaves some graphs new and the rest old: the
        error says so (the first failing leaves everything as it was)."""
        size = self.profile.switch_graphs
        batches = [per_graph[i:i + size] for i in range(0, len(per_graph), size)] or [[]]
        batches[-1] = batches[-1] + last
        for done, batch in enumerate(batches):
            try:
                self.update(" ;\n".join(batch))
            except StoreError as error:
                if done == 0:
                    raise
                raise StoreError(f"{where}: the switch failed after {done * size} of {len(per_graph)} graphs "
                                 f"were switched, so the store serves some graphs of the new data and the rest "
                                 f"of the old until a build or load succeeds: {error}") from None

    def update(self, sparql_update: str) -> None:
        """Run SPARQL Update on the endpoint (admin use only; never with user input)."""
        self._write("POST", self.update_url, content=sparql_update.encode(), timeout=None,
                    headers={"Content-Type": "application/sparql-update"})
        # What this process read of the store's graphs and marker no longer holds.
        self._graphs = self._upload = None
        self._writes += 1

    def close(self):
        self._client.close()

    def _stage(self, quads, staged: Staged) -> None:
        stage_quads(quads, self._write_chunk, staged, chunk_triples=self.profile.chunk_triples,
                    default_graph=DEFAULT_GRAPH)

    @contextmanager
    def _dropped_on_failure(self, staged: Staged) -> Iterator[None]:
        """Whatever fails before the switch (an upload, a count, the switch itself, which is one
        update request) leaves the served graphs as they were: drop the staging graphs, re-raise."""
        try:
            yield
        except BaseException:
            self._drop_staging(staged)
            raise

    def _write_chunk(self, graph: str, ntriples: bytes) -> None:
        if self.gsp_url:
            self._write("POST", self.gsp_url, params={"graph": graph}, content=ntriples,
                        headers={"Content-Type": "application/n-triples"}, timeout=None)
        else:
            self.update(f"INSERT DATA {{ GRAPH {sparql_iri(graph)} {{\n{ntriples.decode()}\n}} }}")

    def _verify_staging(self, staged: Staged, recount, where: str) -> None:
        """Staging holds what was sent, graph by graph (else StoreError)."""
        found = self.graph_counts(staged.staging.values())
        held = Counter({graph: found[staging] for graph, staging in staged.staging.items()})
        expected = Counter(staged.sent)
        fewer = {g for g in expected if held[g] < expected[g]}
        if fewer:  # a file may repeat a triple, which the store keeps once
            for graph, distinct in recount(fewer).items():
                expected[graph] = distinct
        self._verify(expected, held, where, "the store did not keep what was sent; nothing was "
                     "switched and the previously served graphs are unchanged")
        staged.sent = expected

    def _verify(self, expected: Counter, found: Counter, where: str, what: str) -> None:
        problems = mismatches(expected, found)
        if problems:
            more = len(problems) - SHOWN_MISMATCHES
            lines = problems[:SHOWN_MISMATCHES] + ([f"… and {more} more graphs"] if more > 0 else [])
            raise StoreError(f"{where} → {self._shown(self.query_url)} ({self.profile.name} profile): "
                             f"{what}:\n  " + "\n  ".join(lines))

    def _write_manifest(self, counts: Counter) -> None:
        self.update(" ;\n".join(self._manifest_operations(counts)))

    def _manifest_operations(self, counts: Counter) -> list[str]:
        if self.union_dataset:  # a manifest would be part of the union: the graphs are listed instead
            return [f"DROP SILENT GRAPH {sparql_iri(MANIFEST_GRAPH)}"]
        return _listing_operations(MANIFEST_GRAPH, sorted(counts), counts)

    def _drop_staging(self, staged: Staged) -> None:
        drops = [f"DROP SILENT GRAPH {sparql_iri(g)}" for g in staged.staging.values()] + self._end_upload()
        if drops:
            try:
                self.update(" ;\n".join(drops))
            except StoreError:
                pass  # the original failure is the one to report; staging graphs are never served

    # ---- HTTP -----------------------------------------------------------------------------------

    def _write(self, method: str, url: str, **kw) -> httpx.Response:
        """A write: a 2xx answer that is an HTML page (a form, a login page) did not write."""
        response = self._send(method, url, **kw)
        if is_html(response.headers.get("content-type", ""), response.content):
            raise StoreError(f"{method} {self._shown(url)}: HTTP {response.status_code} with an HTML page "
                             "instead of a SPARQL Update / Graph Store answer: nothing was written (is "
                             "this the right endpoint, and may this user write?)")
        return response

    def _send(self, method: str, url: str, **kw) -> httpx.Response:
        if kw.get("timeout", 0) is None:  # uploads and dumps may take long: connect limit only
            kw["timeout"] = httpx.Timeout(None, connect=10.0)
        else:
            kw.pop("timeout", None)
        shown = self._shown(url)
        try:
            response = self._client.request(method, url, **kw)
        except httpx.TimeoutException:
            raise StoreTimeout(f"{method} {shown}: no answer within the time limit") from None
        except httpx.TransportError as error:
            raise StoreUnreachable(f"{method} {shown}: {error or type(error).__name__}") from None
        except httpx.HTTPError as error:
            raise StoreError(f"{method} {shown}: {error}") from None
        if response.is_error:
            hint = " (set VANKIEN_REMOTE_USER/_PASSWORD or a ~/.netrc entry)" if response.status_code == 401 else ""
            raise StoreError(f"{method} {shown}: HTTP {response.status_code}{hint}: {response.text[:500]}")
        if cut := partial_answer(response):
            raise StoreError(f"{method} {shown}: the engine answered with a partial result ({cut}); vankien "
                             "never serves a cut answer as a whole one: raise the engine's own query time "
                             "limit (Virtuoso: MaxQueryExecutionTime in its ini) or ask for less")
        return response

    @staticmethod
    def _shown(url: str) -> str:
        return without_userinfo(url)


def _listing_operations(listing: str, graphs: Iterable[str], counts: Counter | None = None) -> list[str]:
    """Update operations that (re)write a listing graph (the manifest, an upload's marker):
    ``<listing> a void:Dataset ; void:subset <g>`` for each graph, with ``<g> void:triples n``
    when counts are given. ``_listed_in`` reads it back."""
    m, subset, triple_count = (sparql_iri(iri) for iri in (listing, VOID + "subset", VOID + "triples"))
    triples = [f"{m} a {sparql_iri(VOID + 'Dataset')} ."]
    for graph in graphs:
        triples.append(f"{m} {subset} {sparql_iri(graph)} .")
        if counts is not None:
            triples.append(f"{sparql_iri(graph)} {triple_count} {int(counts[graph])} .")
    return [f"DROP SILENT GRAPH {m}", f"INSERT DATA {{ GRAPH {m} {{\n" + "\n".join(triples) + "\n} }"]


def partial_answer(response: httpx.Response) -> str | None:
    """Why a 2xx answer is only part of the result, or None. Virtuoso's "anytime" queries stop at a
    time limit and answer what they found with 206, or with 200 and an X-SQL-State header, an answer
    that parses like a whole one."""
    state = response.headers.get("x-sql-state")
    if response.status_code == 206 or state:
        detail = response.headers.get("x-sql-message", "")
        return "; ".join(filter(None, [f"HTTP {response.status_code}", state and f"X-SQL-State {state}",
                                       detail[:200]]))
    return None


_GRAPH_VARIABLE = re.compile(r"\bGRAPH\s*[?$]", re.IGNORECASE)   # a GRAPH pattern's variable, maybe


def _query_info(sparql: str) -> QueryInfo | None:
    """The guard's facts about a query (cached on its text); None for one it refuses, which the
    engine then reports in its own words."""
    try:
        return analyse_query(sparql)
    except QueryRefused:
        return None
