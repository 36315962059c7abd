"""The pure build and the build pipeline: expected triples, evidence on every edge, atomic replace."""

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from vankien.graph.build import BuildError, build_dataset
from vankien.graph.claims import load_seed_file
from vankien.graph.namespaces import CLAIMED_RELATIONS, ELI, OA, VK
from vankien.graph.pipeline import artifact_path, build
from vankien.graph.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "seeds"
ID = "https://w3id.org/vankien/id/"
PLAN, DIRECTIVE = URIRef(ID + "doc/tu-testprov/kh/07/k3"), URIRef(ID + "doc/tw/ct/05/k12")


@pytest.fixture(scope="module")
def tiny():
    return build_dataset([load_seed_file(FIXTURES / "tiny.yaml")], ID)


def test_identity_uris_do_not_depend_on_spelling(tiny):
    graph = tiny.graph(URIRef(ID + "graph/tiny-synthetic"))
    assert (PLAN, VK.implements, DIRECTIVE) in graph
    # "Nr. 5-CT/TW" and "5-CT/TW" are one document: identity is issuer + type + number + term
    assert set(graph.subjects(VK.typeCode, Literal("CT"))) == {DIRECTIVE}


def test_every_asserted_relation_has_a_claim_with_quote_and_offsets(tiny):
    tiny = tiny.graph(URIRef(ID + "graph/tiny-synthetic"))
    relations = [(s, p, o) for s, p, o in tiny if p in CLAIMED_RELATIONS]
    assert {(PLAN, VK.implements, DIRECTIVE), (PLAN, VK.advisedBy, URIRef(ID + "body/testprov/ban-to-chuc"))} \
        <= set(relations)
    for s, p, o in relations:
        claims = [c for c in tiny.subjects(RDF.subject, s) if (c, RDF.predicate, p) in tiny
                  and (c, RDF.object, o) in tiny]
        assert len(claims) == 1, (s, p, o)
        quote = tiny.value(claims[0], VK.quotation)
        exact = {tiny.value(sel, OA.exact) for sel in tiny.objects(quote, OA.hasSelector)} - {None}
        assert exact and all(str(e) for e in exact)


def test_derived_identity_and_status(tiny):
    tiny = tiny.graph(URIRef(ID + "graph/tiny-synthetic"))
    assert tiny.value(PLAN, VK.documentNumber) == Literal("7")
    assert tiny.value(PLAN, VK.termStatus) == VK.TermInferred     # the issuedInTerm claim is inferred
    assert tiny.value(PLAN, VK.issuerStatus) == VK.IssuerUnknown  # no claim says who issued it
    assert tiny.value(DIRECTIVE, RDF.type) == VK.Directive
    # ELI reads the type from a concept scheme: the class IRI, punned as a skos:Concept
    assert {(s, o) for s, o in tiny.subject_objects(ELI.type_document)} == {
        (PLAN, VK.Plan), (DIRECTIVE, VK.Directive)}


def test_type_contradicting_the_number_is_an_error(tmp_path):
    text = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8").replace("plan a vk:Plan", "plan a vk:Directive")
    path = tmp_path / "contradiction.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BuildError, match=r"contradiction\.yaml:\d+: entity 'plan' is a KH"):
        build_dataset([load_seed_file(path)], ID)


def test_term_without_evidence_is_an_error(tmp_path):
    text = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8").replace("      - plan vk:issuedInTerm term-3\n", "")
    path = tmp_path / "noterm.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BuildError, match="no claim states vk:issuedInTerm"):
        build_dataset([load_seed_file(path)], ID)


def _settings(tmp_path, seeds_dir):
    return Settings.from_env(data_dir=tmp_path / "var", seeds_dir=seeds_dir, sources_dir=FIXTURES)


def test_failed_build_keeps_the_last_good_graph(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "tiny.yaml").write_text((FIXTURES / "tiny.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    settings = _settings(tmp_path, seeds)
    first = build(settings)
    good = artifact_path(settings).read_bytes()
    assert first.quads > 50 and first.unverified_sources == []
    # a quote that no longer matches its source: the build fails and the artifact stays as it was
    broken = (seeds / "tiny.yaml").read_text(encoding="utf-8").replace("start: 43", "start: 44")
    (seeds / "tiny.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(BuildError, match="quotes do not match their sources"):
        build(settings)
    assert artifact_path(settings).read_bytes() == good
    # a shape violation (an inferred claim loses its 'how' is caught earlier; here: a bad notation)
    bad_notation = broken.replace("start: 44", "start: 43").replace('plan skos:notation "7-KH/TU"',
                                                                      'plan skos:notation "seven"')
    (seeds / "tiny.yaml").write_text(bad_notation, encoding="utf-8")
    with pytest.raises(BuildError, match="violates the shapes"):
        build(settings)
    assert artifact_path(settings).read_bytes() == good


def test_real_seeds_build_and_conform(built):
    settings, result = built
    assert result.claims > 300 and result.sources == ["bdbp-218887-de"]
    assert artifact_path(settings).stat().st_size > 100_000


def test_fast_validator_reports_what_pyshacl_reports_on_the_seed_graph(built):
    """The build validates with the shapes compiled to SPARQL; pySHACL is the reference."""
    from rdflib import Dataset
    from vankien.graph.validate import validate_dataset
    settings, _ = built
    dataset = Dataset()
    dataset.parse(artifact_path(settings), format="nquads")
    assert validate_dataset(dataset, "sparql").conforms and validate_dataset(dataset, "pyshacl").conforms
    # Break it in three ways: a relation loses its claim, a quote its text, an observation its unit.
    graph = dataset.graph(URIRef(ID + "graph/bdbp-218887-de"))
    claim = next(c for c in graph.subjects(RDF.predicate, VK.implements))
    graph.remove((claim, RDF.type, None))
    selector = next(graph.subjects(RDF.type, OA.TextQuoteSelector))
    graph.remove((selector, OA.exact, None))
    observation = next(graph.subjects(RDF.type, VK.Observation))
    graph.remove((observation, VK.unit, None))
    fast, reference = validate_dataset(dataset, "sparql"), validate_dataset(dataset, "pyshacl")
    assert not fast.conforms and fast.keys() == reference.keys()
    assert {shape.split("#")[-1] for _, shape, _ in fast.keys()} >= {
        "RelationEvidenceShape", "ObservationShape"}
