"""The three store backends give the same answers on the same SYNTHETIC data (fixtures/store)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from vankien.graph.settings import Settings, SettingsError
from vankien.graph.store import DiskStore, MemoryStore, RemoteStore, StoreError, open_store

SYN = "https://w3id.org/vankien/synthetic/id/"
GRAPH_ONE, GRAPH_TWO = SYN + "graph/one", SYN + "graph/two"
PREFIXES = """
PREFIX vk: <https://w3id.org/vankien/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
SAMPLE_QUAD_COUNT = 12


@pytest.fixture(params=["memory", "disk", "oxigraph", "oxigraph-union", "virtuoso", "virtuoso-union"])
def store(request, tmp_path, store_fixtures):
    """Each backend (the remote store on each engine, with each VANKIEN_REMOTE_DATASET), filled
    with sample.nq through replace_with."""
    if request.param == "memory":
        opened = open_store(Settings(store="memory"))
    elif request.param == "disk":
        opened = open_store(Settings(store="disk", data_dir=tmp_path))
    else:
        opened = open_store(Settings(store="remote", **remote_settings(request, request.param)))
    opened.replace_with(store_fixtures / "sample.nq")
    yield opened
    opened.close()


def remote_settings(request, engine: str) -> dict:
    """``oxigraph``, ``virtuoso``, or either with ``-union`` (VANKIEN_REMOTE_DATASET=union)."""
    if engine.startswith("oxigraph"):
        found = {"remote_query_url": request.getfixturevalue("oxigraph_server") + "/query"}
    else:
        found = request.getfixturevalue("virtuoso_server")
    if engine.endswith("-union"):
        found = {**found, "remote_dataset": "union"}
    return {**found, "query_timeout_s": 60.0}  # a busy test machine may answer slowly


def rows(results) -> set[tuple[str, ...]]:
    """SELECT results as a set of tuples of N-Triples strings (None for unbound)."""
    return {tuple(None if term is None else str(term) for term in row) for row in results}


def test_open_store_picks_the_backend(tmp_path):
    assert isinstance(open_store(Settings()), MemoryStore)
    disk = open_store(Settings(store="disk", store_path=tmp_path / "db"))
    assert isinstance(disk, DiskStore) and disk.path == tmp_path / "db"
    disk.close()
    remote = open_store(Settings(store="remote", remote_query_url="http://127.0.0.1:9/sparql/query",
                                 remote_profile="oxigraph"))  # named: no server to ask
    assert isinstance(remote, RemoteStore)
    assert remote.gsp_url == "http://127.0.0.1:9/sparql/store"
    assert remote.update_url == "http://127.0.0.1:9/sparql/update"
    remote.close()


def test_union_of_graphs_is_the_default_graph(store):
    results = store.query(PREFIXES + "SELECT ?doc ?n WHERE { ?doc skos:notation ?n }")
    assert isinstance(results, ox.QuerySolutions)
    assert rows(results) == {
        (f"<{SYN}doc/a>", '"1-KH/SYN"'),
        (f"<{SYN}doc/b>", '"2-CT/SYN"'),
        (f"<{SYN}doc/c>", '"3-NQ/SYN"'),
    }


def test_a_filled_store_is_not_empty_and_saying_so_counts_nothing(store):
    """`vankien serve` asks at every start whether to build: counting every graph of a remote
    store took Virtuoso about 2 minutes at 100k documents; one ASK is enough."""
    sent: list[str] = []
    if isinstance(store, RemoteStore):
        from urllib.parse import parse_qsl
        store._client.event_hooks = {"request": [lambda outgoing: sent.extend(
            value for name, value in parse_qsl(outgoing.content.decode()) if name == "query")]}
    assert store.is_empty() is False
    if isinstance(store, RemoteStore):
        assert [text for text in sent if "COUNT" in text] == [] and any("ASK" in text for text in sent)


def test_vankiens_own_queries_are_not_parsed_again(store, monkeypatch):
    """rdflib's parser costs milliseconds a query text: the named queries (queries.rows) say they
    read the union, so no backend parses them to find a dataset clause or a graph variable. (Parsing
    each new text made the API's lineage on the engines 15-20 times slower at 10k documents.)"""
    import vankien.graph.remote.store as remote_module
    import vankien.graph.store_interface as interface
    from vankien.graph import queries
    parsed: list[str] = []
    for module in (remote_module, interface):
        real = module.analyse_query
        monkeypatch.setattr(module, "analyse_query", lambda text, *more, real=real: parsed.append(text) or real(text, *more))
    assert queries.rows(store, f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), {SYN!r})) }} LIMIT 1")
    assert parsed == []

def test_a_fresh_engine_is_empty(tmp_path):
    import engines
    from prerequisites import missing
    if engines.oxigraph_binary() is None:
        missing("remote", "the Oxigraph server is not installed (pip install oxigraph)")
    with engines.oxigraph(tmp_path) as engine:
        for dataset in ("listed", "union"):
            with open_store(Settings(store="remote", **engine, remote_dataset=dataset)) as fresh:
                assert fresh.is_empty() is True
    assert MemoryStore().is_empty() is True

def test_graph_counts(store):
    results = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    assert rows(results) == {(f"<{GRAPH_ONE}>", f'"6"^^<{integer}>'), (f"<{GRAPH_TWO}>", f'"6"^^<{integer}>')}
    assert store.named_graphs() == [GRAPH_ONE, GRAPH_TWO]
    assert len(store) == SAMPLE_QUAD_COUNT


def test_ask(store):
    yes = store.query(PREFIXES + "ASK { ?a vk:implements ?b }")
    no = store.query(PREFIXES + "ASK { ?a vk:replaces ?b }")
    assert isinstance(yes, ox.QueryBoolean)
    assert (bool(yes), bool(no)) == (True, False)


def test_construct_gives_pyoxigraph_triples(store):
    triples = list(store.query(PREFIXES + "CONSTRUCT { ?a vk:implements ?b } WHERE { ?a vk:implements ?b }"))
    assert all(isinstance(t, ox.Triple) for t in triples)
    implements = "<https://w3id.org/vankien/ontology#implements>"
    assert {str(t) for t in triples} == {
        f"<{SYN}doc/a> {implements} <{SYN}doc/b>",
        f"<{SYN}doc/c> {implements} <{SYN}doc/b>",
    }


def test_from_clause_and_dataset_parameters_restrict_the_default_graph(store):
    typed = "SELECT ?doc WHERE { ?doc a ?type }"
    from_two = store.query(f"SELECT ?doc FROM <{GRAPH_TWO}> WHERE {{ ?doc a ?type }}")
    assert rows(from_two) == {(f"<{SYN}doc/c>",)}
    only_one = store.query(typed, default_graph=[GRAPH_ONE])
    assert rows(only_one) == {(f"<{SYN}doc/a>",), (f"<{SYN}doc/b>",)}
    named = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[GRAPH_TWO])
    assert rows(named) == {(f"<{GRAPH_TWO}>",)}


def test_select_returns_dicts_of_terms(store):
    found = store.select(PREFIXES + "SELECT ?t ?missing WHERE { ?s vk:title ?t OPTIONAL { ?s vk:replaces ?missing } }")
    assert found == [{"t": ox.Literal("Synthetischer Plan A", language="de")}]
    exact = store.select("SELECT ?e WHERE { ?q <http://www.w3.org/ns/oa#exact> ?e }")
    assert exact[0]["e"].value == "synthetische Zeile\tmit Tab"


def test_replace_with_a_malformed_file_keeps_the_old_data(store, store_fixtures):
    before = store.dump("nquads")
    with pytest.raises(StoreError, match="malformed.nq"):
        store.replace_with(store_fixtures / "malformed.nq")
    assert len(store) == SAMPLE_QUAD_COUNT
    assert store.named_graphs() == [GRAPH_ONE, GRAPH_TWO]
    assert _quads(store.dump("nquads")) == _quads(before)


@pytest.mark.parametrize("backend", ["memory", "disk"])
@pytest.mark.parametrize("streamed", [False, True])
def test_only_checked_files_skip_iri_validation(backend, streamed, tmp_path, store_fixtures):
    """A relative IRI fails the strict parse of unchecked input; a checked file (one vankien wrote
    or parsed strictly before) is parsed leniently, on the native and the streamed path alike."""
    relative = tmp_path / "relative.nq"
    relative.write_text(f'<doc/relative> <{SYN}p> "x" <{GRAPH_ONE}> .\n')
    opened = open_store(Settings(store=backend, data_dir=tmp_path))
    report = [].append if streamed else None  # a progress callback selects the streamed path
    opened.replace_with(store_fixtures / "sample.nq")
    with pytest.raises(StoreError, match="relative.nq"):
        opened.replace_with(relative, progress=report)
    with pytest.raises(StoreError, match="relative.nq"):
        opened.load(relative)
    assert len(opened) == SAMPLE_QUAD_COUNT
    opened.replace_with(relative, progress=report, checked=True)
    assert [str(row["s"]) for row in opened.query("SELECT ?s WHERE { ?s ?p ?o }")] == ["<doc/relative>"]
    opened.close()


def test_replace_with_replaces_and_load_adds(store, store_fixtures, tmp_path):
    extra = tmp_path / "extra.nq"
    extra.write_text(f'<{SYN}doc/z> <http://www.w3.org/2004/02/skos/core#notation> "9-KH/SYN" <{SYN}graph/three> .\n')
    store.load(extra)
    assert len(store) == SAMPLE_QUAD_COUNT + 1
    store.load(f'<{SYN}doc/y> <{SYN}p> "in default graph" .'.encode(), "ntriples")
    assert len(store) == SAMPLE_QUAD_COUNT + 2
    seen: list[int] = []
    store.replace_with(store_fixtures / "sample.nq", progress=seen.append)
    assert len(store) == SAMPLE_QUAD_COUNT
    assert seen[-1] == SAMPLE_QUAD_COUNT
    assert store.named_graphs() == [GRAPH_ONE, GRAPH_TWO]


def test_dump_round_trips(store, store_fixtures):
    dumped = _quads(store.dump("nquads"))
    assert len(dumped) == SAMPLE_QUAD_COUNT
    original = _quads((store_fixtures / "sample.nq").read_bytes())
    assert {q for q in dumped if "_:" not in q} == {q for q in original if "_:" not in q}


def _quads(nquads: bytes) -> set[str]:
    return {str(q) for q in ox.parse(nquads, ox.RdfFormat.N_QUADS)}


def test_disk_store_reopens_without_reloading(tmp_path, store_fixtures):
    path = tmp_path / "db"
    writer = DiskStore(path)
    writer.replace_with(store_fixtures / "sample.nq")
    writer.close()
    reopened = DiskStore(path)
    assert len(reopened) == SAMPLE_QUAD_COUNT
    reopened.close()
    reader = DiskStore(path, read_only=True)
    assert reader.named_graphs() == [GRAPH_ONE, GRAPH_TWO]
    with pytest.raises(StoreError, match="read-only"):
        reader.replace_with(store_fixtures / "sample.nq")
    reader.close()
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == ["db"]  # no staging or retired directories remain


def test_settings_from_env_converts_types_and_names_bad_variables(tmp_path):
    env = {"VANKIEN_MAX_ROWS": "7", "VANKIEN_QUERY_TIMEOUT_S": "1.5", "VANKIEN_DATA_DIR": str(tmp_path),
           "VANKIEN_STORE_PATH": ""}
    settings = Settings.from_env(env, port=9000)
    assert (settings.max_rows, settings.query_timeout_s, settings.port) == (7, 1.5, 9000)
    assert settings.data_dir == tmp_path and settings.store_path is None
    assert settings.disk_store_path == tmp_path / "store"
    assert settings.replace(max_rows=3).max_rows == 3
    with pytest.raises(SettingsError, match="VANKIEN_MAX_ROWS"):
        Settings.from_env({"VANKIEN_MAX_ROWS": "many"})
    with pytest.raises(SettingsError, match="REMOTE_QUERY_URL"):
        Settings.from_env({"VANKIEN_STORE": "remote"})
    with pytest.raises(SettingsError, match="store"):
        Settings(store="sqlite")
    assert Settings().seeds_dir == Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize("engine", ["oxigraph-union", "virtuoso-union"])
def test_a_union_dataset_reads_the_engines_union_until_an_upload_is_staged(request, store_fixtures, engine):
    """VANKIEN_REMOTE_DATASET=union: queries ask for the engine's union default graph, except while
    an upload is staged (its staging graphs would show there): then, in this process and any other,
    they name the graphs still served, which the upload's marker graph lists."""
    from urllib.parse import parse_qsl

    import httpx

    from vankien.graph.remote.store import UPLOAD_GRAPH
    sent: list[list[tuple[str, str]]] = []

    def record(outgoing: httpx.Request) -> None:
        fields = parse_qsl(outgoing.content.decode(), keep_blank_values=True)
        if any(name == "query" and "synthetischer" in value for name, value in fields):
            sent.append([(name, value) for name, value in fields if name != "query"])

    settings = Settings(store="remote", **remote_settings(request, engine))
    union_fields = [("union-default-graph", "")] if engine.startswith("oxigraph") else []
    asked = 'SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(LCASE(STR(?o)), "synthetischer")) }'
    with RemoteStore(settings) as store, RemoteStore(settings) as other:
        for each in (store, other):   # the store's own client: it carries the engine's credentials
            each._client.event_hooks = {"request": [record]}
        store.replace_with(store_fixtures / "sample.nq")
        assert store.union_dataset
        assert rows(store.query(asked)) == {(f"<{SYN}doc/a>",)} and sent[-1] == union_fields
        during: list[set] = []
        write_chunk = store._write_chunk

        def asked_while_staged(graph: str, ntriples: bytes) -> None:
            write_chunk(graph, ntriples)   # staged: the same triples now sit in a staging graph too
            other._upload = other._graphs = None   # as after GRAPHS_TTL_S
            during.append(rows(other.query(asked)))
            assert ("default-graph-uri", GRAPH_ONE) in sent[-1] and ("union-default-graph", "") not in sent[-1]
        store._write_chunk = asked_while_staged  # type: ignore[method-assign]
        store.replace_with(store_fixtures / "sample.nq")
        assert during and all(found == {(f"<{SYN}doc/a>",)} for found in during)
        other._upload = other._graphs = None
        assert rows(other.query(asked)) == {(f"<{SYN}doc/a>",)} and sent[-1] == union_fields
        graphs = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert {row[0] for row in rows(graphs)} == {f"<{GRAPH_ONE}>", f"<{GRAPH_TWO}>"}   # no manifest, no marker
        assert store.graphs() == [GRAPH_ONE, GRAPH_TWO]
        assert store._listed_in(UPLOAD_GRAPH) is None


@pytest.mark.parametrize("engine", ["oxigraph-union", "virtuoso-union"])
def test_a_graph_variable_ranges_over_vankiens_graphs_alone_in_a_union_dataset(request, store_fixtures, engine):
    """Virtuoso answers SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } from its list of graph names,
    its private graphs among them (with no triple of theirs): in a union dataset, a query with
    GRAPH ?g names vankien's graphs (profile.union_graph_names_leak)."""
    import dataclasses
    settings = Settings(store="remote", **remote_settings(request, engine))
    ours = {(f"<{GRAPH_ONE}>",), (f"<{GRAPH_TWO}>",)}
    listing = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    with RemoteStore(settings) as store:
        store.replace_with(store_fixtures / "sample.nq")
        assert rows(store.query(listing)) == ours
        # with a triple pattern on the default graph too (vankien's graphs then named both ways)
        assert rows(store.query("SELECT DISTINCT ?g WHERE { ?s ?p ?o GRAPH ?g { ?s ?p ?o } }")) == ours
        assert rows(store.query(f"SELECT ?s WHERE {{ GRAPH <{GRAPH_ONE}> {{ ?s ?p ?o }} }} LIMIT 1"))
        if engine.startswith("virtuoso"):   # the rule is needed: without it, Virtuoso's own graphs show
            store._profile = dataclasses.replace(store.profile, union_graph_names_leak=False)
            leaked = {row[0] for row in rows(store.query(listing))} - {graph for graph, in ours}
            assert any("openlinksw" in graph for graph in leaked), leaked


@pytest.mark.parametrize("engine", ["oxigraph-union", "virtuoso-union"])
def test_an_upload_after_a_killed_one_leaves_none_of_its_staged_data_in_the_union(request, store_fixtures, engine):
    """A killed upload leaves its marker and staging graphs: queries keep naming the served graphs,
    and the next upload drops the leftovers before its own switch."""
    from vankien.graph.remote.upload import STAGING
    settings = Settings(store="remote", **remote_settings(request, engine))
    asked = 'SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "killed upload")) }'
    with RemoteStore(settings) as store:
        store.replace_with(store_fixtures / "sample.nq")
        store._begin_upload(store.graphs())      # as a build killed after staging one graph
        staged = f"{STAGING}killed/0"
        store.update(f'INSERT DATA {{ GRAPH <{staged}> {{ <{SYN}doc/z> <{SYN}p> "killed upload" }} }}')
        with RemoteStore(settings) as other:
            assert rows(other.query(asked)) == set()              # the marker: graphs named
        with RemoteStore(settings) as other:
            other.replace_with(store_fixtures / "sample.nq")
            assert rows(other.query(asked)) == set() and other._served_during_upload() is None
            assert not [row for row in other._select_raw(f"SELECT ?s WHERE {{ GRAPH <{staged}> {{ ?s ?p ?o }} }}")]


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso-union"])
def test_a_switch_too_large_for_one_request_goes_in_batches_and_says_when_one_fails(request, store_fixtures, engine):
    """profile.switch_graphs: graphs moved per update request (Virtuoso refused 2,003 in one)."""
    import dataclasses
    settings = Settings(store="remote", **remote_settings(request, engine))
    with RemoteStore(settings) as store:
        store._profile = dataclasses.replace(store.profile, switch_graphs=1)
        sent: list[str] = []
        update = store.update
        store.update = lambda text: (sent.append(text), update(text))[1]  # type: ignore[method-assign]
        store.replace_with(store_fixtures / "sample.nq")
        switches = [text for text in sent if "MOVE" in text]
        assert len(switches) == 2 and all(text.count("MOVE") == 1 for text in switches)
        assert store.graph_counts([GRAPH_ONE, GRAPH_TWO]) == {GRAPH_ONE: 6, GRAPH_TWO: 6}

        def second_fails(text: str) -> None:
            if "MOVE" in text and GRAPH_TWO in text:
                raise StoreError("HTTP 500: synthetic failure of the second switch request")
            update(text)
        store.update = second_fails  # type: ignore[method-assign]
        with pytest.raises(StoreError, match="after 1 of 2 graphs were switched") as failed:
            store.replace_with(store_fixtures / "sample.nq")
        assert "synthetic failure" in str(failed.value)


def test_a_union_dataset_is_refused_where_the_union_holds_the_engines_graphs(request):
    """Virtuoso's default graph is every graph the query user may read: with its own graph
    <…virtrdf#> readable (as Virtuoso comes), union answers would include it."""
    import engines
    settings = Settings(store="remote", **remote_settings(request, "virtuoso-union"))
    group, own = engines.VIRTUOSO_PRIVATE_GROUP, engines.VIRTUOSO_OWN_GRAPHS[0]
    engines.virtuoso_sql(settings.remote_query_url, f"DB.DBA.RDF_GRAPH_GROUP_DEL ('{group}', '{own}');")
    try:
        with open_store(settings) as store, pytest.raises(StoreError, match="REMOTE_DATASET=listed") as refused:
            store.query("ASK { ?s ?p ?o }")
        assert own in str(refused.value) and "private" in str(refused.value)
    finally:
        engines.virtuoso_sql(settings.remote_query_url, f"DB.DBA.RDF_GRAPH_GROUP_INS ('{group}', '{own}');")
    with open_store(settings) as store:
        assert store.union_dataset
    with open_store(Settings(store="remote", remote_query_url="http://127.0.0.1:9/sparql", remote_profile="generic",
                             remote_dataset="union")) as store, pytest.raises(StoreError, match="generic profile"):
        store.query("ASK { ?s ?p ?o }")
    with pytest.raises(SettingsError, match="VANKIEN_REMOTE_DATASET"):
        Settings(remote_dataset="everything")
