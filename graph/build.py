"""Claims in, RDF dataset out: the pure core of ``vankien build`` (no I/O, no global state).

Each seed file becomes one named graph holding the asserted triples, one ``vk:Claim`` per triple
(``rdf:Statement`` + ``prov:Entity``) with its Web Annotation quote, and the source description.
The evidence model is documented in docs/data-model.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, TIME, XSD

from vankien.graph.errors import BadInput
from vankien.graph.claims import Claim, Entity, EntityRef, Quote, SeedFile, graph_view
from vankien.graph.identifiers import TYPES, fold
from vankien.graph.namespaces import ELI, OA, ONTOLOGY_GRAPH, QB, VK, prefixes_with_ids
from vankien.graph.uris import Minter

# The members of vk:DocumentTypeScheme: one per type code (see identifiers.TYPES).
DOCUMENT_TYPE_CONCEPTS = frozenset(VK[t.document_class] for t in TYPES.values())

IN_SOURCE_KINDS = {"goal": "goal", "observation": "obs", "period": "period"}


class BuildError(BadInput):
    """The claims are readable but inconsistent; the message names the seed file and line."""


class ShapesViolated(BuildError):
    """The built graph violates the SHACL shapes (the message carries the readable report)."""


def build_dataset(seeds: Iterable[SeedFile], base_iri: str, ontology: Graph | None = None) -> Dataset:
    """Build the dataset of all seed files (plus the ontology in its own named graph, when given)."""
    dataset = Dataset()
    for prefix, namespace in prefixes_with_ids(base_iri).items():
        dataset.bind(prefix, namespace)
    minter = Minter(base_iri)
    if ontology is not None:
        target = dataset.graph(URIRef(ONTOLOGY_GRAPH))
        for triple in ontology:
            target.add(triple)
    # only curated and accepted claims reach the graph; pending and rejected candidates never do
    seeds = [graph_view(seed) for seed in seeds]
    _check_unique_sources(seeds)
    term_claims = _term_claims(seeds, minter)
    for seed in seeds:
        _SourceBuilder(seed, minter, dataset.graph(minter.graph(seed.source.id)), ontology,
                       term_claims).build()
    return dataset


def _check_unique_sources(seeds: list[SeedFile]) -> None:
    first: dict[str, SeedFile] = {}
    for seed in seeds:
        if seed.source.id in first:
            raise BuildError(f"{seed.path}:1: source id '{seed.source.id}' is already used by "
                             f"{first[seed.source.id].path}; every claims file built together needs "
                             "its own source id")
        first[seed.source.id] = seed


def _term_claims(seeds: list[SeedFile], minter: Minter) -> dict[URIRef, list[Claim]]:
    """The vk:issuedInTerm claims of every file, by document IRI: a document resolved in a candidate
    file to one a seed places in a term shares that seed's evidence for the term."""
    found: dict[URIRef, list[Claim]] = {}
    for seed in seeds:
        builder = _SourceBuilder(seed, minter, Graph(), None, {})
        for claim in seed.claims:
            for fact in claim.facts:
                if fact.predicate == VK.issuedInTerm:
                    found.setdefault(builder.uris[fact.subject], []).append(claim)
    return found


class _SourceBuilder:
    def __init__(self, seed: SeedFile, minter: Minter, graph: Graph, ontology: Graph | None,
                 term_claims: dict[URIRef, list[Claim]]):
        self.seed, self.minter, self.graph = seed, minter, graph
        self.term_claims = term_claims
        self.ontology = ontology if ontology is not None else Graph()
        self.source_id = seed.source.id
        self.source_iri = minter.source(self.source_id)
        self.uris = {key: self._entity_iri(entity) for key, entity in seed.entities.items()}

    def fail(self, line: int, message: str) -> BuildError:
        return BuildError(f"{self.seed.path}:{line}: {message}")

    # --- identity --------------------------------------------------------------------------------

    def _entity_iri(self, entity: Entity) -> URIRef:
        spec, minter = entity.spec, self.minter
        try:
            if entity.kind == "document":
                return minter.document(entity.reference, spec.get("jurisdiction"), spec["term"],
                                       self.source_id)
            if entity.kind == "unnumbered":
                issuer = "-".join(str(part) for part in (spec["issuer"], spec.get("jurisdiction")) if part)
                return minter.unnumbered(fold(str(spec["unnumbered"])), issuer, spec["slug"])
            if entity.kind == "body":
                return minter.body(spec["jurisdiction"], spec["slug"])
            if entity.kind == "term":
                return minter.term(spec["jurisdiction"], int(spec["term"]))
            if entity.kind == "place":
                return minter.place(spec["place"])
            if entity.kind == "measure":
                return minter.measure(spec["measure"])
            if entity.kind == "source":
                return self._source_entity_iri(spec["source"], entity.line)
            return minter.in_source(IN_SOURCE_KINDS[entity.kind], self.source_id, spec[entity.kind])
        except KeyError as exc:
            raise self.fail(entity.line, f"entity '{entity.key}' ({entity.kind}) needs '{exc.args[0]}'") from None
        except ValueError as exc:
            raise self.fail(entity.line, f"entity '{entity.key}': {exc}") from None

    def _source_entity_iri(self, which: str, line: int) -> URIRef:
        if which in ("self", self.source_id):
            return self.source_iri
        original = self.seed.source.translation_of
        if original and which in ("original", original.id):
            return self.minter.source(original.id)
        raise ValueError("a source entity names this seed's source (self or its id) or the original "
                         "it translates (original or source.translation_of.id)")

    def _object(self, value):
        return self.uris[value.key] if isinstance(value, EntityRef) else value

    # --- triples ---------------------------------------------------------------------------------

    def build(self) -> None:
        self._describe_source()
        # what each claim asserts, and its quotes: derived triples rest on the claims they come from
        self.asserted: dict[tuple, list[Claim]] = {}
        self.quotations: dict[str, list[URIRef]] = {}
        self.derived_count: dict[str, int] = {}
        for claim in self.seed.claims:
            quotes = [self._add_quote(claim, number, quote) for number, quote in enumerate(claim.quotes, 1)]
            self.quotations[claim.id] = quotes
            for index, fact in enumerate(claim.facts, start=1):
                triple = (self.uris[fact.subject], fact.predicate, self._object(fact.object))
                self.graph.add(triple)
                self._add_claim(claim, index, triple, quotes)
                self.asserted.setdefault(triple, []).append(claim)
        self._derive()

    def _describe_source(self) -> None:
        g, src, meta = self.graph, self.source_iri, self.seed.source
        g.add((src, RDF.type, VK.Source))
        g.add((src, DCTERMS.language, Literal(meta.language)))
        g.add((src, VK.textFile, Literal(meta.file)))
        if meta.sha256:
            g.add((src, VK.sha256, Literal(meta.sha256)))
        if meta.url:
            g.add((src, VK.sourceUrl, Literal(meta.url, datatype=XSD.anyURI)))
        for lang, title in meta.title.items():
            g.add((src, DCTERMS.title, Literal(title, lang=lang)))
        original = meta.translation_of
        if original:
            orig = self.minter.source(original.id)
            g.add((orig, RDF.type, VK.Source))
            g.add((src, VK.translationOf, orig))
            if original.url:
                g.add((orig, VK.sourceUrl, Literal(original.url, datatype=XSD.anyURI)))
            if original.language:
                g.add((orig, DCTERMS.language, Literal(original.language)))
            if original.language_how:
                g.add((orig, RDFS.comment, Literal(f"language: {original.language_how}", lang="en")))
        g.add((self.minter.dataset(self.source_id), RDF.type, QB.DataSet))

    def _add_quote(self, claim: Claim, number: int, passage: Quote) -> URIRef:
        """One oa:SpecificResource per passage (a claim resting on several passages has several)."""
        g = self.graph
        quote = self.minter.quote(self.source_id, claim.id, number)
        text_selector, position_selector = URIRef(quote + "#text"), URIRef(quote + "#pos")
        g.add((quote, RDF.type, OA.SpecificResource))
        g.add((quote, OA.hasSource, self.source_iri))
        g.add((quote, OA.hasSelector, text_selector))
        g.add((quote, OA.hasSelector, position_selector))
        g.add((text_selector, RDF.type, OA.TextQuoteSelector))
        g.add((text_selector, OA.exact, Literal(passage.quote)))
        g.add((position_selector, RDF.type, OA.TextPositionSelector))
        g.add((position_selector, OA.start, Literal(passage.start)))
        g.add((position_selector, OA.end, Literal(passage.end)))
        return quote

    def _add_claim(self, claim: Claim, index: int, triple: tuple, quotes: list[URIRef]) -> None:
        node = self.minter.claim(self.source_id, claim.id, index)
        self._add_claim_node(node, triple, quotes, inferred=claim.evidence == "inferred", how=claim.how)

    def _add_derived(self, triple: tuple, basis: list[Claim], how: str) -> None:
        """A triple the builder derives from claims: asserted with an inferred vk:Claim of its own
        that rests on the quotes of the claims it comes from (``how`` names the rule)."""
        self.graph.add(triple)
        if not basis:
            return
        first = basis[0].id
        self.derived_count[first] = self.derived_count.get(first, 0) + 1
        node = self.minter.derived_claim(self.source_id, first, self.derived_count[first])
        quotes = [quote for claim in basis for quote in self.quotations[claim.id]]
        self._add_claim_node(node, triple, quotes, inferred=True,
                             how=f"{how} (derived by vankien build from claim(s) "
                                 f"{', '.join(dict.fromkeys(c.id for c in basis))})")

    def _add_claim_node(self, node: URIRef, triple: tuple, quotes: list[URIRef], *, inferred: bool,
                        how: str | None) -> None:
        """The vk:Claim ``node``: ``triple`` reified, its source, its quotes and how it is known."""
        g = self.graph
        g.add((node, RDF.type, VK.Claim))
        for role, term in zip((RDF.subject, RDF.predicate, RDF.object), triple, strict=True):
            g.add((node, role, term))
        g.add((node, PROV.wasDerivedFrom, self.source_iri))
        for quote in quotes:
            g.add((node, VK.quotation, quote))
        g.add((node, VK.evidenceKind, VK.Inferred if inferred else VK.Stated))
        if how:
            g.add((node, VK.inference, Literal(how, lang="en")))

    def _claims_mentioning(self, iri: URIRef) -> list[Claim]:
        return [claim for (s, _, o), found in self.asserted.items() if iri in (s, o) for claim in found]

    # --- what follows from identity and declarations (no new claims about the world) --------------

    def _derive(self) -> None:
        for key, entity in self.seed.entities.items():
            iri = self.uris[key]
            if entity.kind == "document":
                self._derive_document(entity, iri)
            elif entity.kind == "unnumbered":
                self._derive_type_concept(iri)
                self._derive_issuer_status(iri)
                self._derive_search_key(iri)
                self.graph.add((iri, VK.numberStatus, VK.NumberNotStated))
                self.graph.add((iri, VK.termStatus, self._term_status(iri, None)))
            elif entity.kind == "observation":
                self.graph.add((iri, VK.reportedIn, self.source_iri))
                self.graph.add((iri, QB.dataSet, self.minter.dataset(self.source_id)))
            elif entity.kind == "period":
                self._derive_period(iri)
            elif entity.kind == "term":
                self._derive_term_labels(iri, int(entity.spec["term"]), str(entity.spec["jurisdiction"]))

    def _derive_document(self, entity: Entity, iri: URIRef) -> None:
        g, ref = self.graph, entity.reference
        expected = VK[ref.document_class]
        stated_types = set(g.objects(iri, RDF.type))
        if stated_types and expected not in stated_types:
            raise self.fail(entity.line, f"entity '{entity.key}' is a {ref.type_code} ({ref.document_class}) "
                                         f"by its number, but a claim gives it type(s) "
                                         f"{sorted(t.n3() for t in stated_types)}")
        g.add((iri, RDF.type, expected))
        self._derive_type_concept(iri)
        g.add((iri, VK.numberStatus, VK.Numbered))
        g.add((iri, VK.documentNumber, Literal(ref.number)))
        g.add((iri, VK.typeCode, Literal(ref.type_code)))
        g.add((iri, VK.issuerCode, Literal(ref.issuer_code)))
        g.add((iri, ELI.id_local, Literal(ref.notation)))
        if jurisdiction := entity.spec.get("jurisdiction"):
            g.add((iri, VK.jurisdiction, self.minter.place(jurisdiction)))
        g.add((iri, VK.termStatus, self._term_status(iri, entity.spec["term"])))
        self._derive_issuer_status(iri)
        self._derive_search_key(iri, ref.notation, ref.ascii_notation)

    def _term_status(self, iri: URIRef, declared_term) -> URIRef:
        if declared_term == "unknown":
            return VK.TermUnknown
        claims = self.term_claims.get(iri, [])
        if not claims:
            return VK.TermUnknown if declared_term is None else self._missing_term(iri)
        return VK.TermKnown if any(c.evidence == "stated" for c in claims) else VK.TermInferred

    def _missing_term(self, iri: URIRef):
        entity = next(e for k, e in self.seed.entities.items() if self.uris[k] == iri)
        raise self.fail(entity.line, f"entity '{entity.key}' is declared in term {entity.spec['term']}, "
                                     "but no claim states vk:issuedInTerm for it; add the claim "
                                     "(evidence: inferred, with how) or declare term: unknown")

    def _derive_issuer_status(self, iri: URIRef) -> None:
        if (iri, VK.issuedBy, None) not in self.graph:
            self.graph.add((iri, VK.issuerStatus, VK.IssuerUnknown))

    def _derive_type_concept(self, iri: URIRef) -> None:
        """eli:type_document: the type as a concept of vk:DocumentTypeScheme (the same IRI as the
        class, OWL 2 punning), for ELI consumers that read types from a concept scheme."""
        for cls in list(self.graph.objects(iri, RDF.type)):
            if cls in DOCUMENT_TYPE_CONCEPTS:
                self.graph.add((iri, ELI.type_document, cls))

    def _derive_search_key(self, iri: URIRef, *extra: str) -> None:
        """One folded text (no diacritics, lower case) of a document's names in every language, so a
        search for "nghi quyet" or "Richtlinie" is a plain CONTAINS in SPARQL on every backend."""
        texts = list(extra)
        for prop in (VK.title, VK.subjectMatter, SKOS.prefLabel, RDFS.label):
            texts += [str(value) for value in self.graph.objects(iri, prop)]
        for cls in self.graph.objects(iri, RDF.type):
            texts += [str(label) for label in self.ontology.objects(cls, RDFS.label)]
        self.graph.add((iri, VK.searchKey, Literal(" | ".join(fold(text) for text in texts))))

    def _derive_term_labels(self, iri: URIRef, ordinal: int, jurisdiction: str) -> None:
        """Display labels made from the term's identity (khóa = a committee's term)."""
        where = "" if jurisdiction == "tw" else f" ({jurisdiction})"
        central = jurisdiction == "tw"
        # the evidence of the label is the evidence of the term itself: the claims naming it
        basis = self.asserted.get((iri, VK.termOrdinal, Literal(ordinal))) or self._claims_mentioning(iri)
        if not basis:
            return                       # a term no claim names is not in the graph
        for lang, word in (("vi", "Khóa"), ("en", "Term"), ("de", "Amtszeit")):
            text = f"{word} {ordinal}{where}" if lang != "en" else \
                f"{'Central Committee' if central else 'Committee'} term {ordinal}{where}"
            self._add_derived((iri, RDFS.label, Literal(text, lang=lang)), basis,
                              f"display label made from the term's identity (ordinal {ordinal}, {jurisdiction})")

    def _derive_period(self, iri: URIRef) -> None:
        """vk:startYear / vk:endYear / vk:endDate as OWL-Time instants, for outside tools."""
        g = self.graph
        for prop, edge, time_prop in ((VK.startYear, TIME.hasBeginning, TIME.inXSDgYear),
                                      (VK.endYear, TIME.hasEnd, TIME.inXSDgYear),
                                      (VK.endDate, TIME.hasEnd, TIME.inXSDDate)):
            for value in list(g.objects(iri, prop)):
                instant = URIRef(f"{iri}#{'start' if edge == TIME.hasBeginning else 'end'}")
                basis = self.asserted.get((iri, prop, value), [])
                how = f"OWL-Time form of {prop.n3(g.namespace_manager)} {value}"
                for triple in ((iri, RDF.type, TIME.ProperInterval), (iri, edge, instant),
                               (instant, RDF.type, TIME.Instant), (instant, time_prop, value)):
                    self._add_derived(triple, basis, how)

