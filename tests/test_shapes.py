"""The SHACL shapes, the pySHACL core (validate) and the SPARQL-compiled validator (validate_store).

Fixtures (tests/fixtures/shapes/*.ttl, TriG content, synthetic data) come in pairs per shape: the valid
one conforms; the invalid one yields exactly the (focus, shape, path) triples listed below, and both
validators agree on every fixture.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from vankien.graph.namespaces import OA, PROV, VK
from vankien.graph.shacl_sparql import (ShapeCompileError, compile_shapes, focus_nodes_of_graph,
                                        validate_store)
from vankien.graph.validate import ValidationReport, format_report, validate
from vankien.shapes import VKSH, load_shapes, shape_files

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SYN = "https://w3id.org/vankien/synthetic/id/"


def syn(path: str) -> URIRef:
    return URIRef(SYN + path)


EXPECTED: dict[str, set[tuple]] = {
    "document-invalid.ttl": {
        (syn("doc/bad/d1"), VKSH.DocumentShape, SKOS.notation),
        (syn("doc/bad/d2"), VKSH.DocumentShape, RDF.type),
        (syn("doc/bad/d3"), VKSH.DocumentShape, SKOS.notation),
        (syn("doc/bad/d4"), VKSH.DocumentShape, None),
        (syn("doc/bad/d5"), VKSH.DocumentShape, VK.termStatus),
        (syn("doc/bad/d6"), VKSH.DocumentShape, VK.termStatus),
        (syn("doc/bad/d7"), VKSH.DocumentShape, RDF.type),
        (syn("doc/bad/d8"), VKSH.DocumentShape, SKOS.notation),
    },
    "relation-evidence-invalid.ttl": {
        (syn("doc/tu-syn/kh/02/k14"), VKSH.RelationEvidenceShape, VK.basedOn),
        (syn("doc/tu-syn/kh/02/k14"), VKSH.RelationEvidenceShape, VK.implements),
        (syn("obs/syn-rel-bad/members-admitted"), VKSH.RelationEvidenceShape, VK.value),
        (syn("body/syn/ban-thuong-vu-tinh-uy"), VKSH.RelationEvidenceShape, VK.partOf),
    },
    "claim-invalid.ttl": {
        (syn("claim/bad/c1"), VKSH.ClaimShape, PROV.wasDerivedFrom),
        (syn("claim/bad/c2"), VKSH.ClaimShape, VK.inference),
        (syn("claim/bad/c3"), VKSH.ClaimShape, VK.evidenceKind),
        (syn("claim/bad/c4"), VKSH.ClaimShape, RDF.object),
        (syn("claim/bad/c5"), VKSH.ClaimShape, PROV.wasDerivedFrom),
        (syn("claim/bad/c5"), VKSH.ClaimShape, VK.quotation),
        (syn("claim/bad/q-len"), VKSH.QuotationShape, OA.hasSelector),
        (syn("claim/bad/q-nopos"), VKSH.QuotationShape, OA.hasSelector),
        (syn("claim/bad/q-empty#text"), VKSH.TextQuoteSelectorShape, OA.exact),
        (syn("claim/bad/q-empty#pos"), VKSH.TextPositionSelectorShape, OA.start),
        (syn("claim/bad/q-neg#pos"), VKSH.TextPositionSelectorShape, OA.start),
        (syn("claim/bad/q-neg#pos"), VKSH.TextPositionSelectorShape, OA.end),
        (syn("claim/bad/q-second"), VKSH.QuotationShape, OA.hasSelector),
    },
    "observation-invalid.ttl": {
        (syn("obs/bad/o1"), VKSH.ObservationShape, VK.value),
        (syn("obs/bad/o2"), VKSH.ObservationShape, VK.value),
        (syn("obs/bad/o3"), VKSH.ObservationShape, VK.unit),
        (syn("obs/bad/o3"), VKSH.ObservationShape, VK.measure),
        (syn("obs/bad/o3"), VKSH.ObservationShape, VK.value),
        (syn("obs/bad/o4"), VKSH.ObservationShape, VK.unit),
        (syn("obs/bad/o4"), VKSH.ObservationShape, VK.refArea),
        (syn("obs/bad/o4"), VKSH.ObservationShape, VK.refPeriod),
        (syn("obs/bad/o4"), VKSH.ObservationShape, VK.value),
        (syn("obs/bad/o5"), VKSH.ObservationShape, VK.measure),
        (syn("obs/bad/o5"), VKSH.ObservationShape, VK.refPeriod),
        (syn("obs/bad/o5"), VKSH.ObservationShape, VK.value),
    },
    "body-invalid.ttl": {
        (syn("body/bad/b1"), VKSH.BodyShape, None),
        (syn("body/bad/b2"), VKSH.BodyShape, VK.level),
        (syn("body/bad/b3"), VKSH.BodyShape, VK.level),
        (syn("body/bad/b4"), VKSH.BodyShape, VK.partOf),
    },
    "source-invalid.ttl": {
        (syn("source/bad/s1"), VKSH.SourceShape, DCTERMS.language),
        (syn("source/bad/s2"), VKSH.SourceShape, DCTERMS.language),
        (syn("source/bad/s3"), VKSH.SourceShape, None),
        (syn("source/bad/s4"), VKSH.SourceShape, None),
    },
}
VALID = sorted(name.replace("-invalid", "-valid") for name in EXPECTED)
ALL_FIXTURES = VALID + sorted(EXPECTED)


def load_dataset(*names: str) -> Dataset:
    dataset = Dataset()
    for name in names:
        dataset.parse(FIXTURES / name, format="trig")
    return dataset


def load_store(*names: str) -> ox.Store:
    store = ox.Store()
    for name in names:
        store.load(path=str(FIXTURES / name), format=ox.RdfFormat.TRIG)
    return store


def test_every_shape_file_parses_and_names_its_shapes():
    names = {path.name for path in shape_files()}
    assert {"documents.ttl", "evidence.ttl", "observations.ttl", "bodies.ttl", "sources.ttl"} <= names
    shapes = load_shapes()
    for shape in (VKSH.DocumentShape, VKSH.RelationEvidenceShape, VKSH.ClaimShape,
                  VKSH.ObservationShape, VKSH.BodyShape, VKSH.SourceShape):
        assert shapes.value(shape, URIRef("http://www.w3.org/ns/shacl#name")) is not None, shape


def test_every_fixture_pair_exists():
    assert all((FIXTURES / name).is_file() for name in ALL_FIXTURES)


@pytest.mark.parametrize("name", VALID)
def test_valid_fixture_conforms(name):
    report = validate(load_dataset(name))
    assert report.conforms, report.text()
    assert report.violations == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_yields_exactly_the_expected_violations(name):
    report = validate(load_dataset(name))
    assert not report.conforms
    assert report.keys() == EXPECTED[name]


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_sparql_compiled_validator_agrees_with_pyshacl(name):
    expected = validate(load_dataset(name))
    compiled = validate_store(load_store(name))
    assert compiled.keys() == expected.keys()
    assert compiled.conforms == expected.conforms


def test_both_validators_accept_all_valid_fixtures_together():
    # one small valid graph of several sources (named graphs); claims and bodies cross graphs
    assert validate(load_dataset(*VALID)).conforms
    assert validate_store(load_store(*VALID)).conforms


def test_dataset_is_validated_as_the_union_of_its_graphs():
    # vk:partOf in one graph points to a committee typed in another graph
    dataset = load_dataset("relation-evidence-valid.ttl")
    assert len(list(dataset.graphs())) > 2
    assert validate(dataset).conforms
    only_one_graph = Graph()
    for triple in dataset.graph(syn("graph/syn-rel-2")):
        only_one_graph.add(triple)
    keys = validate(only_one_graph).keys()
    assert (syn("body/syn/ban-thuong-vu-tinh-uy"), VKSH.BodyShape, VK.partOf) in keys


def test_focus_nodes_restrict_the_compiled_validation():
    store = load_store("document-invalid.ttl")
    report = validate_store(store, focus_nodes={syn("doc/bad/d1"), syn("doc/bad/d4")})
    assert report.keys() == {(syn("doc/bad/d1"), VKSH.DocumentShape, SKOS.notation),
                             (syn("doc/bad/d4"), VKSH.DocumentShape, None)}
    assert validate_store(store, focus_nodes=set()).conforms


def test_focus_nodes_of_graph_are_its_nodes_and_neighbours():
    store = load_store("relation-evidence-valid.ttl")
    nodes = focus_nodes_of_graph(store, SYN + "graph/syn-rel-2")
    assert syn("body/syn/ban-thuong-vu-tinh-uy") in nodes
    assert syn("body/syn/tinh-uy") in nodes          # a neighbour described in the other graph
    assert syn("doc/tu-syn/kh/02/k14") not in nodes


def test_violations_carry_value_message_and_severity():
    report = validate(load_dataset("document-invalid.ttl"))
    d1 = next(v for v in report.violations if v.focus == syn("doc/bad/d1"))
    assert str(d1.value) == "04-NQ/tu"
    assert "04-NQ/TU" in d1.message
    assert d1.severity == "Violation"
    compiled = validate_store(load_store("document-invalid.ttl"))
    d1_compiled = next(v for v in compiled.violations if v.focus == syn("doc/bad/d1"))
    assert (d1_compiled.value, d1_compiled.message) == (d1.value, d1.message)


def test_format_report_groups_by_shape():
    text = format_report(validate(load_dataset("body-invalid.ttl", "source-invalid.ttl")))
    assert text.startswith("The graph does not conform: 8 problem(s) in 2 shape(s).")
    assert "vksh:BodyShape (4)" in text and "vksh:SourceShape (4)" in text
    assert SYN + "body/bad/b1: A party body needs a name" in text
    assert format_report(ValidationReport(conforms=True)) == "The graph conforms to the vankien shapes."


def test_unsupported_shape_is_a_clear_error():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:uniqueLang true ] .
        """, format="turtle")
    with pytest.raises(ShapeCompileError, match="sh:uniqueLang"):
        compile_shapes(shapes)


def test_ontology_subclasses_count_for_class_checks():
    # a body class known only from the ontology: without it vk:partOf fails, with it the body conforms
    data = load_dataset("body-valid.ttl")
    committee = syn("body/syn/tinh-uy")
    data.graph(syn("graph/syn-body")).remove((committee, RDF.type, VK.PartyCommittee))
    data.graph(syn("graph/syn-body")).add((committee, RDF.type, syn("class/ProvincialCommittee")))
    ontology = Graph()
    ontology.add((syn("class/ProvincialCommittee"), URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                  VK.PartyCommittee))
    expected = {(syn("body/syn/ban-thuong-vu-tinh-uy"), VKSH.BodyShape, VK.partOf)}
    assert validate(data).keys() == expected
    assert validate(data, ontology_graph=ontology).conforms
    store = ox.Store()
    store.load(data.serialize(format="nquads").encode(), format=ox.RdfFormat.N_QUADS)
    assert validate_store(store).keys() == expected
    store.load(ontology.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode("https://w3id.org/vankien/ontology"))
    assert validate_store(store).conforms
