"""The lexicon (``ontology/lexicon.ttl``): names of party bodies and document types in vi, en, de.

It is reference VOCABULARY, not evidence. Ingest reads it to recognise bodies and types in a text;
the build loads it into its own named graph (:data:`LEXICON_GRAPH`, beside the ontology graph and
apart from every source's graph) and there gives each body of the graph the lexicon's names for it
(``skos:altLabel`` / ``skos:hiddenLabel``, ``rdfs:seeAlso`` the lexicon entry), so a search for
"Bộ Chính trị", "Bo Chinh tri" or "Politburo" finds the same body. No claim rests on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from vankien.graph.namespaces import VK

LEXICON_GRAPH = "https://w3id.org/vankien/lexicon"
VKLEX = rdflib.Namespace(LEXICON_GRAPH + "#")
LEXICON_PATH = resources.files("vankien.ontology") / "lexicon.ttl"     # shipped beside the ontology
BODY_CLASSES = ("PartyBody", "PartyCommittee", "CentralCommittee", "StandingCommittee", "Politburo",
                "Secretariat", "AdvisoryBoard", "PartyCongress")


@dataclass(frozen=True)
class LexiconEntry:
    """A body or a document type of the lexicon."""
    iri: str
    slug: str
    scope: str                      # "central" | "local" (bodies); "" for document types
    vk_class: str                   # local name of the vk: class: "Politburo", "Directive" …
    level: str | None               # local name of the vk: level concept, when the entry fixes it
    notation: str | None            # issuer code (bodies) or type code (document types)
    pref_labels: dict[str, str]     # language → preferred name
    labels: tuple[str, ...]         # every name (pref, alt, hidden), any language

    def label(self, lang: str) -> str:
        return self.pref_labels.get(lang) or self.pref_labels.get("en") or self.slug

    @property
    def kind(self) -> str:
        """The seed entity's ``body:`` value: the class name in kebab case (``standing-committee``)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "-", self.vk_class).lower()


@dataclass(frozen=True)
class Lexicon:
    bodies: tuple[LexiconEntry, ...]
    types: tuple[LexiconEntry, ...]

    def body_for_slug(self, slug: str) -> LexiconEntry | None:
        """The entry a body URI's slug names: ``bo-chinh-tri``, or ``dai-hoi-dang-toan-quoc-14`` (a
        congress with its ordinal)."""
        for entry in self.bodies:
            if slug == entry.slug or re.fullmatch(re.escape(entry.slug) + r"-\d+", slug):
                return entry
        return None


@lru_cache(maxsize=1)
def load_lexicon_graph() -> rdflib.Graph:
    graph = rdflib.Graph(identifier=URIRef(LEXICON_GRAPH))
    graph.parse(data=LEXICON_PATH.read_bytes(), format="turtle")
    return graph


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    graph = load_lexicon_graph()

    def entries(scheme: URIRef, class_property: URIRef) -> tuple[LexiconEntry, ...]:
        found = []
        for concept in sorted((c for c in graph.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)), key=str):
            level, notation = graph.value(concept, VK.level), graph.value(concept, SKOS.notation)
            found.append(LexiconEntry(
                iri=str(concept), slug=str(graph.value(concept, VKLEX.slug) or concept.split("#")[-1]),
                scope=str(graph.value(concept, VKLEX.scope) or ""),
                vk_class=str(graph.value(concept, class_property)).split("#")[-1],
                level=str(level).split("#")[-1] if level else None,
                notation=str(notation) if notation else None,
                pref_labels={lit.language: str(lit) for lit in graph.objects(concept, SKOS.prefLabel)
                             if isinstance(lit, Literal) and lit.language is not None},
                labels=tuple(str(lit) for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
                             for lit in graph.objects(concept, prop))))
        return tuple(found)

    return Lexicon(bodies=entries(VKLEX.Bodies, VKLEX.bodyClass),
                   types=entries(VKLEX.DocumentTypes, VKLEX.documentClass))


def lexicon_graph_for(data: rdflib.Graph | rdflib.Dataset, base_iri: str) -> rdflib.Graph:
    """The lexicon plus, for every body of ``data`` that a lexicon entry names, that entry's names
    on the body (labels it already has as skos:prefLabel are left out, as SKOS asks)."""
    source = load_lexicon_graph()
    graph = rdflib.Graph(identifier=URIRef(LEXICON_GRAPH))
    for triple in source:
        graph.add(triple)
    body_prefix = base_iri + "body/"
    triples = (lambda pattern: (q[:3] for q in data.quads((*pattern, None)))) \
        if isinstance(data, rdflib.Dataset) else data.triples        # every named graph of a dataset
    bodies = {s for cls in BODY_CLASSES for s, _, _ in triples((None, RDF.type, VK[cls]))
              if isinstance(s, URIRef) and s.startswith(body_prefix)}
    for body in sorted(bodies):
        entry = lexicon().body_for_slug(body.rsplit("/", 1)[-1])
        if entry is None:
            continue
        concept = URIRef(entry.iri)
        taken = {o for _, _, o in triples((body, SKOS.prefLabel, None))}
        graph.add((body, RDFS.seeAlso, concept))
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in source.objects(concept, prop):
                if isinstance(label, Literal) and label not in taken:
                    graph.add((body, SKOS.hiddenLabel if prop == SKOS.hiddenLabel else SKOS.altLabel, label))
    return graph


def add_lexicon(dataset: rdflib.Dataset, base_iri: str) -> None:
    """Put the lexicon, with the names it gives the dataset's bodies, into its own named graph."""
    target = dataset.graph(URIRef(LEXICON_GRAPH))
    for triple in lexicon_graph_for(dataset, base_iri):
        target.add(triple)
