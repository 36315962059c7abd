"""The format registry and the one negotiator (pure: no HTTP here)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from vankien.graph import formats
from vankien.graph.errors import BadInput, NotAcceptable


def test_names_aliases_and_extensions_are_each_unambiguous_within_a_kind():
    for kind in (formats.SOLUTIONS, formats.GRAPHS, formats.EXPORTS, formats.RDF_FORMATS,
                 formats.DESCRIPTIONS):
        names = [name for f in kind for name in f.names()]
        assert len(names) == len(set(names)), kind
    extensions = [e for f in formats.FORMATS for e in f.extensions]
    assert len(extensions) == len(set(extensions))
    assert len(formats.BY_NAME) == len(formats.FORMATS)


def test_canonical_media_types_are_pyoxigraphs():
    for f in formats.FORMATS:
        engine = f.rdf or f.results
        if engine is not None:
            assert f.content_type == engine.media_type, f.name
            assert f.media_type == engine.media_type.split(";")[0], f.name
            assert f.extensions[0] == "." + engine.file_extension, f.name


@pytest.mark.parametrize("form, expected", [("SELECT", formats.SOLUTIONS), ("ASK", formats.SOLUTIONS),
                                            ("CONSTRUCT", formats.GRAPHS), ("DESCRIBE", formats.GRAPHS)])
def test_query_forms_pick_their_formats(form, expected):
    assert formats.for_form(form) == expected


def test_requested_name_alias_or_media_type_wins_over_accept():
    offers = (formats.ANSWER, *formats.DESCRIPTIONS)
    assert formats.negotiate(offers, "json", "text/turtle") is formats.ANSWER
    assert formats.negotiate(offers, "ttl") is formats.TURTLE
    assert formats.negotiate(offers, "text/turtle; charset=utf-8") is formats.TURTLE
    assert formats.negotiate(formats.GRAPHS, "json") is formats.JSONLD     # SPARQLWrapper's name
    assert formats.negotiate(formats.SOLUTIONS, "json") is formats.JSON
    assert formats.negotiate(formats.GRAPHS, "xml") is formats.RDFXML
    assert formats.negotiate(formats.SOLUTIONS, "XML ") is formats.XML


def test_unknown_is_bad_input_and_known_but_not_offered_is_not_acceptable():
    with pytest.raises(BadInput, match=r"^format: unknown value 'docx'; use one of answer, json"):
        formats.negotiate((formats.ANSWER,), "docx")
    with pytest.raises(NotAcceptable, match=r"^format: 'ttl' is not available here; use one of answer"):
        formats.negotiate((formats.ANSWER,), "ttl")
    assert BadInput.status == 400 and NotAcceptable.status == 406


def test_accept_quality_ties_and_fallback():
    offers = formats.DESCRIPTIONS
    assert formats.negotiate(offers, None, None) is formats.TURTLE
    assert formats.negotiate(offers, None, "*/*") is formats.TURTLE
    assert formats.negotiate(offers, None, "application/ld+json;q=0.5, text/turtle;q=0.4") is formats.JSONLD
    assert formats.negotiate(offers, None, "text/plain") is formats.NTRIPLES    # a second media type
    assert formats.negotiate(offers, None, "text/turtle;q=0, */*;q=0.1") is formats.JSONLD
    with pytest.raises(NotAcceptable) as refused:
        formats.negotiate(offers, None, "image/png")
    assert refused.value.details["available"] == [f.media_type for f in offers]
    assert formats.negotiate(offers, None, "image/png", fallback=True) is formats.TURTLE
    # a malformed q counts as 0: not acceptable
    assert formats.negotiate(offers, None, "text/turtle;q=oops, application/ld+json;q=0.1") is formats.JSONLD


def test_engine_names_and_files():
    assert formats.rdf_format("nquads") is ox.RdfFormat.N_QUADS
    assert formats.rdf_format(ox.RdfFormat.TRIG) is ox.RdfFormat.TRIG
    assert formats.results_format("tsv") is ox.QueryResultsFormat.TSV
    assert formats.by_extension("a/b.owl") is formats.RDFXML
    assert formats.by_extension("x.TTL").rdflib == "turtle"
    with pytest.raises(BadInput, match=r"^notes\.docx: unknown file extension '\.docx'"):
        formats.by_extension("notes.docx")
