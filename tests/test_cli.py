"""The vankien command as a user runs it: a real process, its output and exit status."""

import json
import os
import subprocess
import sys

import pytest
import rdflib


def run(built_env, *args, expect=0):
    done = subprocess.run([sys.executable, "-m", "vankien.cli", *args], capture_output=True,
                          text=True, env=built_env, timeout=120)
    assert done.returncode == expect, done.stderr + done.stdout
    return done


@pytest.fixture(scope="module")
def built_env(built):
    settings, _ = built
    return {**os.environ, "VANKIEN_DATA_DIR": str(settings.data_dir),
            "VANKIEN_SOURCES_DIR": str(settings.sources_dir)}


def test_lineage_of_35_ct_tw_lists_158_and_03_with_quotes(built_env):
    out = run(built_env, "lineage", "35-CT/TW").stdout
    assert "158-KH/TU" in out and "03-HD/TU" in out
    # every hop shows both passages of its claim: the cue and the naming of the two documents
    assert out.count("“In Umsetzung der Richtlinie Nr. 35-CT/TW” [6138:6178]") == 2
    assert out.count("“den Plan Nr. 158-KH/TU und die Anweisung Nr. 03-HD/TU” [6389:6442]") == 2
    data = json.loads(run(built_env, "lineage", "35-CT/TW", "--json").stdout)
    assert {e["notation"] for e in data["implemented_by"]} == {"158-KH/TU", "03-HD/TU"}
    assert data["implements"] == []
    for entry in data["implemented_by"]:
        (evidence,) = entry["path"][-1]["evidence"]
        assert [(q["quote"], q["start"]) for q in evidence["quotes"]] == [
            ("In Umsetzung der Richtlinie Nr. 35-CT/TW", 6138),
            ("den Plan Nr. 158-KH/TU und die Anweisung Nr. 03-HD/TU", 6389)]


@pytest.mark.parametrize("spelling", ["09-DA/TU", "Nr. 09-DA/TU", "09-ĐA/TU", "số 09-ĐA/TU", "09 - DA / TU"])
def test_show_accepts_every_spelling(built_env, spelling):
    data = json.loads(run(built_env, "show", spelling, "--json").stdout)
    assert data["iri"] == "https://w3id.org/vankien/id/doc/tu-dien-bien/da/09/unresolved/bdbp-218887-de"


def test_show_and_lineage_narrow_by_term_and_place(built_env):
    place = "https://w3id.org/vankien/id/place/dien-bien"
    shown = json.loads(run(built_env, "show", "158-KH/TU", "--term", "14", "--place", place, "--json").stdout)
    assert shown["iri"] == "https://w3id.org/vankien/id/doc/tu-dien-bien/kh/158/k14"
    data = json.loads(run(built_env, "lineage", "158-KH/TU", "--term", "14", "--json").stdout)
    assert [e["notation"] for e in data["implements"]] == ["35-CT/TW"]


def test_query_formats(built_env):
    q = "SELECT ?n WHERE { ?d vk:implements ?x ; skos:notation ?n } ORDER BY ?n"
    assert json.loads(run(built_env, "query", q, "--format", "json").stdout) == [{"n": "03-HD/TU"}, {"n": "158-KH/TU"}]
    assert run(built_env, "query", q, "--format", "csv").stdout.splitlines() == ["n", "03-HD/TU", "158-KH/TU"]
    assert "(2 rows)" in run(built_env, "query", q).stdout


def test_errors_are_one_line(built_env):
    for args, needle in ((["show", "12-XY/TU"], "unknown document type code 'XY'"),
                         (["show", "99-KH/TU"], "no document numbered 99-KH/TU"),
                         (["show", "158-KH/TU", "--term", "13"], "no document numbered 158-KH/TU of term 13"),
                         (["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "SERVICE"),
                         (["query", "SELECT ?x WHERE {"], "error")):
        done = run(built_env, *args, expect=2)
        assert done.stderr.startswith("vankien: error: ") and needle in done.stderr
        assert "Traceback" not in done.stderr


def test_coverage_reports_nothing_missing(built_env):
    done = run(built_env, "coverage")
    assert "0 number(s) or figure(s) not represented" in done.stdout


def test_validate_passes_on_built_graph_and_fails_on_bad_file(built_env, tmp_path):
    assert "conforms" in run(built_env, "validate").stdout
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix vk: <https://w3id.org/vankien/ontology#> .\n"
                   "<https://example.org/o> a vk:Observation .\n", encoding="utf-8")
    done = run(built_env, "validate", str(bad), expect=1)
    assert "ObservationShape" in done.stdout


@pytest.mark.parametrize("fmt, parse_as", [("turtle", "turtle"), ("trig", "trig"), ("nt", "nt"),
                                           ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_export_rdf_formats_parse_back(built_env, tmp_path, fmt, parse_as):
    out = tmp_path / f"export.{fmt}"
    run(built_env, "export", "--format", fmt, "-o", str(out))
    graph = rdflib.Dataset() if parse_as in ("trig", "nquads", "json-ld") else rdflib.Graph()
    graph.parse(out, format=parse_as)
    implements = rdflib.URIRef("https://w3id.org/vankien/ontology#implements")
    found = ({q[:3] for q in graph.quads((None, implements, None, None))} if isinstance(graph, rdflib.Dataset)
             else set(graph.triples((None, implements, None))))
    assert len(found) == 2


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_property_graph_formats(built_env, tmp_path, fmt):
    import networkx as nx
    out = tmp_path / f"export.{fmt}"
    run(built_env, "export", "--format", fmt, "-o", str(out))
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    plan = "https://w3id.org/vankien/id/doc/tu-dien-bien/kh/158/k14"
    assert graph.has_edge(plan, "https://w3id.org/vankien/id/doc/tw/ct/35/k13")
    assert graph.nodes[plan]["kind"] == "document"


def test_load_bulk_builds_a_disk_store_and_keeps_it_on_bad_input(tmp_path, built_env):
    corpus = tmp_path / "synthetic.nq"
    run(built_env, "synth", "--docs", "300", "--seed", "2", "-o", str(corpus))
    data = tmp_path / "bench-data"
    env = {**built_env, "VANKIEN_DATA_DIR": str(data)}
    assert "loaded" in run(env, "load", str(corpus), "--store", "disk").stdout
    count = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    before = json.loads(run(env, "query", count, "--store", "disk", "--format", "json").stdout)
    assert before[0]["n"] > 10_000
    # The synthetic file carries the ontology graph, so the loaded store answers vankien's queries:
    # a repeated number is ambiguous, and term + place name one document.
    ambiguous = run(env, "show", "01-KH/TU", "--store", "disk", expect=2)
    assert "names" in ambiguous.stderr and "numbers restart" in ambiguous.stderr
    place = "https://w3id.org/vankien/synthetic/id/place/p01"
    shown = json.loads(run(env, "show", "01-KH/TU", "--term", "12", "--place", place, "--store", "disk",
                           "--json").stdout)
    assert shown["iri"] == "https://w3id.org/vankien/synthetic/id/doc/tu-p01/kh/01/k12"
    bad = tmp_path / "bad.nq"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    done = run(env, "load", str(bad), "--store", "disk", expect=2)
    assert "bad.nq" in done.stderr and "line 1" in done.stderr
    assert json.loads(run(env, "query", count, "--store", "disk", "--format", "json").stdout) == before


def test_load_refuses_the_folder_of_the_real_graph(tmp_path, built_env):
    corpus = tmp_path / "synthetic.nq"
    run(built_env, "synth", "--docs", "100", "--seed", "2", "-o", str(corpus))
    done = run(built_env, "load", str(corpus), expect=2)   # VANKIEN_DATA_DIR holds the seeds build
    assert "holds the graph built from the seeds" in done.stderr
