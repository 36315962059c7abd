"""What differs between SPARQL engines, in small named profiles; the rest is standard SPARQL 1.1.

A profile says where an engine keeps its Update and Graph Store endpoints relative to the query URL,
which graphs are the engine's own (never vankien's data), how it uploads, and the few answers it
gives in its own way. ``detect`` picks the profile from the server itself (its ``Server`` header or
service description), so that the query URL is the only setting a user needs;
``VANKIEN_REMOTE_PROFILE`` overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx


@dataclass(frozen=True)
class Profile:
    name: str
    update_segment: str | None      # last path segment of the Update endpoint (None: the query URL)
    gsp_segment: str | None         # … of the Graph Store endpoint (None: upload with INSERT DATA)
    # Endpoints that take HTTP authentication, used when credentials are configured.
    auth_update_segment: str | None = None
    auth_gsp_segment: str | None = None
    system_graph_prefixes: tuple[str, ...] = ()   # graphs of the engine itself, never vankien's
    ask_as_select: bool = False     # answers ASK with a one-row SELECT of ?__ASK_RETVAL
    chunk_triples: int = 50_000     # triples per upload request
    # Graphs the switch after an upload moves per update request: all in one where the engine
    # takes it; Virtuoso refused the 2,003 MOVEs of 100k documents in one ("SQ200: Query too
    # large"), and the Oxigraph server holds one update in memory (killed at 18 GB moving 5.4M quads).
    switch_graphs: int = 100_000
    bulk_loader: str = ""           # the engine's own, faster loader (README: "Remote stores")
    # VANKIEN_REMOTE_DATASET=union, for a store holding vankien's graphs only: the protocol fields
    # that make the engine's union of its graphs the default graph (None: not offered), and a graph
    # of the engine's own that must not be readable there (Virtuoso's default graph is every graph
    # the query user may read: with its own graphs made private, vankien's alone; README "Virtuoso").
    union_fields: tuple[tuple[str, str], ...] | None = None
    union_hides: str | None = None
    # GRAPH ?g ranges over names of graphs the query user may not read (Virtuoso answers
    # SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } with its private graphs, not their triples):
    # in a union dataset, a query with GRAPH ?g names vankien's graphs instead.
    union_graph_names_leak: bool = False
    # The query listing the store's graphs (as ?g). Oxigraph answers `GRAPH ?g {}` without reading
    # them; Virtuoso finds no graph that way and took over 120 s for SELECT DISTINCT ?g over 541k
    # quads, but answers the GROUP BY form in 0.07 s.
    graph_listing: str = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

    def update_url(self, query_url: str, authenticated: bool) -> str:
        segment = (self.auth_update_segment if authenticated else None) or self.update_segment
        return sibling(query_url, segment) if segment else query_url

    def gsp_url(self, query_url: str, authenticated: bool) -> str | None:
        segment = (self.auth_gsp_segment if authenticated else None) or self.gsp_segment
        return sibling(query_url, segment) if segment else None


PROFILES: dict[str, Profile] = {
    # Oxigraph server: …/query, …/update, …/store.
    "oxigraph": Profile("oxigraph", update_segment="update", gsp_segment="store",
                        union_fields=(("union-default-graph", ""),), switch_graphs=250,
                        bulk_loader="oxigraph load --location DIR --file FILE, the server stopped",
                        graph_listing="SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"),
    # Virtuoso 7: …/sparql takes queries (and updates when the SPARQL user may write);
    # …/sparql-auth and …/sparql-graph-crud-auth take HTTP digest authentication. Its default graph
    # is the union of every graph, its own system graphs included.
    "virtuoso": Profile(
        "virtuoso", update_segment=None, gsp_segment="sparql-graph-crud",
        auth_update_segment="sparql-auth", auth_gsp_segment="sparql-graph-crud-auth",
        system_graph_prefixes=("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#",
                               "http://localuriqaserver/", "http://localhost:8890/"),
        ask_as_select=True, chunk_triples=20_000, switch_graphs=250,
        union_fields=(), union_hides="http://www.openlinksw.com/schemas/virtrdf#",
        union_graph_names_leak=True,
        graph_listing="SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        bulk_loader="ld_dir() + rdf_loader_run() in isql, on files in the server's DirsAllowed",
    ),
    # Any other SPARQL 1.1 store: Update at the query URL, uploads with INSERT DATA unless
    # VANKIEN_REMOTE_GSP_URL names a Graph Store endpoint.
    "generic": Profile("generic", update_segment=None, gsp_segment=None, chunk_triples=10_000),
}

# Server header or service-description text → profile (lower case).
SIGNATURES = (("oxigraph", "oxigraph"), ("virtuoso", "virtuoso"), ("openlinksw", "virtuoso"))


def profile_named(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"remote_profile: {name!r} is not one of {', '.join(PROFILES)} "
                         "(set VANKIEN_REMOTE_PROFILE)") from None


def detect(client: httpx.Client, query_url: str) -> Profile:
    """The profile of the engine behind ``query_url``, from one GET of its service description."""
    response = client.get(query_url, headers={"Accept": "text/turtle, application/n-triples;q=0.9"})
    server = response.headers.get("server", "").lower()
    for mark, name in SIGNATURES:
        if mark in server:
            return PROFILES[name]
    text = response.text[:20_000].lower() if response.is_success else ""
    for mark, name in SIGNATURES:
        if mark in text:
            return PROFILES[name]
    return PROFILES["generic"]


def sibling(url: str, last_segment: str) -> str:
    """``http://h:7878/query`` → ``http://h:7878/store`` (same parent path)."""
    parts = urlsplit(url)
    parent = parts.path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{parent}/{last_segment}", "", ""))
