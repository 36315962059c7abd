"""Candidate claims files: only curated and accepted claims reach the graph; several quotes per claim;
each mistake in the review keys is one clear error naming file and line."""

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from vankien.graph.build import BuildError, build_dataset
from vankien.graph.claims import SeedError, graph_view, load_seed_file, verify_quotes
from vankien.graph.namespaces import OA, VK
from vankien.graph.validate import validate_dataset

HERE = Path(__file__).parent
CANDIDATES = HERE / "fixtures" / "candidates"
SEEDS = HERE / "fixtures" / "seeds"
ID = "https://w3id.org/vankien/id/"


def _doc(path: str) -> URIRef:
    return URIRef(ID + "doc/" + path)


PLAN_9 = _doc("tu-testprov/kh/09/unresolved/candidates-synthetic")
GUIDANCE_2 = _doc("tu-testprov/hd/02/unresolved/candidates-synthetic")
GUIDANCE_1 = _doc("tu-testprov/hd/01/unresolved/candidates-synthetic")
DIRECTIVE = _doc("tw/ct/05/k12")
BOARD = URIRef(ID + "body/testprov/ban-to-chuc")


@pytest.fixture(scope="module")
def built() -> Dataset:
    seeds = [load_seed_file(SEEDS / "tiny.yaml"), load_seed_file(CANDIDATES / "candidates.yaml")]
    return build_dataset(seeds, ID)


def test_review_keys_load():
    seed = load_seed_file(CANDIDATES / "candidates.yaml")
    states = {c.id: (c.review, c.rule, c.confidence, c.reaches_graph) for c in seed.claims}
    assert states == {"k1": ("accepted", "implements.en.in-implementation-of", 0.9, True),
                      "k2": ("pending", "issuer.en.issued-by", 0.7, False),
                      "k3": ("rejected", "replaces.en.replaces", 0.8, False)}
    k1 = seed.claims[0]
    assert [(q.quote, q.start, q.end) for q in k1.quotes] == [
        ("In implementation of Directive 5-CT/TW", 38, 76), ("Plan 9-KH/TU and Guidance 2-HD/TU", 94, 127)]
    assert (k1.reviewed_by, k1.reviewed_at) == ("synthetic reviewer", "2026-12-01T09:00:00Z")
    text = (CANDIDATES / "candidates-source.txt").read_text(encoding="utf-8")
    assert verify_quotes(seed, text) == []


def test_graph_view_keeps_accepted_claims_and_their_entities_only():
    view = graph_view(load_seed_file(CANDIDATES / "candidates.yaml"))
    assert [c.id for c in view.claims] == ["k1"]
    assert set(view.entities) == {"plan-9", "guidance-2", "directive"}


def test_pending_and_rejected_never_reach_the_graph(built):
    graph = built.graph(URIRef(ID + "graph/candidates-synthetic"))
    assert {(s, o) for s, o in graph.subject_objects(VK.implements)} == {(PLAN_9, DIRECTIVE),
                                                                         (GUIDANCE_2, DIRECTIVE)}
    everywhere = {term for quad in built.quads((None, None, None, None)) for term in quad[:3]}
    assert GUIDANCE_1 not in everywhere                       # only a rejected claim names it
    assert (PLAN_9, VK.issuedBy, None) not in graph           # pending
    assert (GUIDANCE_2, VK.replaces, None) not in graph       # rejected
    claim_ids = {str(c).split("/")[-2] for c in graph.subjects(RDF.type, VK.Claim)}
    assert claim_ids == {"k1"}
    assert BOARD not in {s for s in graph.subjects()}         # the board only in a pending claim


def test_a_claim_with_two_quotes_gets_both_with_offsets(built):
    graph = built.graph(URIRef(ID + "graph/candidates-synthetic"))
    claim = next(c for c in graph.subjects(RDF.subject, PLAN_9) if (c, RDF.predicate, VK.implements) in graph)
    passages = set()
    for quote in graph.objects(claim, VK.quotation):
        selectors = list(graph.objects(quote, OA.hasSelector))
        exact = next(graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact))
        start = next(graph.value(s, OA.start) for s in selectors if graph.value(s, OA.start) is not None)
        passages.add((str(exact), start.toPython()))
    assert passages == {("In implementation of Directive 5-CT/TW", 38), ("Plan 9-KH/TU and Guidance 2-HD/TU", 94)}


def test_built_candidates_pass_the_shapes(built):
    report = validate_dataset(built)
    assert report.conforms, report.text()


def test_term_evidence_comes_from_any_file_built_together():
    candidates = load_seed_file(CANDIDATES / "candidates.yaml")
    with pytest.raises(BuildError, match=r"candidates.yaml:\d+: entity 'directive' is declared in term 12"):
        build_dataset([candidates], ID)


def test_two_files_with_one_source_id_are_refused(tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text((SEEDS / "tiny.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(BuildError, match=r"copy.yaml:1: source id 'tiny-synthetic' is already used by"):
        build_dataset([load_seed_file(SEEDS / "tiny.yaml"), load_seed_file(copy)], ID)


HEAD = """source: {id: s, file: t.txt, language: en}
entities:
  plan: {document: "7-KH/TU", jurisdiction: x, term: unknown}
claims:
  - id: c1
    evidence: stated
    facts: [plan a vk:Plan]
"""


@pytest.mark.parametrize("extra, message", [
    ('    quote: "a"\n    start: 0\n    review: maybe\n', r":5: claim c1: review must be one of pending, accepted, rejected"),
    ('    quote: "a"\n    start: 0\n    review: accepted\n', r":5: claim c1: review accepted needs reviewed_by and reviewed_at"),
    ('    quote: "a"\n    start: 0\n    reviewed_by: me\n    reviewed_at: "2026-01-01T00:00:00Z"\n',
     r":5: claim c1: reviewed_by/reviewed_at belong to an accepted or rejected claim"),
    ('    quote: "a"\n    start: 0\n    confidence: 1.5\n', r":5: claim c1: confidence must be a number in \[0, 1\]"),
    ('    quote: "a"\n    start: 0\n    quotes: [{quote: "a", start: 0}]\n', r":5: claim c1: give either 'quote' and 'start' or a 'quotes'"),
    ('    evidence_x: 1\n', r":5: unknown key\(s\) \['evidence_x'\] in a claim"),
    ('    quotes: []\n', r":5: claim c1: 'quotes' must be a non-empty list"),
    ('    quotes:\n      - {quote: "a"}\n', r":9: a quote of claim c1 needs 'start'"),
    ('    quotes:\n      - {quote: "a", start: -1}\n', r":9: claim c1: start must be a character offset"),
])
def test_review_key_mistakes_name_file_and_line(tmp_path, extra, message):
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + extra, encoding="utf-8")
    with pytest.raises(SeedError, match="bad.yaml" + message):
        load_seed_file(path)


def test_cli_build_with_claims_builds_accepted_only(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "vankien.cli", "build", "--seeds-dir", str(SEEDS), "--sources-dir",
         str(CANDIDATES), "--data-dir", str(tmp_path), "--claims", str(CANDIDATES / "candidates.yaml")],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = Dataset()
    data.parse(tmp_path / "vankien.nq", format="nquads")
    assert {(s, o) for s, _, o, _ in data.quads((None, VK.implements, None, None))} >= {
        (PLAN_9, DIRECTIVE), (GUIDANCE_2, DIRECTIVE)}
    assert not list(data.quads((None, VK.replaces, None, None)))
    assert not list(data.quads((PLAN_9, VK.issuedBy, None, None)))
    assert "candidates-source.txt" not in done.stderr    # its quotes were checked


def test_claims_paths_survive_the_settings_environment_round_trip():
    from vankien.graph.settings import Settings
    settings = Settings(claims=(CANDIDATES / "candidates.yaml", SEEDS))
    assert Settings.from_env(settings.environment()).claims == settings.claims
    assert Settings.from_env(Settings().environment()).claims == ()


# A claims file edited by hand into nonsense, after a good build: `vankien build` is one clear error
# naming the file and line, and the last good graph (with its accepted claims) stays as it was.
NONSENSE = [
    ("binary", lambda text: "\x00\x01" + text, "candidates.yaml:1: not valid YAML: character #x0000"),
    ("control-byte", lambda text: text.replace("  - id: k2\n", "  - id: k2\x07\n"),
     "candidates.yaml:33: not valid YAML: character #x0007"),
    ("tab", lambda text: text.replace("  - id: k2\n", "\t- id: k2\n"), "candidates.yaml:33: not valid YAML"),
    ("not-a-mapping", lambda text: "- just\n- a list\n", "candidates.yaml:1: the seed file must be a mapping"),
    ("claims-not-a-list", lambda text: text.split("claims:")[0] + "claims: 5\n", "candidates.yaml:3: 'claims' must be a list"),
    ("accepted-without-reviewer", lambda text: text.replace("    review: pending\n", "    review: accepted\n"),
     "candidates.yaml:33: claim k2: review accepted needs reviewed_by"),
    ("half-a-fact", lambda text: text.replace("      - plan-9 vk:issuedBy board\n", "      - plan-9 vk:issuedBy\n"),
     "candidates.yaml:38: a fact is 'subject predicate object'"),
    ("quote-moved", lambda text: text.replace('start: 38}', 'start: 39}'),
     "candidates.yaml:20: claim k1: text at 39:77"),
]


@pytest.mark.parametrize(("name", "breakage", "where"), NONSENSE, ids=[n for n, _, _ in NONSENSE])
def test_a_claims_file_edited_into_nonsense_fails_the_build_and_loses_nothing(tmp_path, capsys, name, breakage,
                                                                               where):
    from vankien.cli.commands import main
    claims, data = tmp_path / "candidates.yaml", tmp_path / "var"
    for file in ("candidates.yaml", "candidates-source.txt"):
        claims.with_name(file).write_bytes((CANDIDATES / file).read_bytes())
    common = ["--seeds-dir", str(SEEDS), "--sources-dir", str(tmp_path), "--data-dir", str(data),
              "--store", "memory", "--claims", str(claims)]
    assert main(["build", *common]) == 0
    good = {path.name: path.read_bytes() for path in data.iterdir() if path.is_file()}
    capsys.readouterr()
    broken = breakage(claims.read_text(encoding="utf-8"))
    claims.write_text(broken, encoding="utf-8")
    assert main(["build", *common]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vankien: error: ") and "Traceback" not in err
    assert where in err and f"{claims}:" in err, err
    assert len(err.strip().splitlines()) <= 2                     # the error, or a header and the one quote
    assert claims.read_text(encoding="utf-8") == broken           # the build never rewrites a claims file
    assert {path.name: path.read_bytes() for path in data.iterdir() if path.is_file()} == good
    last_good = Dataset()
    last_good.parse(data / "vankien.nq", format="nquads")
    assert list(last_good.quads((PLAN_9, VK.implements, DIRECTIVE, None)))      # k1, accepted, still there
