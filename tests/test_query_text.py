"""The one escaping helper for values spliced into query text (graph/namespaces.py: remote stores
need text): whatever the value, the engine reads back exactly it, and it never ends the term early."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from vankien.graph.errors import BadInput
from vankien.graph.namespaces import sparql_iri, sparql_literal, sparql_term

HOSTILE = ['a"b', "back\\slash", "line\nbreak\r", "Điện Biên", "tab\tx", '" } ; DROP ALL ; #',
           "'single'", "\\u0022 not an escape", "\\U00000022 long", "ends with a backslash \\", '"""',
           "> <http://127.0.0.1:1/x>", "emoji 🎌 and \u2028 separator", "\x00nul", ""]
HOSTILE_IRIS = ['https://x/a"b', "https://x/a>b", "https://x/a\nb", "https://x/a b", "https://x/\\u003E",
                "https://x/{a}", "https://x/a|b", "https://x/a^b", "https://x/a`b", "<https://x/a>",
                "relative/path", "", "https://x/a> . <https://x/b"]


def read_back(term_text: str) -> ox.NamedNode | ox.Literal:
    """What the engine reads from ``term_text`` placed in a query (and that the query still holds
    its other parts: the term did not end anything early)."""
    found = list(ox.Store().query(f"SELECT ?x ?n WHERE {{ BIND({term_text} AS ?x) BIND(1 AS ?n) }}"))
    assert len(found) == 1 and found[0]["n"].value == "1"
    return found[0]["x"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_literal_reads_back_as_the_value(value):
    assert read_back(sparql_literal(value)) == ox.Literal(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_literal_with_a_language_or_datatype_reads_back_as_it(value):
    assert read_back(sparql_literal(value, lang="vi")) == ox.Literal(value, language="vi")
    xsd_string = ox.NamedNode(str(XSD.string))
    assert read_back(sparql_literal(value, datatype=str(XSD.string))) == ox.Literal(value, datatype=xsd_string)


def test_a_bad_language_or_datatype_is_refused():
    for options in ({"lang": "not a tag!"}, {"lang": "en\"@x"}, {"datatype": "relative/type"},
                    {"datatype": "https://x/a>b"}):
        with pytest.raises(BadInput):
            sparql_literal("x", **options)


def test_an_iri_is_checked_before_it_is_spliced():
    for good in ("https://w3id.org/vankien/id/doc/tw/ct/35/k13", "https://w3id.org/vankien/id/body/điện-biên",
                 "urn:x:1", "https://x/a#frag?q=1&r=%22"):
        assert sparql_iri(good) == f"<{good}>"
        assert read_back(sparql_iri(good)) == ox.NamedNode(good)


@pytest.mark.parametrize("value", HOSTILE_IRIS)
def test_a_hostile_iri_is_refused_naming_it(value):
    with pytest.raises(BadInput, match="not an absolute IRI"):
        sparql_iri(value)


@pytest.mark.parametrize("term", [URIRef("https://x/a"), Literal("a\"b\n", lang="de"), Literal(5), Literal(2.5),
                                  Literal("2026-12-01", datatype=XSD.date), Literal(True), Literal("\\u0022"),
                                  ox.NamedNode("https://x/b"), ox.Literal("q\"", language="en")])
def test_rdflib_and_pyoxigraph_terms_read_back_as_themselves(term):
    found = read_back(sparql_term(term))
    if isinstance(term, URIRef):
        assert found == ox.NamedNode(str(term))
    elif isinstance(term, Literal):
        assert found.value == str(term) and found.language == term.language
        assert term.language or found.datatype.value == str(term.datatype or XSD.string)
    else:
        assert found == term


def test_blank_nodes_and_hostile_rdflib_iris_are_refused():
    from rdflib import BNode
    with pytest.raises(BadInput):
        sparql_term(BNode())
    with pytest.raises(BadInput):
        sparql_term(URIRef("https://x/a> . <https://x/b"))
