"""The ontology parses, is documented in vi/en/de, covers the data model and aligns to standards."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from vankien.ontology import ONTOLOGY_IRI, ONTOLOGY_PATH, VK, load_ontology

DATA_MODEL_DOC = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"

ELI = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
TIME = rdflib.Namespace("http://www.w3.org/2006/time#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
vk = rdflib.Namespace(VK)

# Types that make a vk: IRI a declared term of the ontology.
DECLARATION_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    SKOS.Concept,
    SKOS.ConceptScheme,
}
LANGUAGES = ("vi", "en", "de")

DOCUMENT_TYPES = {  # type code -> (class, Vietnamese name)
    "CT": (vk.Directive, "Chỉ thị"),
    "NQ": (vk.Resolution, "Nghị quyết"),
    "ĐA": (vk.Project, "Đề án"),
    "KH": (vk.Plan, "Kế hoạch"),
    "HD": (vk.Guidance, "Hướng dẫn"),
    "QĐi": (vk.Regulation, "Quy định"),
    "QĐ": (vk.Decision, "Quyết định"),
    "KL": (vk.Conclusion, "Kết luận"),
    "CV": (vk.OfficialLetter, "Công văn"),
    "TB": (vk.Notice, "Thông báo"),
    "BC": (vk.Report, "Báo cáo"),
    "CTr": (vk.Programme, "Chương trình"),
}


def declared_terms(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    return {
        s
        for s, o in graph.subject_objects(RDF.type)
        if isinstance(s, rdflib.URIRef) and s.startswith(VK) and o in DECLARATION_TYPES
    }


def local(term: rdflib.URIRef) -> str:
    return "vk:" + term[len(VK):]


def languages_of(graph: rdflib.Graph, term: rdflib.URIRef, predicate: rdflib.URIRef) -> set[str]:
    return {o.language for o in graph.objects(term, predicate) if isinstance(o, rdflib.Literal)}


def missing_documentation(graph: rdflib.Graph) -> list[str]:
    """One line per declared vk: term that lacks a label language, a definition or a comment."""
    problems = []
    for term in sorted(declared_terms(graph)):
        label_predicates = [RDFS.label]
        if (term, RDF.type, SKOS.Concept) in graph or (term, RDF.type, SKOS.ConceptScheme) in graph:
            label_predicates.append(SKOS.prefLabel)
        for predicate in label_predicates:
            missing = set(LANGUAGES) - languages_of(graph, term, predicate)
            if missing:
                problems.append(f"{local(term)}: no {graph.qname(predicate)} in {sorted(missing)}")
        if "en" not in languages_of(graph, term, SKOS.definition):
            problems.append(f"{local(term)}: no skos:definition@en")
        if graph.value(term, RDFS.comment) is None:
            problems.append(f"{local(term)}: no rdfs:comment")
    return problems


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return load_ontology()


def test_parses_with_rdflib_and_pyoxigraph_to_the_same_triples(graph):
    quads = list(pyoxigraph.parse(path=str(ONTOLOGY_PATH), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(graph) > 500
    assert len(quads) == len(graph)


def test_pyoxigraph_answers_a_property_path_over_the_ontology():
    store = pyoxigraph.Store()
    store.load(path=str(ONTOLOGY_PATH), format=pyoxigraph.RdfFormat.TURTLE)
    rows = store.query(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX eli: <http://data.europa.eu/eli/ontology#> "
        "SELECT ?c WHERE { ?c rdfs:subClassOf+ eli:LegalResource }"
    )
    found = {row["c"].value for row in rows}
    expected = {str(cls) for cls, _ in DOCUMENT_TYPES.values()} | {str(vk.PartyDocument)}
    assert found == expected


def test_load_ontology_is_cached(graph):
    assert load_ontology() is graph


def test_header(graph):
    ontology = rdflib.URIRef(ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in graph
    assert languages_of(graph, ontology, DCTERMS.title) >= set(LANGUAGES)
    assert graph.value(ontology, DCTERMS.description) is not None
    assert graph.value(ontology, OWL.versionInfo) == rdflib.Literal("0.1.0")
    assert graph.value(ontology, OWL.versionIRI) == rdflib.URIRef(ONTOLOGY_IRI + "/0.1.0")
    assert graph.value(ontology, DCTERMS.license) == rdflib.URIRef(
        "https://www.apache.org/licenses/LICENSE-2.0"
    )
    assert graph.value(ontology, VANN.preferredNamespacePrefix) == rdflib.Literal("vk")
    assert graph.value(ontology, VANN.preferredNamespaceUri) == rdflib.Literal(VK)
    assert graph.value(ontology, DCTERMS.created).datatype == rdflib.XSD.date
    assert graph.value(ontology, DCTERMS.creator) == rdflib.Literal("vankien contributors")


def test_every_term_has_labels_in_vi_en_de_and_a_definition(graph):
    assert missing_documentation(graph) == []


def test_label_check_catches_a_missing_german_label():
    bad = rdflib.Graph().parse(
        data=f"""
        @prefix vk: <{VK}> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        vk:Complete a owl:Class ;
            rdfs:label "Đầy đủ"@vi , "Complete"@en , "Vollständig"@de ;
            skos:definition "Fully documented."@en ; rdfs:comment "ok" .
        vk:NoGerman a owl:Class ;
            rdfs:label "Thiếu"@vi , "No German"@en ;
            skos:definition "Lacks a German label."@en ; rdfs:comment "bad" .
        """,
        format="turtle",
    )
    assert missing_documentation(bad) == ["vk:NoGerman: no rdfs:label in ['de']"]


def test_every_vk_subject_is_declared(graph):
    subjects = {s for s in graph.subjects() if isinstance(s, rdflib.URIRef) and s.startswith(VK)}
    assert sorted(map(local, subjects - declared_terms(graph))) == []


def test_no_dangling_vk_references(graph):
    # Catches typos such as `rdfs:subClassOf vk:PartyDocumnet` in any object position.
    referenced = {o for o in graph.objects() if isinstance(o, rdflib.URIRef) and o.startswith(VK)}
    assert sorted(map(local, referenced - declared_terms(graph))) == []


def test_every_vk_term_named_in_the_data_model_is_declared(graph):
    named = set(re.findall(r"\bvk:([A-Za-z][A-Za-z0-9_]*)", DATA_MODEL_DOC.read_text(encoding="utf-8")))
    # SHACL shapes (vk:…Shape) are defined in shapes/, not in the ontology.
    named = {name for name in named if not name.endswith("Shape")}
    assert len(named) > 80
    declared = {local(term)[3:] for term in declared_terms(graph)}
    assert sorted(named - declared) == []


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        (vk.PartyDocument, RDFS.subClassOf, ELI.LegalResource),
        (vk.PartyDocument, RDFS.subClassOf, PROV.Entity),
        (vk.PartyBody, RDFS.subClassOf, ORG.FormalOrganization),
        (vk.PartyCongress, RDFS.subClassOf, PROV.Activity),
        (vk.Observation, RDFS.subClassOf, QB.Observation),
        (vk.Source, RDFS.subClassOf, PROV.Entity),
        (vk.Source, RDFS.subClassOf, DCTERMS.BibliographicResource),
        (vk.Claim, RDFS.subClassOf, RDF.Statement),
        (vk.Claim, RDFS.subClassOf, PROV.Entity),
        (vk.Term, RDFS.subClassOf, TIME.ProperInterval),
        (vk.Period, RDFS.subClassOf, TIME.ProperInterval),
        (vk.Place, RDFS.subClassOf, DCTERMS.Location),
        (vk.Measure, RDFS.subClassOf, SKOS.Concept),
        (vk.issuedBy, RDFS.subPropertyOf, ELI.passed_by),
        (vk.implements, RDFS.subPropertyOf, ELI.ensures_implementation_of),
        (vk.basedOn, RDFS.subPropertyOf, ELI.based_on),
        (vk.amends, RDFS.subPropertyOf, ELI.amends),
        (vk.replaces, RDFS.subPropertyOf, DCTERMS.replaces),
        (vk.title, RDFS.subPropertyOf, ELI.title),
        (vk.jurisdiction, RDFS.subPropertyOf, ELI.jurisdiction),
        (vk.dateIssued, RDFS.subPropertyOf, ELI.date_document),
        (vk.subjectMatter, RDFS.subPropertyOf, DCTERMS.subject),
        (vk.partOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
        (vk.translationOf, RDFS.subPropertyOf, PROV.wasDerivedFrom),
        (vk.quotation, RDFS.range, OA.SpecificResource),
        (vk.value, RDF.type, QB.MeasureProperty),
        (vk.refArea, RDF.type, QB.DimensionProperty),
        (vk.refPeriod, RDF.type, QB.DimensionProperty),
        (vk.unit, RDF.type, QB.AttributeProperty),
    ],
    ids=lambda term: term.n3() if isinstance(term, rdflib.URIRef) else str(term),
)
def test_alignment_to_standard_vocabularies(graph, subject, predicate, obj):
    assert (subject, predicate, obj) in graph


def test_document_types_are_classes_and_concepts_with_their_codes(graph):
    in_scheme = set(graph.subjects(SKOS.inScheme, vk.DocumentTypeScheme))
    assert in_scheme == {cls for cls, _ in DOCUMENT_TYPES.values()}
    for code, (cls, vietnamese) in DOCUMENT_TYPES.items():
        assert (cls, RDF.type, OWL.Class) in graph
        assert (cls, RDF.type, SKOS.Concept) in graph
        assert (cls, RDFS.subClassOf, vk.PartyDocument) in graph
        assert graph.value(cls, SKOS.notation) == rdflib.Literal(code)
        assert rdflib.Literal(vietnamese, lang="vi") in set(graph.objects(cls, SKOS.prefLabel))


def test_every_property_has_domain_and_range(graph):
    properties = set(graph.subjects(RDF.type, OWL.ObjectProperty)) | set(
        graph.subjects(RDF.type, OWL.DatatypeProperty)
    )
    lacking = [
        local(p)
        for p in properties
        if p.startswith(VK) and (graph.value(p, RDFS.domain) is None or graph.value(p, RDFS.range) is None)
    ]
    assert sorted(lacking) == []


def test_relations_are_not_declared_transitive(graph):
    # Chains are followed with property paths (vk:implements+), not by OWL reasoning.
    transitive = set(graph.subjects(RDF.type, OWL.TransitiveProperty))
    assert {vk.implements, vk.partOf} & transitive == set()


def test_literals_are_unicode_nfc(graph):
    # Vietnamese diacritics must be precomposed so string matches and URI folding are stable.
    not_nfc = [
        str(o) for o in graph.objects() if isinstance(o, rdflib.Literal)
        and unicodedata.normalize("NFC", str(o)) != str(o)
    ]
    assert not_nfc == []


# --- the lexicon (ontology/lexicon.ttl): vocabulary beside the ontology --------------------------

def test_every_lexicon_term_is_labelled_in_vi_en_de():
    from vankien.graph.lexicon import VKLEX, load_lexicon_graph
    lexicon = load_lexicon_graph()
    concepts = set(lexicon.subjects(RDF.type, SKOS.Concept)) | set(lexicon.subjects(RDF.type, SKOS.ConceptScheme))
    properties = {s for s in lexicon.subjects(RDF.type, None) if str(s).startswith(str(VKLEX))} - concepts
    assert len(concepts) > 35 and properties
    missing = [f"{term}: {sorted(set(LANGUAGES) - languages_of(lexicon, term, SKOS.prefLabel))}"
               for term in sorted(concepts) if set(LANGUAGES) - languages_of(lexicon, term, SKOS.prefLabel)]
    missing += [f"{term}: {sorted(set(LANGUAGES) - languages_of(lexicon, term, RDFS.label))}"
                for term in sorted(properties) if set(LANGUAGES) - languages_of(lexicon, term, RDFS.label)]
    assert missing == []
    # every vk: class or level the lexicon points to is declared in the ontology
    ontology = load_ontology()
    pointed = {o for o in lexicon.objects() if isinstance(o, rdflib.URIRef) and o.startswith(VK)}
    assert sorted(map(local, pointed - declared_terms(ontology))) == []
