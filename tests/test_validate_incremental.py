"""Incremental validation of one source gives the same violations as validating the whole store
restricted to that source's nodes — on the seed graph and on a synthetic corpus, intact and broken."""

import io

import pyoxigraph as ox
import pytest

from vankien.graph.pipeline import artifact_path
from vankien.graph.shacl_sparql import validate_source, validate_store
from vankien.graph.synth import generate

VK = "https://w3id.org/vankien/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def subjects_of(store, graph):
    return {q.subject.value for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            if isinstance(q.subject, ox.NamedNode)}


def break_graph(store, graph):
    """Drop one claim's type, one observation's unit and one quote's exact text in ``graph``."""
    name = ox.NamedNode(graph)
    claim = next(store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(VK + "Claim"), name)).subject
    store.remove(ox.Quad(claim, RDF_TYPE, ox.NamedNode(VK + "Claim"), name))
    unit = next(store.quads_for_pattern(None, ox.NamedNode(VK + "unit"), None, name))
    store.remove(unit)
    exact = next(store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/ns/oa#exact"), None, name))
    store.remove(exact)


def assert_same_as_restricted_full_validation(store, graph, expect_conforms):
    incremental = validate_source(store, graph)
    full = validate_store(store, focus_nodes=subjects_of(store, graph))
    assert incremental.keys() == full.keys()
    assert incremental.conforms is expect_conforms


@pytest.fixture
def seed_store(built):
    store = ox.Store()
    store.bulk_load(path=str(artifact_path(built[0])), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture
def synthetic_store():
    buffer = io.BytesIO()
    generate(300, seed=5, out=buffer, ontology=True)
    store = ox.Store()
    store.load(buffer.getvalue(), format=ox.RdfFormat.N_QUADS)
    return store


def test_seed_source_intact_and_broken(seed_store):
    graph = "https://w3id.org/vankien/id/graph/bdbp-218887-de"
    assert_same_as_restricted_full_validation(seed_store, graph, True)
    break_graph(seed_store, graph)
    assert_same_as_restricted_full_validation(seed_store, graph, False)


def test_synthetic_source_intact_and_broken(synthetic_store):
    graphs = sorted(g.value for g in synthetic_store.named_graphs() if "/synthetic/" in g.value)
    graph = graphs[len(graphs) // 2]
    assert_same_as_restricted_full_validation(synthetic_store, graph, True)
    break_graph(synthetic_store, graph)
    assert_same_as_restricted_full_validation(synthetic_store, graph, False)
    assert len(validate_source(synthetic_store, graph).violations) >= 3
