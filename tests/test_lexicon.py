"""The lexicon of bodies and document types: what it covers, how the build keeps it apart from the
evidence, and that REST finds bodies by any of its names (real server on 127.0.0.1)."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from vankien.api.app import create_app
from vankien.graph.identifiers import ISSUERS, TYPES
from vankien.graph.lexicon import LEXICON_GRAPH, lexicon
from vankien.graph.namespaces import VK
from vankien.graph.pipeline import build_from_seeds

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import live_server

ID = "https://w3id.org/vankien/id/"


def test_lexicon_names_bodies_at_every_level_with_codes_and_abbreviations():
    entries = {entry.slug: entry for entry in lexicon().bodies}
    for slug in ("ban-chap-hanh-trung-uong", "bo-chinh-tri", "ban-bi-thu", "uy-ban-kiem-tra-trung-uong",
                 "ban-to-chuc-trung-uong", "tinh-uy", "ban-thuong-vu-tinh-uy", "ban-to-chuc-tinh-uy",
                 "huyen-uy", "dang-uy", "dang-bo", "dai-hoi-dang-toan-quoc", "dai-hoi-dang-bo-tinh"):
        assert set(entries[slug].pref_labels) == {"vi", "en", "de"}, slug
    labels = {label for entry in lexicon().bodies for label in entry.labels}
    assert {"BCT", "BBT", "BCHTW", "BTV", "BTC", "UBKT", "Bo Chinh tri", "Ban To chuc"} <= labels
    codes = {entry.notation for entry in lexicon().bodies if entry.notation}
    assert {"TW", "TU", "HU", "ĐU", "BTCTW", "VPTW"} <= codes <= set(ISSUERS)


def test_every_document_type_and_its_words_are_in_the_lexicon():
    by_code = {entry.notation: entry for entry in lexicon().types}
    assert set(by_code) == set(TYPES)
    for code, doc_type in TYPES.items():
        entry = by_code[code]
        assert entry.vk_class == doc_type.document_class and set(entry.pref_labels) == {"vi", "en", "de"}
        assert {w.casefold() for w in doc_type.words} <= {label.casefold() for label in entry.labels}, code


@pytest.fixture(scope="module")
def seed_graph(built):
    dataset, _ = build_from_seeds(built[0])
    return dataset


def test_the_lexicon_is_its_own_graph_apart_from_the_evidence(seed_graph):
    lexicon_graph = seed_graph.graph(URIRef(LEXICON_GRAPH))
    politburo = URIRef(ID + "body/tw/bo-chinh-tri")
    assert (politburo, SKOS.altLabel, None) in lexicon_graph
    assert not list(lexicon_graph.subjects(RDF.type, VK.Claim))              # no evidence here
    assert (URIRef(LEXICON_GRAPH), None, None) in lexicon_graph              # it describes itself
    source_graph = seed_graph.graph(URIRef(ID + "graph/bdbp-218887-de"))
    assert not list(source_graph.triples((politburo, SKOS.altLabel, None)))  # the evidence keeps its own


@pytest.fixture(scope="module")
def server(built):
    with live_server(create_app(built[0])) as base_url:
        yield base_url


@pytest.mark.parametrize(("q", "expected"), [
    ("Bộ Chính trị", {"body/tw/bo-chinh-tri"}),
    ("bo chinh tri", {"body/tw/bo-chinh-tri"}),
    ("Politburo", {"body/tw/bo-chinh-tri"}),
    ("Ban Tổ chức", {"body/dien-bien/ban-to-chuc-tinh-uy"}),
    ("Ban Thường vụ Tỉnh ủy", {"body/dien-bien/ban-thuong-vu-tinh-uy"}),
    ("Secretariat", {"body/tw/ban-bi-thu"}),
    ("no such body", set()),
])
def test_rest_finds_bodies_by_their_lexicon_names(server, q, expected):
    answer = httpx.get(f"{server}/bodies", params={"q": q}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert {row["body"].removeprefix(ID) for row in answer.json()["bodies"]} == expected
