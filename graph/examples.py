"""Example SPARQL queries for researchers: shown in the README and on the query page, and each run
by a test that checks its answer (tests/test_examples.py). One list, so the three never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from vankien.graph.namespaces import sparql_prefixes

PREFIXES = sparql_prefixes("vk", "skos", "rdf", "oa", "prov")


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    sparql: str


EXAMPLES = (
    Example("plan-implements-directive", "Which plan implements which directive?", PREFIXES + """
SELECT ?plan ?directive WHERE {
  ?p a vk:Plan ; vk:implements ?d ; skos:notation ?plan .
  ?d a vk:Directive ; skos:notation ?directive .
} ORDER BY ?plan"""),
    Example("by-body", "Everything issued or advised by the provincial Organisation Board", PREFIXES + """
SELECT (MIN(COALESCE(?number, ?about)) AS ?document) ?role WHERE {   # one row per document
  ?body skos:prefLabel "Organisationsausschuss des Provinzparteikomitees"@de .
  { ?doc vk:issuedBy ?body BIND("issued" AS ?role) }
  UNION { ?doc vk:advisedBy ?body BIND("advised" AS ?role) }
  OPTIONAL { ?doc skos:notation ?number }
  OPTIONAL { ?doc vk:subjectMatter ?about FILTER(lang(?about) = "de") }
} GROUP BY ?doc ?role ORDER BY ?role ?document"""),
    Example("quote-behind-edge", "The quote behind an edge: why do we say 158-KH/TU implements 35-CT/TW?",
            PREFIXES + """
SELECT ?quote ?start ?end ?evidence ?source WHERE {
  ?plan skos:notation "158-KH/TU" . ?directive skos:notation "35-CT/TW" .
  ?claim rdf:subject ?plan ; rdf:predicate vk:implements ; rdf:object ?directive ;
         vk:evidenceKind ?evidence ; prov:wasDerivedFrom ?source ; vk:quotation ?q .
  ?q oa:hasSelector ?t, ?p .      # one row per passage: a claim may rest on several
  ?t oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
} ORDER BY ?start"""),
    Example("figures-2024", "Figures reported for periods ending in 2024", PREFIXES + """
SELECT ?measure ?value ?period ?endEvidence WHERE {
  ?obs a vk:Observation ; vk:value ?value ; vk:measure/skos:prefLabel ?measure ;
       vk:refPeriod ?p .
  ?p vk:periodLabel ?period .
  { ?p vk:endDate ?end BIND(vk:endDate AS ?endProp) } UNION { ?p vk:endYear ?end BIND(vk:endYear AS ?endProp) }
  FILTER(lang(?measure) = "en" && SUBSTR(STR(?end), 1, 4) = "2024")
  # is the end of the period stated or inferred?
  ?claim rdf:subject ?p ; rdf:predicate ?endProp ; rdf:object ?end ; vk:evidenceKind ?endEvidence .
} ORDER BY DESC(?value) ?measure"""),
    Example("documents-of-term", "Documents of the 14th term of the Điện Biên Provincial Party Committee",
            PREFIXES + """
SELECT ?number ?status WHERE {
  ?term vk:termOrdinal 14 .
  ?doc vk:issuedInTerm ?term ; skos:notation ?number ; vk:termStatus/skos:prefLabel ?status .
  FILTER(lang(?status) = "en")
} ORDER BY ?number"""),
    Example("unresolved", "Unresolved references: numbers whose term the sources do not tell", PREFIXES + """
SELECT ?number ?doc WHERE {
  ?doc vk:termStatus vk:TermUnknown ; vk:numberStatus vk:Numbered ; skos:notation ?number .
} ORDER BY ?number"""),
    Example("lineage-graph", "The lineage of 35-CT/TW as a graph (CONSTRUCT: open it in the graph view)",
            PREFIXES + """
CONSTRUCT { ?doc vk:implements ?directive ; skos:notation ?number ; a ?type . }
WHERE {
  ?directive skos:notation "35-CT/TW" .
  ?doc vk:implements+ ?directive ; skos:notation ?number ; a ?type .
  ?type skos:inScheme vk:DocumentTypeScheme .
}"""),
    Example("targets", "The congress targets: how many are met?", PREFIXES + """
SELECT ?measure ?value WHERE {
  ?obs vk:concerns ?goal ; vk:value ?value ; vk:measure/skos:prefLabel ?measure .
  ?goal a vk:Goal . FILTER(lang(?measure) = "en")
} ORDER BY DESC(?value)"""),
)


def example(name: str) -> Example:
    return next(e for e in EXAMPLES if e.name == name)
