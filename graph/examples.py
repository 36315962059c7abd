"""Example SPARQL queries for researchers: shown in the README and on the query page, and each run
by a test that checks its answer (tests/test_examples.py). One list, so the three never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from vankien.graph.namespaces import sparql_prefixes

PREFIXES = sparql_prefixes("vk", "skos", "rdf", "oa", "prov")


@dataclass(frozen=True)
class Example:
    name: str
    title: str                  # in English, as the README shows it
    sparql: str
    titles: dict[str, str] = field(default_factory=dict)   # the title in the query page's other languages

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang, self.title)


EXAMPLES = (
    Example("plan-implements-directive", "Which plan implements which directive?", PREFIXES + """
SELECT ?plan ?directive WHERE {
  ?p a vk:Plan ; vk:implements ?d ; skos:notation ?plan .
  ?d a vk:Directive ; skos:notation ?directive .
} ORDER BY ?plan""",
            titles={"vi": "Kế hoạch nào thực hiện chỉ thị nào?",
                    "de": "Welcher Plan setzt welche Richtlinie um?"}),
    Example("by-body", "Everything issued or advised by the provincial Organisation Board", PREFIXES + """
SELECT (MIN(COALESCE(?number, ?about)) AS ?document) ?role WHERE {   # one row per document
  ?body skos:prefLabel "Organisationsausschuss des Provinzparteikomitees"@de .
  { ?doc vk:issuedBy ?body BIND("issued" AS ?role) }
  UNION { ?doc vk:advisedBy ?body BIND("advised" AS ?role) }
  OPTIONAL { ?doc skos:notation ?number }
  OPTIONAL { ?doc vk:subjectMatter ?about FILTER(lang(?about) = "de") }
} GROUP BY ?doc ?role ORDER BY ?role ?document""",
            titles={"vi": "Mọi văn kiện do Ban Tổ chức Tỉnh ủy ban hành hoặc tham mưu",
                    "de": "Alles, was der Organisationsausschuss des Provinzparteikomitees herausgab oder beriet"}),
    Example("quote-behind-edge", "The quote behind an edge: why do we say 158-KH/TU implements 35-CT/TW?",
            PREFIXES + """
SELECT ?quote ?start ?end ?evidence ?source WHERE {
  ?plan skos:notation "158-KH/TU" . ?directive skos:notation "35-CT/TW" .
  ?claim rdf:subject ?plan ; rdf:predicate vk:implements ; rdf:object ?directive ;
         vk:evidenceKind ?evidence ; prov:wasDerivedFrom ?source ; vk:quotation ?q .
  ?q oa:hasSelector ?t, ?p .      # one row per passage: a claim may rest on several
  ?t oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
} ORDER BY ?start""",
            titles={"vi": "Trích dẫn đằng sau một quan hệ: vì sao nói 158-KH/TU thực hiện 35-CT/TW?",
                    "de": "Das Zitat hinter einer Kante: Warum heißt es, 158-KH/TU setze 35-CT/TW um?"}),
    Example("figures-2024", "Figures reported for periods ending in 2024", PREFIXES + """
SELECT ?measure ?value ?period ?endEvidence WHERE {
  ?obs a vk:Observation ; vk:value ?value ; vk:measure/skos:prefLabel ?measure ;
       vk:refPeriod ?p .
  ?p vk:periodLabel ?period .
  { ?p vk:endDate ?end BIND(vk:endDate AS ?endProp) } UNION { ?p vk:endYear ?end BIND(vk:endYear AS ?endProp) }
  FILTER(lang(?measure) = "en" && SUBSTR(STR(?end), 1, 4) = "2024")
  # is the end of the period stated or inferred?
  ?claim rdf:subject ?p ; rdf:predicate ?endProp ; rdf:object ?end ; vk:evidenceKind ?endEvidence .
} ORDER BY DESC(?value) ?measure""",
            titles={"vi": "Số liệu được báo cáo cho các giai đoạn kết thúc năm 2024",
                    "de": "Zahlen für Zeiträume, die 2024 enden"}),
    Example("documents-of-term", "Documents of the 14th term of the Điện Biên Provincial Party Committee",
            PREFIXES + """
SELECT ?number ?status WHERE {
  ?term vk:termOrdinal 14 .
  ?doc vk:issuedInTerm ?term ; skos:notation ?number ; vk:termStatus/skos:prefLabel ?status .
  FILTER(lang(?status) = "en")
} ORDER BY ?number""",
            titles={"vi": "Văn kiện của Tỉnh ủy Điện Biên khóa 14",
                    "de": "Dokumente der 14. Amtszeit des Provinzparteikomitees Điện Biên"}),
    Example("unresolved", "Unresolved references: numbers whose term the sources do not tell", PREFIXES + """
SELECT ?number ?doc WHERE {
  ?doc vk:termStatus vk:TermUnknown ; vk:numberStatus vk:Numbered ; skos:notation ?number .
} ORDER BY ?number""",
            titles={"vi": "Tham chiếu chưa xác định: số hiệu mà nguồn không cho biết thuộc khóa nào",
                    "de": "Ungeklärte Verweise: Nummern, deren Amtszeit die Quellen nicht nennen"}),
    Example("lineage-graph", "The lineage of 35-CT/TW as a graph (CONSTRUCT: open it in the graph view)",
            PREFIXES + """
CONSTRUCT { ?doc vk:implements ?directive ; skos:notation ?number ; a ?type . }
WHERE {
  ?directive skos:notation "35-CT/TW" .
  ?doc vk:implements+ ?directive ; skos:notation ?number ; a ?type .
  ?type skos:inScheme vk:DocumentTypeScheme .
}""",
            titles={"vi": "Quan hệ thực hiện của 35-CT/TW dưới dạng đồ thị (CONSTRUCT: mở trên đồ thị)",
                    "de": "Die Umsetzungskette von 35-CT/TW als Graph (CONSTRUCT: in der Graphansicht öffnen)"}),
    Example("targets", "The congress targets: how many are met?", PREFIXES + """
SELECT ?measure ?value WHERE {
  ?obs vk:concerns ?goal ; vk:value ?value ; vk:measure/skos:prefLabel ?measure .
  ?goal a vk:Goal . FILTER(lang(?measure) = "en")
} ORDER BY DESC(?value)""",
            titles={"vi": "Các chỉ tiêu của đại hội: bao nhiêu chỉ tiêu đã đạt?",
                    "de": "Die Ziele des Parteitags: Wie viele sind erreicht?"}),
)


def example(name: str) -> Example:
    return next(e for e in EXAMPLES if e.name == name)
