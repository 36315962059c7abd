"""Pages and records do not depend on the order a store returns rows in (it differs between the
embedded store, the Oxigraph server and Virtuoso): the same graph, rows reversed, gives the same
body and document records, label by label and claim by claim."""

from __future__ import annotations

import pyoxigraph as ox

from vankien.graph import records

BODY = "https://w3id.org/vankien/id/body/dien-bien/ban-to-chuc-tinh-uy"


class ReversedRows:
    """``store`` answering every SELECT with its rows in the opposite order."""

    def __init__(self, store) -> None:
        self._store = store

    def query(self, sparql, **kw):
        found = self._store.query(sparql, **kw)
        if not isinstance(found, ox.QuerySolutions):
            return found
        return _Solutions(found.variables, list(found)[::-1])


class _Solutions:
    def __init__(self, variables, solutions) -> None:
        self.variables, self._solutions = variables, solutions

    def __iter__(self):
        return iter(self._solutions)


def test_body_and_document_records_do_not_follow_the_row_order(seed_store):
    document = seed_store.select("SELECT ?d WHERE { ?d <http://www.w3.org/2004/02/skos/core#notation> \"35-CT/TW\" }")[0]["d"].value
    reversed_store = ReversedRows(seed_store)
    body = records.body_record(seed_store, BODY)
    assert body["groups"] and body["sources"]          # a body with documents and evidence
    assert records.body_record(reversed_store, BODY) == body
    assert records.document_record(reversed_store, document) == records.document_record(seed_store, document)
