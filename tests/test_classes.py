"""The class hierarchy closed in Python (``vankien.graph.classes``): the same classes as Oxigraph's
own ``rdfs:subClassOf*``/``+`` paths, on a hierarchy with three levels, a cycle and an OWL
restriction (a blank-node superclass); read once per data version of each store, and read again
after every write (embedded stores) or once the graph listing expires (remote stores)."""

from __future__ import annotations

import time

import pytest

from vankien.graph import classes, records
from vankien.graph.remote.store import GRAPHS_TTL_S
from vankien.graph.settings import Settings
from vankien.graph.store import DiskStore, MemoryStore, RemoteStore

EX = "http://example.org/synthetic/class#"
VK = "https://w3id.org/vankien/ontology#"
HIERARCHY = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <{EX}> .
@prefix vk: <{VK}> .
ex:Leaf rdfs:subClassOf ex:Middle .
ex:Middle rdfs:subClassOf ex:Top .
ex:Other rdfs:subClassOf ex:Top .
ex:Leaf rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:Top ] .
ex:Ring1 rdfs:subClassOf ex:Ring2 .
ex:Ring2 rdfs:subClassOf ex:Ring1 .
ex:Ring2 rdfs:subClassOf ex:Top .
vk:SynthPlan rdfs:subClassOf vk:SynthDoc .
vk:SynthDoc rdfs:subClassOf vk:PartyDocument .
vk:SynthA rdfs:subClassOf vk:SynthB .
vk:SynthB rdfs:subClassOf vk:SynthA .
ex:thing a vk:SynthPlan .
""".encode()
NAMES = ("Leaf", "Middle", "Top", "Other", "Ring1", "Ring2")
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


class CountingStore(MemoryStore):
    """A memory store that counts the queries it answers."""

    asked = 0

    def query(self, sparql, **kw):
        self.asked += 1
        return super().query(sparql, **kw)


def path_answer(store, pattern: str) -> list[str]:
    return sorted(row["c"].value for row in store.select(f"SELECT DISTINCT ?c WHERE {{ {pattern} }}")
                  if hasattr(row["c"], "value") and row["c"].value.startswith(EX))


@pytest.fixture
def store():
    store = MemoryStore()
    store.load(HIERARCHY, "turtle")
    return store


@pytest.mark.parametrize("name", NAMES)
def test_closure_is_the_path_oxigraph_evaluates(store, name):
    node = f"<{EX}{name}>"
    for proper, path in ((False, "*"), (True, "+")):
        below = [c for c in classes.classes_below(store, EX + name, proper=proper) if c.startswith(EX)]
        above = [c for c in classes.classes_above(store, EX + name, proper=proper) if c.startswith(EX)]
        assert below == path_answer(store, f"?c {SUBCLASS}{path} {node}"), (name, path)
        assert above == path_answer(store, f"{node} {SUBCLASS}{path} ?c"), (name, path)


def test_closure_by_hand(store):
    assert classes.classes_below(store, EX + "Top") == [EX + n for n in sorted(
        ("Leaf", "Middle", "Other", "Ring1", "Ring2", "Top"))]
    assert classes.classes_below(store, EX + "Top", proper=True) == [EX + n for n in sorted(
        ("Leaf", "Middle", "Other", "Ring1", "Ring2"))]
    assert classes.classes_below(store, EX + "Ring1", proper=True) == [EX + "Ring1", EX + "Ring2"]
    assert classes.classes_above(store, EX + "Leaf") == [EX + "Leaf", EX + "Middle", EX + "Top"]
    # A class in no subClassOf statement is below itself (SPARQL's zero-length path of a constant;
    # Oxigraph answers it only for a term that is in the graph): ?x a ex:Unknown still matches.
    assert classes.classes_below(store, EX + "Unknown") == [EX + "Unknown"]
    assert classes.classes_below(store, EX + "Unknown", proper=True) == []
    assert classes.below_each(store, [EX + "Middle", EX + "Other"]) == [
        (EX + "Leaf", EX + "Middle"), (EX + "Middle", EX + "Middle"), (EX + "Other", EX + "Other")]


def test_values_spliced_into_a_query_find_what_the_path_finds(store):
    pairs = classes.pairs_of(classes.below_each(store, [VK + "PartyDocument"]))
    found = store.select(f"SELECT ?top WHERE {{ {pairs} <{EX}thing> a ?class }}")
    assert [row["top"].value for row in found] == [VK + "PartyDocument"]
    assert store.select(f"SELECT ?x WHERE {{ {classes.values_of([])} ?x a ?class }}") == []


def test_most_specific_class_and_a_cycle(store):
    synth = [VK + "PartyDocument", VK + "SynthDoc", VK + "SynthPlan"]
    assert records.most_specific_class(store, synth) == VK + "SynthPlan"
    assert records.most_specific_class(store, [VK + "SynthA", VK + "SynthB"]) == VK + "SynthA"


def test_a_second_lookup_asks_nothing_and_a_write_drops_what_was_kept():
    store = CountingStore()
    store.load(HIERARCHY, "turtle")
    assert EX + "Late" not in classes.classes_below(store, EX + "Top")
    asked = store.asked
    classes.classes_below(store, EX + "Middle")
    assert store.asked == asked           # kept for this data version
    store.load(f"<{EX}Late> {SUBCLASS} <{EX}Leaf> .".encode(), "ntriples")
    assert EX + "Late" in classes.classes_below(store, EX + "Top")
    assert store.asked == asked + 1


@pytest.mark.parametrize("backend", ["memory", "disk"])
def test_replace_with_drops_what_was_kept(backend, tmp_path):
    store = MemoryStore() if backend == "memory" else DiskStore(tmp_path / "store")
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    first.write_text(f"<{EX}A> {SUBCLASS} <{EX}Top> .\n")
    second.write_text(f"<{EX}B> {SUBCLASS} <{EX}Top> .\n")
    try:
        store.replace_with(first)
        assert classes.classes_below(store, EX + "Top", proper=True) == [EX + "A"]
        store.replace_with(second)
        assert classes.classes_below(store, EX + "Top", proper=True) == [EX + "B"]
    finally:
        store.close()


def test_remote_store_trusts_the_hierarchy_as_long_as_its_graph_listing(remote_engine, tmp_path):
    """Another process (here: a second store object) writes; this one sees it once its listing
    expires; its own writes it sees at once."""
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    graph = "<http://example.org/synthetic/graph/classes>"
    first.write_text(f"<{EX}A> {SUBCLASS} <{EX}Top> {graph} .\n")
    second.write_text(f"<{EX}B> {SUBCLASS} <{EX}Top> {graph} .\n")
    settings = Settings(store="remote", **remote_engine)
    with RemoteStore(settings) as reader, RemoteStore(settings) as writer:
        reader.replace_with(first)  # the remote server is shared by the session: replace all it holds
        assert classes.classes_below(reader, EX + "Top", proper=True) == [EX + "A"]
        writer.replace_with(second)
        deadline = time.monotonic() + GRAPHS_TTL_S + 10
        while classes.classes_below(reader, EX + "Top", proper=True) != [EX + "B"]:
            assert time.monotonic() < deadline, "the reader kept the hierarchy past its graph listing"
            time.sleep(0.2)
        reader.replace_with(first)
        assert classes.classes_below(reader, EX + "Top", proper=True) == [EX + "A"]


def test_the_remote_data_version_asks_the_store_nothing(remote_engine):
    """Listing the graphs took Virtuoso 10 s at 100k documents: the token is local (time, writes)."""
    asked: list[str] = []
    with RemoteStore(Settings(store="remote", **remote_engine)) as store:
        store._client.event_hooks = {"request": [lambda request: asked.append(str(request.url))]}
        writes, _ = store.data_version()
        store.data_version()
        assert asked == []
        store.update("DROP SILENT GRAPH <http://example.org/synthetic/graph/none>")
        assert store.data_version()[0] == writes + 1     # this process's write: dropped at once
