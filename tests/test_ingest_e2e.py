"""Issue 12 end to end, as a user runs it: `vankien ingest` a SYNTHETIC Vietnamese text and the seed
article (`--lang de`, its Quelle URL), `vankien review` (accept some, reject some, leave some pending;
`--accept-all`), `vankien build` into a temporary data folder, `vankien validate` the artifact — then
read the built N-Quads and compare them with the decisions in the claims files:

- the graph conforms to the SHACL shapes (the build checks it; `vankien validate --engine pyshacl`
  checks the artifact again with another engine);
- the claims that reach the graph are exactly the accepted ones, each with its quotes at their
  offsets in the stored source text;
- no claim, quote, triple or entity of a pending or rejected candidate is in the graph.

Every command is a real subprocess (`python -m vankien.cli`) with its own environment; nothing is
written outside the test's temporary folder. The seed article needs the sources folder (skipped with
the reason without it, failed with VANKIEN_REQUIRE_SOURCES=1, as tests/test_quotes.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prerequisites import missing

from vankien.graph.build import build_dataset
from vankien.graph.claims import SeedFile, load_seed_dir, load_seed_file
from vankien.graph.namespaces import OA, VK
from vankien.graph.settings import Settings

SETTINGS = Settings.from_env()
SEED_TEXT = "000_9108560e6253c378.txt"
REVIEWER = "e2e-test"

# SYNTHETIC: written for this test, not a real source; it never enters the real graph.
SYNTHETIC_TEXT = """\
VĂN BẢN TỔNG HỢP (SYNTHETIC), viết để kiểm thử vankien; không phải nguồn thật.
Thực hiện Chỉ thị số 35-CT/TW ngày 14/6/2024 của Bộ Chính trị về đại hội đảng bộ các cấp, Ban Thường \
vụ Tỉnh ủy Điện Biên ban hành Kế hoạch số 158-KH/TU và Hướng dẫn số 03-HD/TU.
Căn cứ Quy định số 24-QĐ/TW ngày 30/7/2021 của Ban Chấp hành Trung ương, Tỉnh ủy Điện Biên ban hành \
Quy định số 12-QĐi/TU.
Năm 2024, toàn tỉnh kết nạp gần 2.500 đảng viên mới; trên 95% tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ.
"""


def vankien(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the command line as a user does; no VANKIEN_* setting of the test run leaks in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VANKIEN_")}
    env.update(VANKIEN_REVIEWER=REVIEWER, NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "vankien.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"vankien {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture
def seed_article() -> Path:
    original = SETTINGS.sources_dir / SEED_TEXT
    if not original.is_file():
        missing("sources", f"source text {SEED_TEXT} not found in {SETTINGS.sources_dir} "
                           "(set VANKIEN_SOURCES_DIR to the folder holding the source articles)")
    return original


def ids_by_rule(claims: SeedFile, prefix: str) -> list[str]:
    return [claim.id for claim in claims.claims if claim.rule and claim.rule.startswith(prefix)]


def claim_id_of(node: URIRef, source_id: str) -> tuple[str, bool] | None:
    """(claim id, derived?) of a claim or quote IRI of the source, else None."""
    match = re.match(re.escape(f"{SETTINGS.base_iri}claim/{source_id}/") + r"([^/#]+)(/derived/)?", str(node))
    return (match.group(1), bool(match.group(2))) if match else None


def triples_by_claim(seeds: list[SeedFile]) -> dict[tuple[str, str], set[tuple]]:
    """What each claim asserts, whatever its review state: the files built with every claim curated
    (the builder mints the IRIs; no shapes are checked here)."""
    everything = [replace(seed, claims=tuple(replace(c, review=None) for c in seed.claims)) for seed in seeds]
    dataset = build_dataset(everything, SETTINGS.base_iri)
    found: dict[tuple[str, str], set[tuple]] = {}
    for seed in seeds:
        graph = dataset.graph(URIRef(f"{SETTINGS.base_iri}graph/{seed.source.id}"))
        for node in graph.subjects(RDF.type, VK.Claim):
            owner = claim_id_of(node, seed.source.id)
            if owner and not owner[1]:
                triple = tuple(graph.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object))
                found.setdefault((seed.source.id, owner[0]), set()).add(triple)
    return found


@pytest.mark.sources
def test_ingest_review_build_from_the_command_line(tmp_path, seed_article):
    sources, data = tmp_path / "sources", tmp_path / "var"
    sources.mkdir()
    shutil.copy(seed_article, sources / SEED_TEXT)             # the curated seed's quotes are checked too
    (tmp_path / "synthetic.txt").write_text(SYNTHETIC_TEXT, encoding="utf-8")
    common = ["--sources-dir", str(sources), "--data-dir", str(data), "--store", "memory"]

    # 1. ingest: the synthetic text, and the seed article with the URL of its "Quelle:" line
    vankien("ingest", "synthetic.txt", "--lang", "vi", "-o", "synthetic.claims.yaml", *common, cwd=tmp_path)
    quelle = re.search(r"^Quelle: (\S+)", seed_article.read_text(encoding="utf-8"), re.M)
    url = ["--url", quelle.group(1)] if quelle else []
    vankien("ingest", str(seed_article), "--lang", "de", *url, "-o", "seed.claims.yaml", *common, cwd=tmp_path)
    synthetic_path, seed_path = tmp_path / "synthetic.claims.yaml", tmp_path / "seed.claims.yaml"
    synthetic, seed = load_seed_file(synthetic_path), load_seed_file(seed_path)
    assert seed.source.url == (quelle.group(1) if quelle else None)

    # 2. review. Synthetic text: reject the implements claim of the plan and the subject, leave the
    # based-on relation and the >95 % figure pending, accept the rest one by one.
    rejected = {synthetic.source.id: [synthetic.claims[i].id for i, c in enumerate(synthetic.claims)
                                      if c.rule == "implements.vi.thuc-hien" and "03-HD/TU" not in c.quote]
                + ids_by_rule(synthetic, "subject.")}
    pending = {synthetic.source.id: ids_by_rule(synthetic, "based_on.")
               + [c.id for c in synthetic.claims if c.rule and c.rule.startswith("figure.") and "95%" in c.quote]}
    accepted = [c.id for c in synthetic.claims
                if c.id not in rejected[synthetic.source.id] + pending[synthetic.source.id]]
    assert len(rejected[synthetic.source.id]) == 2 and len(pending[synthetic.source.id]) == 3
    vankien("review", "synthetic.claims.yaml", "--reject", *rejected[synthetic.source.id], *common, cwd=tmp_path)
    vankien("review", "synthetic.claims.yaml", "--accept", *accepted, *common, cwd=tmp_path)
    # Seed article: reject the implements claim of 158-KH/TU and the "2 Ziele" figure, accept all the rest.
    rejected[seed.source.id] = [c.id for c in seed.claims if c.rule == "implements.de.in-umsetzung"
                                and "doc-158" in c.facts[0].subject] \
        + [c.id for c in seed.claims if c.rule and c.rule.startswith("figure.") and "2 Ziele" in c.quote]
    pending[seed.source.id] = []
    assert len(rejected[seed.source.id]) == 3
    vankien("review", "seed.claims.yaml", "--reject", *rejected[seed.source.id], *common, cwd=tmp_path)
    listed = vankien("review", "seed.claims.yaml", "--accept-all", "--list", *common, cwd=tmp_path).stdout
    assert f"{len(seed.claims) - 3} accepted, 3 rejected" in listed

    # the decisions are in the files, with who and when
    decided = {s.source.id: s for s in (load_seed_file(synthetic_path), load_seed_file(seed_path))}
    for source_id, claims in decided.items():
        for claim in claims.claims:
            expected = ("rejected" if claim.id in rejected[source_id] else
                        "pending" if claim.id in pending[source_id] else "accepted")
            assert claim.review == expected, (source_id, claim.id)
            assert (claim.reviewed_by == REVIEWER) == (expected != "pending")

    # 3. build into the temporary data folder, then check the artifact with pySHACL
    built = vankien("build", "--claims", "synthetic.claims.yaml", "--claims", "seed.claims.yaml", *common,
                    cwd=tmp_path)
    assert "SHACL: conforms" in built.stdout and "not verified" not in built.stderr
    artifact = data / "vankien.nq"
    checked = vankien("validate", str(artifact), "--engine", "pyshacl", *common, cwd=tmp_path)
    assert "conforms" in checked.stdout.lower()
    dataset = Dataset()
    dataset.parse(artifact, format="nquads")

    # 4. compare the graph with the decisions
    curated = load_seed_dir(SETTINGS.seeds_dir)
    asserts = triples_by_claim(curated + list(decided.values()))
    curated_terms = {term for (source_id, _), triples in asserts.items()
                     if source_id in {s.source.id for s in curated} for triple in triples for term in triple}
    for source_id, claims in decided.items():
        graph = dataset.graph(URIRef(f"{SETTINGS.base_iri}graph/{source_id}"))
        text = (sources / claims.source.file).read_text(encoding="utf-8")
        reaching = {c.id for c in claims.claims if c.review == "accepted"}
        left_out = {c.id for c in claims.claims if c.review != "accepted"}
        assert left_out == set(rejected[source_id]) | set(pending[source_id])

        # the claims in the graph are exactly the accepted ones, asserting exactly their triples
        built_claims: dict[str, set[tuple]] = {}
        for node in graph.subjects(RDF.type, VK.Claim):
            owner = claim_id_of(node, source_id)
            assert owner is not None, node
            if not owner[1]:
                triple = tuple(graph.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object))
                built_claims.setdefault(owner[0], set()).add(triple)
                assert triple in graph                              # the claimed triple is asserted
        assert set(built_claims) == reaching
        assert all(built_claims[i] == asserts[(source_id, i)] for i in reaching)

        # every accepted claim has its quotes, at their offsets in the stored text
        for claim in claims.claims:
            if claim.id not in reaching:
                continue
            node = URIRef(f"{SETTINGS.base_iri}claim/{source_id}/{claim.id}/1")
            found = set()
            for quote in graph.objects(node, VK.quotation):
                selectors = list(graph.objects(quote, OA.hasSelector))
                exact = {str(graph.value(s, OA.exact)) for s in selectors if graph.value(s, OA.exact)}
                start = {int(graph.value(s, OA.start)) for s in selectors if graph.value(s, OA.start) is not None}
                end = {int(graph.value(s, OA.end)) for s in selectors if graph.value(s, OA.end) is not None}
                assert len(exact) == len(start) == len(end) == 1, quote
                (exact_text,), (begin,), (stop,) = exact, start, end
                assert text[begin:stop] == exact_text and len(exact_text) < 200
                found.add((exact_text, begin))
            assert found == {(q.quote, q.start) for q in claim.quotes}, claim.id

        # nothing of a pending or rejected candidate: no claim or quote node, no triple that only it
        # asserts, no entity that only it names
        for node in {term for quad in dataset.quads((None, None, None, None)) for term in quad[:3]}:
            owner = claim_id_of(node, source_id) if isinstance(node, URIRef) else None
            assert owner is None or owner[0] not in left_out, node
        kept = set().union(*(asserts[(source_id, i)] for i in reaching))
        dropped = set().union(*(asserts.get((source_id, i), set()) for i in left_out)) - kept
        assert dropped, "the decisions leave some triple out"
        assert {triple for triple in dropped if triple in graph} == set()
        kept_terms = {term for triple in kept for term in triple} | curated_terms
        only_left_out = {term for triple in dropped for term in (triple[0], triple[2])
                         if isinstance(term, URIRef) and term not in kept_terms}
        in_dataset = {term for quad in dataset.quads((None, None, None, None)) for term in (quad[0], quad[2])}
        assert only_left_out & in_dataset == set()
