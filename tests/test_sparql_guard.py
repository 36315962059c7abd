"""The SPARQL guard refuses what a read-only public endpoint must not run, and nothing else."""

from __future__ import annotations

import re

import pytest

from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import (
    ABSENT_GRAPH, QueryRefused, bracket_depth, check_query, local_dataset,
)

SETTINGS = Settings(max_query_length=2000, max_nesting=5)
LOCAL = ["https://w3id.org/vankien/id/graph/bdbp-218887-de", "https://w3id.org/vankien/ontology"]

ALLOWED = {
    "select": ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", "SELECT"),
    "ask": ("ASK { ?s a <https://w3id.org/vankien/ontology#Plan> }", "ASK"),
    "construct": ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    "construct where": ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    "describe": ("DESCRIBE <https://w3id.org/vankien/id/place/dien-bien>", "DESCRIBE"),
    "SERVICE inside a string": ('SELECT ?s WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/> { }" }', "SELECT"),
    "SERVICE inside an IRI": ("SELECT ?s WHERE { ?s <http://example.org/SERVICE> ?o }", "SELECT"),
    "SERVICE in a comment": ("SELECT ?s WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/> {}", "SELECT"),
    "insert as a variable name": ("SELECT ?insert WHERE { ?insert ?load ?clear }", "SELECT"),
    "braces in strings do not count as nesting": ('SELECT * WHERE { ?s ?p "{{{{{{{{{{" }', "SELECT"),
    "GRAPH of a remote-looking IRI only names a graph": (
        "SELECT * WHERE { GRAPH <http://127.0.0.1:1/g> { ?s ?p ?o } }", "SELECT"),
}


@pytest.mark.parametrize("name", ALLOWED)
def test_allowed_queries(name):
    sparql, form = ALLOWED[name]
    assert check_query(sparql, SETTINGS, local_graphs=LOCAL).form == form


def test_local_from_clauses_are_allowed_and_reported():
    info = check_query(
        "PREFIX graph: <https://w3id.org/vankien/id/graph/> "
        "SELECT * FROM graph:bdbp-218887-de FROM NAMED <https://w3id.org/vankien/ontology> "
        "WHERE { ?s ?p ?o }",
        SETTINGS,
        local_graphs=LOCAL,
    )
    assert info.from_graphs == (LOCAL[0],)
    assert info.from_named_graphs == (LOCAL[1],)
    assert info.has_dataset_clause


REFUSED = {
    "SERVICE": ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", "SERVICE"),
    "SERVICE SILENT": ("SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/> { ?s ?p ?o } }", "SERVICE"),
    "SERVICE via a variable": (
        "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:1/> } SERVICE ?e { ?s ?p ?o } }", "SERVICE"),
    "SERVICE nested in groups": (
        "SELECT * WHERE { { OPTIONAL { ?a ?b ?c { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } } } }", "SERVICE"),
    "SERVICE in a subquery": (
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } } }", "SERVICE"),
    "SERVICE inside FILTER EXISTS": (
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } }", "SERVICE"),
    "FROM a local file": ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
    "FROM NAMED on the web": ("SELECT * FROM NAMED <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }", "FROM NAMED"),
    "FROM through a prefix": (
        "PREFIX x: <http://127.0.0.1:1/> SELECT * FROM x:g WHERE { ?s ?p ?o }", "FROM <http://127.0.0.1:1/g>"),
    "FROM a vankien graph that is not loaded": (
        "SELECT * FROM <https://w3id.org/vankien/id/graph/absent> WHERE { ?s ?p ?o }", "FROM"),
    "INSERT DATA": ("INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }", "SPARQL Update"),
    "DELETE WHERE": ("DELETE WHERE { ?s ?p ?o }", "SPARQL Update"),
    "LOAD": ("LOAD <http://127.0.0.1:1/data.ttl>", "SPARQL Update"),
    "CLEAR ALL": ("CLEAR ALL", "SPARQL Update"),
    "DROP then LOAD": ("DROP ALL ; LOAD <http://127.0.0.1:1/x>", "SPARQL Update"),
    "CREATE / ADD / MOVE / COPY": (
        "CREATE GRAPH <http://a.example/g> ; ADD DEFAULT TO <http://a.example/g> ; "
        "MOVE <http://a.example/g> TO DEFAULT ; COPY DEFAULT TO <http://a.example/h>", "SPARQL Update"),
    "too deep": ("SELECT * WHERE { { { { { { ?s ?p ?o } } } } } }", "nests brackets 6 deep; the limit is 5"),
    "too deep in parentheses": ("SELECT * WHERE { FILTER((((((1)))))) }", "nests brackets 7 deep"),  # { and ( count together
    "too long": ("SELECT * WHERE { ?s ?p " + '"' + "x" * 2000 + '" }', "the limit is 2000"),
    # an empty text is an empty SPARQL Update to rdflib's grammar, but the user forgot the query
    "empty": ("", "the text holds no query"),
    "only blanks": (" \n\t", "the text holds no query"),
    "only a comment": ("# SELECT * WHERE { ?s ?p ?o }", "the text holds no query"),
    "only a prologue": ("PREFIX vk: <https://w3id.org/vankien/ontology#>\n", "the text holds no query"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_refused_queries(name):
    sparql, reason = REFUSED[name]
    with pytest.raises(QueryRefused, match=re.escape(reason)) as refused:
        check_query(sparql, SETTINGS, local_graphs=LOCAL)
    assert refused.value.status in (400, 413)


def test_update_message_is_the_read_only_one():
    with pytest.raises(QueryRefused) as refused:
        check_query("INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }", SETTINGS)
    assert str(refused.value) == "read-only endpoint: SPARQL Update is refused"


def test_too_long_answers_413():
    with pytest.raises(QueryRefused) as refused:
        check_query("ASK {}" + " " * 2000, SETTINGS)
    assert refused.value.status == 413


def test_syntax_error_names_line_and_column():
    with pytest.raises(QueryRefused) as refused:
        check_query("SELECT ?s\nWHERE {\n  ?s ?p\n}", SETTINGS)
    message = str(refused.value)
    assert refused.value.status == 400
    assert re.search(r"line 3, column 3", message), message
    assert message.startswith("SPARQL syntax error")


def test_deep_nesting_does_not_reach_the_parser():
    deep = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000
    with pytest.raises(QueryRefused, match="5000 deep"):
        check_query(deep, Settings(max_query_length=30000))


def test_long_flat_query_within_limits_parses():
    """rdflib recurses per triple pattern; 1 500 patterns must still parse (runs with a big stack)."""
    patterns = " ".join(f"?s <http://a.example/p{i}> ?o{i} ." for i in range(1500))
    sparql = f"SELECT * WHERE {{ {patterns} }}"
    assert check_query(sparql, Settings(max_query_length=len(sparql))).form == "SELECT"


def test_without_local_graphs_the_vankien_namespace_is_local():
    assert check_query("SELECT * FROM <https://w3id.org/vankien/id/graph/x> WHERE {}", SETTINGS).form == "SELECT"
    with pytest.raises(QueryRefused):
        check_query("SELECT * FROM <https://example.org/graph/x> WHERE {}", SETTINGS)


def test_protocol_graphs_the_store_does_not_hold_are_one_empty_graph():
    assert local_dataset(LOCAL, SETTINGS, LOCAL) == list(LOCAL)
    assert local_dataset(None, SETTINGS, LOCAL) is None
    # Never fetched: a foreign IRI stands for the absent graph (once, however many were named).
    assert local_dataset(["file:///etc/passwd", "urn:x-rdflib:default", LOCAL[0]], SETTINGS, LOCAL) == [
        ABSENT_GRAPH, LOCAL[0]]
    assert ABSENT_GRAPH not in LOCAL
    with pytest.raises(QueryRefused, match="named-graph-uri: 'not an iri'"):
        local_dataset(["not an iri"], SETTINGS, LOCAL, parameter="named-graph-uri")


def test_bracket_depth_skips_strings_iris_and_comments():
    assert bracket_depth('SELECT * WHERE { ?s <http://x/#{{> "}}}{{{" . # {{{{\n }') == 1
    assert bracket_depth("SELECT * WHERE { ?s ?p '''{\n{''' FILTER(?x > (1 + 2)) }") == 3  # { ( (


GRAPH_USE = {  # query: (a GRAPH ?var pattern, a triple pattern on the default graph)
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }": (True, False),
    "SELECT ?g WHERE { ?a ?b ?c GRAPH ?g { ?s ?p ?o } }": (True, True),
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s a ?t } }": (True, True),
    "SELECT * WHERE { { SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } } }": (True, False),
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }": (True, False),   # the template reads nothing
    "ASK { GRAPH ?g { } }": (True, False),
    "SELECT * WHERE { GRAPH <urn:x:g> { ?s ?p ?o } }": (False, False),
    "SELECT * WHERE { ?s <urn:x:p>+ ?o }": (False, True),
    "DESCRIBE <urn:x:d>": (False, True),
}


@pytest.mark.parametrize("query", GRAPH_USE)
def test_graph_variables_and_default_graph_reads_are_reported(query):
    info = check_query(query, SETTINGS)
    assert (info.graph_variable, info.reads_default_graph) == GRAPH_USE[query]
