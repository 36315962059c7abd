"""The query page (``/`` and ``/query``) and the static files it uses (``/static``).

The page is plain HTML with a textarea editor; ``static/query.js`` sends the query to ``/sparql``
and renders results with ``textContent`` only (never ``innerHTML`` with data). The example queries
are :data:`EXAMPLE_QUERIES`, the same list the README and the tests use.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATE = Path(__file__).resolve().parent / "templates" / "query.html"

_PREFIXES = """PREFIX vk: <https://w3id.org/vankien/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# (title, SPARQL) pairs: one click away on the query page, quoted in the README, run by the tests.
EXAMPLE_QUERIES: list[tuple[str, str]] = [
    ("Which plan implements which directive", _PREFIXES + """
SELECT ?plan ?planNumber ?directive ?directiveNumber WHERE {
  ?plan a vk:Plan ; vk:implements ?directive .
  ?directive a vk:Directive .
  OPTIONAL { ?plan skos:notation ?planNumber }
  OPTIONAL { ?directive skos:notation ?directiveNumber }
}
ORDER BY ?planNumber"""),
    ("Everything issued or advised by a body (graph)", _PREFIXES + """
# The provincial organisation board (Ban Tổ chức Tỉnh ủy); try another body's URI.
CONSTRUCT {
  ?doc ?role ?body ; skos:notation ?notation ; vk:title ?title .
} WHERE {
  VALUES ?body { <https://w3id.org/vankien/id/body/dien-bien/ban-to-chuc-tinh-uy> }
  VALUES ?role { vk:issuedBy vk:advisedBy }
  ?doc ?role ?body .
  OPTIONAL { ?doc skos:notation ?notation }
  OPTIONAL { ?doc vk:title ?title }
}"""),
    ("The quote behind an edge", _PREFIXES + """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
# Why does the graph say that 158-KH/TU implements 35-CT/TW?
SELECT ?quote ?start ?end ?evidence ?source WHERE {
  ?doc skos:notation "158-KH/TU" .
  ?claim a vk:Claim ; rdf:subject ?doc ; rdf:predicate vk:implements ; rdf:object ?target ;
         vk:evidenceKind ?evidence ; prov:wasDerivedFrom ?source ; vk:quotation ?quotation .
  ?target skos:notation "35-CT/TW" .
  ?quotation oa:hasSelector ?text, ?position .
  ?text oa:exact ?quote .
  ?position oa:start ?start ; oa:end ?end .
}"""),
    ("Figures reported for 2024", _PREFIXES + """
SELECT ?measure ?value ?unit ?period WHERE {
  ?obs a vk:Observation ; vk:measure ?m ; vk:value ?value ; vk:refPeriod ?p .
  OPTIONAL { ?m skos:prefLabel ?measure FILTER(lang(?measure) = "en") }
  OPTIONAL { ?obs vk:unit ?unit }
  OPTIONAL { ?p vk:periodLabel ?period }
  OPTIONAL { ?p vk:endYear ?endYear }
  OPTIONAL { ?p vk:endDate ?endDate }
  FILTER(COALESCE(STR(?endYear), STR(YEAR(?endDate))) = "2024")
}
ORDER BY ?measure"""),
    ("Documents of a term", _PREFIXES + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Documents of the 14th term of the Điện Biên provincial party committee.
SELECT ?doc ?number ?type WHERE {
  ?doc vk:issuedInTerm <https://w3id.org/vankien/id/term/dien-bien/14> ; a ?type .
  ?type rdfs:subClassOf* vk:PartyDocument .
  FILTER(?type != vk:PartyDocument)
  OPTIONAL { ?doc skos:notation ?number }
}
ORDER BY ?number"""),
    ("Unresolved references", _PREFIXES + """
# Documents cited by number whose committee term the source does not tell.
SELECT ?doc ?number ?source WHERE {
  ?doc vk:termStatus vk:TermUnknown ; skos:notation ?number .
  GRAPH ?source { ?doc skos:notation ?number }
}
ORDER BY ?number"""),
]

router = APIRouter(tags=["query page"])
# Mounted here so the app needs no extra call; FastAPI copies the mount with include_router.
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def query_page() -> str:
    """The query page HTML: the template with the example buttons and their queries filled in."""
    buttons = "\n".join(
        f'<button type="button" class="example" data-example="{index}">{html.escape(title)}</button>'
        for index, (title, _query) in enumerate(EXAMPLE_QUERIES)
    )
    # JSON inside <script>: "</" must not close the element early.
    examples = json.dumps([{"title": t, "query": q} for t, q in EXAMPLE_QUERIES]).replace("</", "<\\/")
    first_query = html.escape(EXAMPLE_QUERIES[0][1].strip())
    return (TEMPLATE.read_text(encoding="utf-8")
            .replace("{{examples_buttons}}", buttons)
            .replace("{{examples_json}}", examples)
            .replace("{{first_query}}", first_query))


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="Query page",
    description="An HTML page to write SPARQL, run it against `/sparql` and see the results as a "
                "table (or open a CONSTRUCT result in the graph view). The README's example "
                "queries are one click away.",
)
@router.get(
    "/query",
    response_class=HTMLResponse,
    summary="Query page (alias of /)",
    description="The same page as `/`.",
)
def get_query_page() -> HTMLResponse:
    return HTMLResponse(query_page())
