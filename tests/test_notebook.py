"""The Python API for notebooks (``vankien.open()``) on the real graph, and docs/notebook.ipynb run
top to bottom in a real Jupyter kernel (nbclient), its DataFrames checked against the graph."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pandas = pytest.importorskip("pandas")

import vankien  # noqa: E402
from vankien.graph import queries  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebook.ipynb"
DOC_35 = "https://w3id.org/vankien/id/doc/tw/ct/35/k13"
CUE = "In Umsetzung der Richtlinie Nr. 35-CT/TW"
PLAIN = (str, int, float, bool, type(None))


@pytest.fixture(scope="module")
def kg(built):
    graph = vankien.open(built[0].data_dir, build=False, store="memory")
    yield graph
    graph.close()


def plain_values(frame) -> bool:
    return all(isinstance(value, PLAIN) for value in frame.astype(object).to_numpy().ravel())


def implementers_in_graph(store) -> set[tuple[str, str]]:
    return {(row["n"], row["d"]) for row in queries.rows(store, f"""
        SELECT ?n ?d WHERE {{ ?d vk:implements <{DOC_35}> ; skos:notation ?n }}""")}


def test_documents_are_plain_rows_filtered_like_the_api(kg):
    plans = kg.documents(type="Plan")
    assert set(plans.columns) >= {"number", "type", "term", "title", "iri"}
    assert set(plans["type"]) == {"Plan"} and "158-KH/TU" in set(plans["number"])
    assert plain_values(plans)
    expected = {row["d"] for row in queries.rows(kg.store, "SELECT ?d WHERE { ?d a vk:Plan ; vk:numberStatus ?s }")}
    assert set(plans["iri"]) == expected


def test_show_lineage_and_provenance_carry_the_quotes(kg):
    shown = kg.show("Nr. 35-CT/TW")
    incoming = shown[(shown.direction == "in") & (shown.predicate == "vk:implements")]
    assert set(incoming["value"]) == {d for _n, d in implementers_in_graph(kg.store)}
    assert all(CUE in quote for quote in incoming["quote"]) and set(incoming["evidence"]) == {"Stated"}
    assert plain_values(shown)

    lineage = kg.lineage("35-CT/TW")
    direct = lineage[(lineage.direction == "implemented_by") & (lineage.depth == 1)]
    assert set(zip(direct["number"], direct["document"])) == implementers_in_graph(kg.store)
    assert all(CUE in quote for quote in direct["quote"])

    why = kg.provenance(predicate="vk:implements", object="35-CT/TW")
    assert set(why["subject"]) == {d for _n, d in implementers_in_graph(kg.store)}
    assert set(why["predicate"]) == {"vk:implements"} and why["start"].map(type).eq(int).all()
    assert plain_values(why)


def test_query_answers_with_python_values(kg):
    answer = kg.query("SELECT ?n ?v WHERE { ?o a vk:Observation ; vk:value ?v } LIMIT 5")
    assert list(answer.columns) == ["n", "v"] and len(answer) == 5
    assert all(isinstance(v, (int, float)) for v in answer["v"]) and answer["n"].isna().all()
    assert kg.query("ASK { ?d skos:notation '35-CT/TW' }") is True
    graph = kg.query(f"CONSTRUCT {{ ?d vk:implements <{DOC_35}> }} WHERE {{ ?d vk:implements <{DOC_35}> }}")
    assert list(graph.columns) == ["subject", "predicate", "object"] and len(graph) == 2
    with pytest.raises(Exception, match="prefix foo: is not declared"):
        kg.query("SELECT * WHERE { ?s foo:bar ?o }")


def test_the_docs_notebook_runs_top_to_bottom(built, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # one more cell reports the notebook's DataFrames, so the test checks what the reader sees
    notebook.cells.insert(len(notebook.cells) - 1, nbformat.v4.new_code_cell(
        "import json\nprint(json.dumps({name: frame.to_dict('records') for name, frame in "
        "[('plans', plans), ('directive', directive), ('lineage', lineage), ('why', why), "
        "('figures', figures)]}, default=str))"))
    monkeypatch.setenv("VANKIEN_DATA_DIR", str(built[0].data_dir))
    monkeypatch.setenv("VANKIEN_SOURCES_DIR", str(built[0].sources_dir))
    monkeypatch.setenv("VANKIEN_STORE", "memory")
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
    report = json.loads(notebook.cells[-2].outputs[0]["text"])
    assert {row["number"] for row in report["plans"]} >= {"158-KH/TU"}
    with vankien.open(built[0].data_dir, build=False, store="memory") as kg:
        implementers = implementers_in_graph(kg.store)
        assert {(r["number"], r["document"]) for r in report["lineage"]
                if r["direction"] == "implemented_by" and r["depth"] == 1} == implementers
        assert {r["label"] for r in report["directive"] if r["direction"] == "in"} == {n for n, _ in implementers}
        assert all(CUE in r["quote"] for r in report["directive"] if r["direction"] == "in")
        assert {(r["subject"], r["object"]) for r in report["why"]} == {
            (row["s"], row["o"]) for row in queries.rows(kg.store, "SELECT ?s ?o WHERE { ?s vk:implements ?o }")}
        figures = kg.query("SELECT (COUNT(?o) AS ?n) WHERE { ?o a vk:Observation ; vk:refPeriod/vk:periodLabel ?l ; "
                           "vk:measure/skos:prefLabel ?m FILTER(lang(?m) = 'en') }")
    values = [row["value"] for row in report["figures"]]
    assert len(values) == figures["n"][0] and values == sorted(values, reverse=True)
    assert not os.listdir(tmp_path) or not (tmp_path / "var").exists()   # it used the built graph
