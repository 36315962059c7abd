"""Query results serialised in a requested format, cut at a row limit (workers and the remote path).

The executor reads at most ``max_rows + 1`` solutions (or triples). If there were more than
``max_rows`` the result is ``truncated`` and only the first ``max_rows`` are serialised: SELECT rows
are written as SPARQL JSON results, read back by pyoxigraph and serialised by pyoxigraph in the
requested format (pyoxigraph cannot build ``QuerySolutions`` from a list); triples go straight to
``pyoxigraph.serialize``.
"""

from __future__ import annotations

import itertools
import json

import pyoxigraph as ox

from vankien.graph import formats

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def serialize_results(results, format: str, max_rows: int) -> tuple[bytes, int, bool]:
    """``(body, row_count, truncated)`` for pyoxigraph results, keeping at most ``max_rows`` rows."""
    if isinstance(results, ox.QueryBoolean):
        return formats.in_memory(results.serialize(format=formats.results_format(format))), 1, False
    if isinstance(results, ox.QuerySolutions):
        variables = [v.value for v in results.variables]
        rows = list(itertools.islice(results, max_rows + 1))
        kept = rows[:max_rows]
        document = {
            "head": {"vars": variables},
            "results": {"bindings": [_binding_json(variables, row) for row in kept]},
        }
        reread = ox.parse_query_results(json.dumps(document).encode(), ox.QueryResultsFormat.JSON)
        return formats.in_memory(reread.serialize(format=formats.results_format(format))), len(kept), len(rows) > max_rows
    triples = list(itertools.islice(iter(results), max_rows + 1))
    kept = triples[:max_rows]
    rdf = formats.rdf_format(format)
    if rdf.supports_datasets:  # dataset formats want quads
        kept_items = [ox.Quad(t.subject, t.predicate, t.object) for t in kept]
    else:
        kept_items = kept
    return formats.in_memory(ox.serialize(kept_items, format=rdf)), len(kept), len(triples) > max_rows


def _binding_json(variables: list[str], row: ox.QuerySolution) -> dict:
    return {name: _term_json(term) for name, term in zip(variables, row) if term is not None}


def _term_json(term) -> dict:
    """A pyoxigraph term in the SPARQL 1.1 (1.2 for triple terms) JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        encoded = {"type": "literal", "value": term.value}
        if term.language:
            encoded["xml:lang"] = term.language
            if term.direction is not None:
                encoded["its:dir"] = str(term.direction)  # "ltr" | "rtl"
        elif term.datatype.value != XSD_STRING:
            encoded["datatype"] = term.datatype.value
        return encoded
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term in query results: {term!r}")
