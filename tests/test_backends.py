"""Backend parity: the memory, disk and remote stores (on the Oxigraph server and on Virtuoso) give
the same answers to every competency query of ``vankien.graph.queries``, on the real seed graph and
on a small SYNTHETIC corpus; and the API on each remote store answers like the API on the memory store.
"""

from __future__ import annotations


import pytest
from fastapi.testclient import TestClient

from vankien.api.app import create_app
from vankien.graph import queries
from vankien.graph.pipeline import artifact_path
from vankien.graph.settings import Settings
from vankien.graph.store import DiskStore, MemoryStore, RemoteStore
from vankien.graph.synth import SYNTH_BASE, generate

ID = "https://w3id.org/vankien/id/"
IMPLEMENTS = "https://w3id.org/vankien/ontology#implements"
DOC_35, DOC_158 = ID + "doc/tw/ct/35/k13", ID + "doc/tu-dien-bien/kh/158/k14"
# What the queries are asked about, per corpus (the seed values come from seeds/dien-bien-2024.yaml).
SEED_SAMPLE = {"number": "35-CT/TW", "document": DOC_35, "body": ID + "body/dien-bien/ban-to-chuc-tinh-uy",
               "claim": (DOC_158, IMPLEMENTS, DOC_35)}

COMPETENCY_QUERIES = {
    "documents": lambda store, s: queries.documents(store, limit=500),
    "documents_by_type": lambda store, s: queries.documents(store, type="KH", limit=500),
    "find_documents_by_number": lambda store, s: queries.find_documents_by_number(store, s["number"]),
    "lineage": lambda store, s: queries.lineage(store, s["document"]),
    "provenance": lambda store, s: queries.provenance(store, *s["claim"]),
    "provenance_of_predicate": lambda store, s: queries.provenance(store, predicate=IMPLEMENTS),
    "bodies": lambda store, s: queries.bodies(store),
    "body_activity": lambda store, s: queries.body_activity(store, s["body"]),
    "goals": lambda store, s: queries.goals(store),
    "observations": lambda store, s: queries.observations(store),
    "sources": lambda store, s: queries.sources(store),
    "unresolved": lambda store, s: queries.unresolved(store),
    "implementations": lambda store, s: queries.implementations(store),
    "describe": lambda store, s: queries.describe(store, s["document"]),
}
# Answers that must not be empty on either corpus (parity of two empty answers proves nothing).
NON_EMPTY = {"documents", "documents_by_type", "find_documents_by_number", "provenance",
             "provenance_of_predicate", "bodies", "observations", "sources", "unresolved", "implementations"}



def synthetic_corpus(folder) -> tuple:
    """A SYNTHETIC corpus of 300 documents plus the ontology graph (the queries use its subclasses)."""
    path = folder / "synthetic.nq"
    stats = generate(300, seed=3, out=path, ontology=True)
    sample = {"number": stats.sample_notation, "document": stats.deepest_doc,
              "body": SYNTH_BASE + "body/tw/ban-chap-hanh-trung-uong", "claim": stats.sample_claim_triple}
    return path, sample


def remote_store(engine: dict) -> RemoteStore:
    return RemoteStore(Settings(store="remote", **engine))


@pytest.fixture(scope="module", params=["seed", "synthetic"])
def answers(request, built, remote_engine, tmp_path_factory):
    """{backend: {query name: normalised answer}} for one corpus and one remote engine."""
    folder = tmp_path_factory.mktemp(f"backends-{request.param}")
    if request.param == "seed":
        path, sample = artifact_path(built[0]), SEED_SAMPLE
    else:
        path, sample = synthetic_corpus(folder)
    stores = {"memory": MemoryStore(), "disk": DiskStore(folder / "store"),
              "remote": remote_store(remote_engine)}
    found = {}
    for backend, store in stores.items():
        store.replace_with(path)  # the remote server is shared by the session: replace all it holds
        try:
            found[backend] = {name: queries.comparable(ask(store, sample)) for name, ask in COMPETENCY_QUERIES.items()}
        finally:
            store.close()
    return found


@pytest.mark.parametrize("name", sorted(COMPETENCY_QUERIES))
def test_every_backend_gives_the_same_answer(answers, name):
    memory = answers["memory"][name]
    if name in NON_EMPTY:
        assert memory, f"{name} found nothing: the sample does not exercise the query"
    assert answers["disk"][name] == memory
    assert answers["remote"][name] == memory


def test_lineage_sample_has_hops(answers):
    lineage = answers["memory"]["lineage"]
    assert lineage["implements"] or lineage["implemented_by"]
    hops = [hop for entry in lineage["implements"] + lineage["implemented_by"] for hop in entry["path"]]
    assert hops and all(hop["evidence"] for hop in hops)  # every hop carries its quote


def test_api_on_the_remote_store_answers_like_on_the_memory_store(built, remote_engine):
    settings, _ = built
    remote = remote_store(remote_engine)
    remote.replace_with(artifact_path(settings))
    remote.close()
    path = "/documents/35-CT/TW/implemented-by"
    with TestClient(create_app(settings)) as memory_client:
        expected = memory_client.get(path)
    remote_settings = settings.replace(store="remote", **remote_engine)
    with TestClient(create_app(remote_settings)) as remote_client:
        answered = remote_client.get(path)
    assert expected.status_code == answered.status_code == 200, answered.text
    assert {entry["document"] for entry in expected.json()["implemented_by"]} >= {DOC_158}
    assert answered.json() == expected.json()
