"""The vankien command as a user runs it: a real process, its output and exit status."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines import free_loopback_port


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
    assert out.count("“den Plan Nr. 158-KH/TU und die Anweisung Nr. 03-HD/TU” [6389:6442] [1], stated") == 2
    # the source by its title and language, as `show` names it, not by its file
    assert "  [1] Worthy of the trust of the Party and the people (editorial title) (de)  <" in out
    assert ".txt" not in out
    data = json.loads(run(built_env, "lineage", "35-CT/TW", "--json").stdout)
    assert {e["notation"] for e in data["implemented_by"]} == {"158-KH/TU", "03-HD/TU"}
    assert data["implements"] == []
    for entry in data["implemented_by"]:
        (evidence,) = entry["path"][-1]["evidence"]
        assert [(q["quote"], q["start"]) for q in evidence["quotes"]] == [
            ("In Umsetzung der Richtlinie Nr. 35-CT/TW", 6138),
            ("den Plan Nr. 158-KH/TU und die Anweisung Nr. 03-HD/TU", 6389)]


@pytest.mark.parametrize("spelling", ["09-DA/TU", "Nr. 09-DA/TU", "09-ĐA/TU", "số 09-ĐA/TU", "09 - DA / TU",
                                      "09 DA TU", "09/DA-TU", "09.ĐA.TU", "DA 09/TU"])
def test_show_accepts_every_spelling(built_env, spelling):
    data = json.loads(run(built_env, "show", spelling, "--json").stdout)
    assert data["iri"] == "https://w3id.org/vankien/id/doc/tu-dien-bien/da/09/unresolved/bdbp-218887-de"


@pytest.mark.parametrize("typed, suggested", [("36-CT/TW", "35-CT/TW"), ("4-NQ/TU", "04-NQ/TU"),
                                               ("35-CT/TX", "35-CT/TW")])
def test_a_number_that_names_nothing_gets_a_suggestion(built_env, typed, suggested):
    done = run(built_env, "show", typed, expect=3 if typed != "35-CT/TX" else 2)
    assert done.stderr.startswith("vankien: error: ") and f"; did you mean {suggested}" in done.stderr


@pytest.mark.parametrize("typed, suggested", [("Chỉ thị 35", "35-CT/TW"), ("Chi thi 35", "35-CT/TW"),
                                               ("158", "158-KH/TU"), ("Kế hoạch số 158", "158-KH/TU")])
def test_a_number_without_its_codes_gets_the_numbers_that_carry_it(built_env, typed, suggested):
    done = run(built_env, "show", typed, expect=2)
    assert done.stderr.startswith("vankien: error: ") and done.stderr.rstrip().endswith(
        f"; did you mean {suggested}?"), done.stderr


def test_show_takes_the_iri_in_angle_brackets_as_it_prints_it(built_env):
    iri = "https://w3id.org/vankien/id/doc/tw/ct/35/k13"
    first_line = run(built_env, "show", "35-CT/TW").stdout.splitlines()[0]
    assert first_line == f"35-CT/TW  <{iri}>"
    assert json.loads(run(built_env, "show", f"<{iri}>", "--json").stdout)["iri"] == iri


def test_show_is_grouped_and_labelled_like_the_page(built_env):
    out = run(built_env, "show", "35-CT/TW").stdout
    sections = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert sections[0].startswith("35-CT/TW  <https://w3id.org/vankien/id/doc/tw/ct/35/k13>")
    # "other statements": the claimed dcterms:subject (the 14th congress), with its quote, which the
    # {BIND} UNION {BIND} evidence query missed on Oxigraph as on Virtuoso (now VALUES).
    assert sections[1:] == ["summary", "implemented by", "other statements", "sources"]
    implemented_by = out.split("\nimplemented by\n", 1)[1].split("\n\n", 1)[0].splitlines()
    documents = [line.split()[0] for line in implemented_by if not line.startswith("      ")]
    assert sorted(documents) == ["03-HD/TU", "158-KH/TU"]
    quotes = [line for line in implemented_by if line.startswith("      ")]
    assert len(quotes) == 2 and all("“In Umsetzung der Richtlinie Nr. 35-CT/TW”" in q and "[1]" in q for q in quotes)
    title = json.loads(run(built_env, "query", "SELECT ?t WHERE { ?s a vk:Source ; dcterms:title ?t FILTER(lang(?t) = 'en') }",
                           "--format", "json").stdout)[0]["t"]
    assert f"  [1] {title} (de)  <https://w3id.org/vankien/id/source/" in out      # the source by its title
    for internal in ("searchKey", "id_local", "vk:", "typeCode", "←"):              # one naming style
        assert internal not in out


def test_show_and_lineage_narrow_by_term_and_place(built_env):
    place = "https://w3id.org/vankien/id/place/dien-bien"
    shown = json.loads(run(built_env, "show", "158-KH/TU", "--term", "14", "--place", place, "--json").stdout)
    assert shown["iri"] == "https://w3id.org/vankien/id/doc/tu-dien-bien/kh/158/k14"
    data = json.loads(run(built_env, "lineage", "158-KH/TU", "--term", "14", "--json").stdout)
    assert [e["notation"] for e in data["implements"]] == ["35-CT/TW"]
    # the place as a CURIE, as documents are named (it answered "no document numbered 158-KH/TU")
    by_curie = json.loads(run(built_env, "show", "158-KH/TU", "--place", "vkid:place/dien-bien", "--json").stdout)
    assert by_curie["iri"] == shown["iri"]


def test_query_formats(built_env):
    q = "SELECT ?n WHERE { ?d vk:implements ?x ; skos:notation ?n } ORDER BY ?n"
    assert json.loads(run(built_env, "query", q, "--format", "json").stdout) == [{"n": "03-HD/TU"}, {"n": "158-KH/TU"}]
    assert run(built_env, "query", q, "--format", "csv").stdout.splitlines() == ["n", "03-HD/TU", "158-KH/TU"]
    assert "(2 rows)" in run(built_env, "query", q).stdout


def test_a_graph_answer_follows_format_json_and_refuses_csv(built_env):
    # CONSTRUCT printed Turtle whatever --format said
    query = "CONSTRUCT { ?d vk:implements ?x } WHERE { ?d vk:implements ?x }"
    graph = rdflib.Graph().parse(data=run(built_env, "query", query, "--format", "json").stdout, format="json-ld")
    implements = rdflib.URIRef("https://w3id.org/vankien/ontology#implements")
    directive = rdflib.URIRef("https://w3id.org/vankien/id/doc/tw/ct/35/k13")
    assert {str(s).rsplit("/", 3)[-3] for s, _, o in graph.triples((None, implements, directive))} == {"kh", "hd"}
    table = rdflib.Graph().parse(data=run(built_env, "query", query).stdout, format="turtle")
    assert set(table) == set(graph)
    for fmt in ("csv", "tsv"):
        refused = run(built_env, "query", query, "--format", fmt, expect=2)
        assert refused.stderr.startswith(f"vankien: error: --format {fmt}: ") and "JSON-LD" in refused.stderr


def test_query_errors_point_at_the_users_lines(built_env):
    done = run(built_env, "query", "SELECT ?n WHERE {\n  ?d skos:notation ?n ;\n     foo:bar ?x }", expect=2)
    assert done.stderr.strip() == "vankien: error: line 3, column 6: the prefix foo: is not declared"
    shown = run(built_env, "query", "SELECT ?n WHERE { ?d a vk:Plan ; skos:notation ?n }", "--format", "csv")
    assert shown.stdout.splitlines()[0] == "n" and "158-KH/TU" in shown.stdout.splitlines()



def test_a_query_the_engine_refuses_is_an_error_at_the_users_line(built_env):
    # rdflib's parser (the guard) lets a wrongly grouped query through; Oxigraph refuses it, and
    # the command line puts its prefixes before the user's text: the line is still the user's.
    done = run(built_env, "query", "SELECT ?d ?n\nWHERE { ?d skos:notation ?n }\nGROUP BY ?d", expect=2)
    assert done.stderr.startswith("vankien: error: SPARQL error: line 3, column ")
    assert "The SELECT contains a variable that is unbound (a grouped query selects only" in done.stderr
    assert "Traceback" not in done.stderr and "..=" not in done.stderr


def test_a_query_file_that_is_not_utf8_is_an_error_at_its_line(built_env, tmp_path):
    latin1 = tmp_path / "query.rq"
    latin1.write_bytes('SELECT ?n WHERE {\n  ?d skos:prefLabel "Bi\xean" }'.encode("latin-1"))   # ê as Latin-1
    done = run(built_env, "query", "--file", str(latin1), expect=2)
    assert done.stderr.startswith(f"vankien: error: {latin1}:2:") and "not UTF-8" in done.stderr
    assert "Traceback" not in done.stderr
    missing = run(built_env, "query", "--file", str(tmp_path / "missing.rq"), expect=3)
    assert missing.stderr.startswith("vankien: error: ") and "missing.rq" in missing.stderr


def test_a_function_the_engine_does_not_know_is_an_error_naming_it(built_env):
    done = run(built_env, "query", "SELECT ?n WHERE { ?d skos:notation ?n FILTER(<urn:example:f>(?n)) }",
               expect=2)
    assert done.stderr.startswith("vankien: error: SPARQL error: ") and "<urn:example:f>" in done.stderr
    assert "Traceback" not in done.stderr

def test_errors_are_one_line_with_distinct_exit_statuses(built_env, tmp_path):
    closed_port = free_loopback_port()      # a loopback port nobody listens on: the store is unreachable
    for args, needle, status in (
            (["show", "12-XY/TU"], "unknown document type code 'XY'", 2),
            (["show", "99-KH/TU"], "no document numbered 99-KH/TU", 3),
            (["show", "158-KH/TU", "--term", "13"], "no document numbered 158-KH/TU of term 13", 3),
            (["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "SERVICE", 2),
            (["query", "SELECT ?x WHERE {"], "error", 2),
            (["validate", str(tmp_path / "missing.nq")], "missing.nq not found", 3),
            (["query", "ASK {}", "--store", "remote", "--remote-query-url",
              f"http://127.0.0.1:{closed_port}/query"], f"127.0.0.1:{closed_port}", 4)):
        done = run(built_env, *args, expect=status)
        assert done.stderr.startswith("vankien: error: ") and needle in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args, option", [(["lineage", "35-CT/TW", "--depth", "0"], "--depth"),
                                          (["lineage", "35-CT/TW", "--depth", "-1"], "--depth"),
                                          (["show", "158-KH/TU", "--term", "0"], "--term"),
                                          (["serve", "--web-workers", "0", "--port", "{port}"], "--web-workers")])
def test_a_count_below_one_is_a_usage_error_naming_the_option(built_env, args, option):
    # --depth 0 answered "implements: (nothing the sources state)" for a directive two plans
    # implement; --web-workers 0 served anyway, announcing "0 web worker(s)".
    args = [arg.format(port=free_loopback_port()) for arg in args]
    done = run(built_env, *args, expect=2)
    assert f"argument {option}: must be a whole number of at least 1, not " in done.stderr
    assert "implements:" not in done.stdout and "serving" not in done.stdout


def test_serve_on_a_port_in_use_is_one_error_before_announcing(built_env):
    import socket
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = run(built_env, "serve", "--port", str(port), expect=2)
    assert done.stderr.startswith(f"vankien: error: port: cannot listen on 127.0.0.1:{port}: "), done.stderr
    assert "serving on" not in done.stdout and "ERROR" not in done.stderr


@pytest.mark.parametrize("command", [["build"], ["show", "35-CT/TW"]])
def test_a_data_dir_that_is_a_file_is_one_error_naming_it(built_env, tmp_path, command):
    not_a_folder = tmp_path / "var.nq"
    not_a_folder.write_text("# a file where the data folder should be\n")
    done = run(built_env, *command, "--data-dir", str(not_a_folder), expect=2)
    assert done.stderr.startswith(f"vankien: error: data folder {not_a_folder}: is a file, not a folder")
    assert "Traceback" not in done.stderr
    assert not_a_folder.read_text() == "# a file where the data folder should be\n"


@pytest.mark.parametrize("web_workers", ["1", "2"])
def test_serve_that_cannot_build_the_graph_is_one_error_before_announcing(built_env, tmp_path, web_workers):
    # the build ran in the server's start-up: uvicorn printed its traceback and exited 3 ("not found")
    (tmp_path / "seeds").mkdir()
    done = run(built_env, "serve", "--seeds-dir", str(tmp_path / "seeds"), "--data-dir", str(tmp_path / "var"),
               "--port", str(free_loopback_port()), "--web-workers", web_workers, expect=2)
    assert done.stderr == f"vankien: error: {tmp_path / 'seeds'}: no *.yaml seed files in this folder\n"
    assert "serving on" not in done.stdout


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


@pytest.mark.parametrize("name, content", [
    ("bad.nt", "<https://example.org/a> <https://example.org/b> .\n"),
    ("bad.rdf", '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                '<rdf:Description rdf:about="https://example.org/a"><x'),
    ("bad.ttl", "<https://example.org/a> a .\n"), ("bad.jsonld", '{"@id": ')])
def test_validate_of_a_malformed_file_is_one_error_naming_it(built_env, tmp_path, name, content):
    # N-Triples and RDF/XML parse errors (rdflib's ParserError, SAXParseException) were tracebacks
    (tmp_path / name).write_text(content, encoding="utf-8")
    done = run(built_env, "validate", str(tmp_path / name), expect=2)
    assert done.stderr.startswith(f"vankien: error: {tmp_path / name}: cannot read it as RDF: "), done.stderr
    assert "Traceback" not in done.stderr


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
    directive = "https://w3id.org/vankien/id/doc/tw/ct/35/k13"
    assert graph.has_edge(plan, directive)
    assert graph.nodes[plan]["kind"] == "document"
    # provenance survives in Gephi: the edge carries its quote, source and evidence kind
    edge = graph.edges[plan, directive]
    claims = json.loads(run(built_env, "query", f"SELECT ?claim ?source ?kind WHERE {{ ?claim rdf:subject <{plan}> ; "
                            f"rdf:predicate vk:implements ; rdf:object <{directive}> ; prov:wasDerivedFrom ?source ; "
                            "vk:evidenceKind ?kind }", "--format", "json").stdout)
    assert "In Umsetzung der Richtlinie Nr. 35-CT/TW" in edge["quote"]
    assert edge["source"] == claims[0]["source"] and edge["evidence"] == claims[0]["kind"].rsplit("#")[-1]
    assert set(edge["claim"].split(" | ")) == {c["claim"] for c in claims}


def test_export_csv_tables(built_env, tmp_path):
    import csv
    import zipfile
    out = tmp_path / "vankien-tables.zip"
    run(built_env, "export", "--format", "csv", "-o", str(out))
    archive = zipfile.ZipFile(out)
    assert sorted(archive.namelist()) == ["documents.csv", "figures.csv", "relations.csv"]
    table = {name: list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8"))))
             for name in ("documents", "relations", "figures")}
    count = lambda query: json.loads(run(built_env, "query", query, "--format", "json").stdout)[0]["n"]  # noqa: E731
    assert len(table["documents"]) == count("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d vk:numberStatus ?s }")
    assert len(table["relations"]) == count("SELECT (COUNT(?c) AS ?n) WHERE { ?c a vk:Claim }")
    assert len(table["figures"]) == count("SELECT (COUNT(?o) AS ?n) WHERE { ?o a vk:Observation }")
    implements = [r for r in table["relations"] if r["predicate"].endswith("#implements")
                  and r["object_number"] == "35-CT/TW"]
    assert {r["subject_number"] for r in implements} == {"158-KH/TU", "03-HD/TU"}
    assert all("In Umsetzung der Richtlinie Nr. 35-CT/TW" in r["quote"] and r["source"] for r in implements)


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
    # a file with no quads (the wrong file, surely) would leave an empty graph served
    empty = tmp_path / "empty.nq"
    empty.write_text("# nothing here\n\n", encoding="utf-8")
    done = run(env, "load", str(empty), "--store", "disk", expect=2)
    assert done.stderr == f"vankien: error: {empty} holds no quads: nothing loaded, the disk store is unchanged\n"
    assert json.loads(run(env, "query", count, "--store", "disk", "--format", "json").stdout) == before


def test_load_refuses_the_folder_of_the_real_graph(tmp_path, built_env):
    corpus = tmp_path / "synthetic.nq"
    run(built_env, "synth", "--docs", "100", "--seed", "2", "-o", str(corpus))
    done = run(built_env, "load", str(corpus), expect=2)   # VANKIEN_DATA_DIR holds the seeds build
    assert "holds the graph built from the seeds" in done.stderr


def test_load_of_a_folder_says_it_is_a_folder(tmp_path, built_env):
    done = run(built_env, "load", str(tmp_path), "--data-dir", str(tmp_path / "var"), expect=2)
    assert done.stderr == f"vankien: error: {tmp_path} is a folder: give the N-Quads file to load\n"


def test_version_and_python_dash_m(built_env):
    from vankien import __version__
    for command in (["vankien.cli"], ["vankien"]):
        done = subprocess.run([sys.executable, "-m", *command, "--version"], capture_output=True, text=True,
                              env=built_env, timeout=60)
        assert done.returncode == 0 and done.stdout.strip() == f"vankien {__version__}"
    usage = subprocess.run([sys.executable, "-m", "vankien", "show"], capture_output=True, text=True,
                           env=built_env, timeout=60)
    assert usage.returncode == 2 and "usage: vankien show" in usage.stderr


@pytest.mark.parametrize("command", ["show 35-CT/TW", "query 'SELECT * WHERE { ?s ?p ?o }'"])
def test_a_closed_pipe_ends_quietly(built_env, command):
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m vankien {command} | head -1; "
                           "echo \"status=${PIPESTATUS[0]}\" >&2"],
                          capture_output=True, text=True, env=built_env, timeout=120)
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1] in ("status=0", "status=141")
