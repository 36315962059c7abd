"""`vankien ingest`: extraction on the SYNTHETIC development set, resolution across terms, bad
input, HTML, and the seed article end to end (ingest → accept → build → SHACL, quotes at offsets).

The seed-article tests need the sources folder (../shared/seeds or VANKIEN_SOURCES_DIR); without it
they skip and say why (CI sets VANKIEN_REQUIRE_SOURCES=1 to fail instead), as tests/test_quotes.py.
"""

from __future__ import annotations

import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from rdflib import URIRef
from rdflib.namespace import RDF

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prerequisites import missing

from vankien.cli.commands import main
from vankien.graph.claims import load_seed_dir, load_seed_file
from vankien.graph.ingest import ingest_file
from vankien.graph.ingest.evaluate import gold_sets, summarise
from vankien.graph.ingest.numbers import parse_number
from vankien.graph.ingest.resolve import place_in_term
from vankien.graph.namespaces import OA, VK
from vankien.graph.pipeline import build_from_seeds
from vankien.graph.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
DEVSET = yaml.safe_load((FIXTURES / "devset.yaml").read_text(encoding="utf-8"))
SETTINGS = Settings.from_env()
SEEDS = load_seed_dir(SETTINGS.seeds_dir)
SEED_TEXT = "000_9108560e6253c378.txt"
QUELLE = "https://baodienbienphu.com.vn/tin-tuc/Xay%20dung%20dang/218887/xung-dang-voi-su-tin-cay-cua-dang-va-nhan-dan"


def ingest_text(tmp_path: Path, text: str, lang: str, name: str = "text"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return ingest_file(path, seeds=SEEDS, sources_dir=tmp_path / "sources", base_iri=SETTINGS.base_iri,
                       output=tmp_path / f"{name}.claims.yaml", lang=lang)


def test_devset_is_synthetic_and_covers_the_languages():
    assert DEVSET["synthetic"] is True
    langs = [item["lang"] for item in DEVSET["texts"]]
    assert (langs.count("vi"), langs.count("de"), langs.count("en")) >= (8, 4, 4)


@pytest.mark.parametrize(("written", "lang", "value"), [
    ("8.279", "de", 8279), ("8.279", "vi", 8279), ("2.310,5", "vi", Decimal("2310.5")),
    ("2.310,5", "de", Decimal("2310.5")), ("41,775", "en", 41775), ("10,5", "vi", Decimal("10.5")),
    ("10.5", "en", Decimal("10.5")), ("1.446", "de", 1446)])
def test_numbers_in_each_language_format(written, lang, value):
    assert parse_number(written, lang) == value


def test_a_date_places_a_document_in_a_term_or_says_why_not():
    import datetime as dt
    assert place_in_term(dt.date(2024, 6, 14), "tw").term == 13
    assert place_in_term(dt.date(2019, 5, 30), "tw").term == 12
    assert place_in_term(dt.date(2021, 6, 14), "dien-bien").term == 14
    assert place_in_term(dt.date(2025, 11, 20), "dien-bien").term == 15
    during = place_in_term(dt.date(2026, 1, 21), "tw")
    assert during.term is None and "during congress 14" in during.how
    assert place_in_term(dt.date(2023, 2, 2), "lai-chau").term is None      # no sourced boundaries
    assert all(source.startswith("http") for source in place_in_term(dt.date(2024, 6, 14), "tw").sources)


@pytest.mark.parametrize("item", DEVSET["texts"], ids=[item["id"] for item in DEVSET["texts"]])
def test_devset_text_gives_its_gold_claims(tmp_path, item):
    result = ingest_text(tmp_path, item["text"], item["lang"], item["id"])
    found, gold = summarise(result.candidates.document), gold_sets(item["gold"])
    assert found.documents == gold.documents
    assert found.relations == gold.relations
    assert found.figures == gold.figures
    assert found.subjects == gold.subjects
    claims_file = load_seed_file(result.claims_file)            # the loader reads what ingest writes
    assert {claim.review for claim in claims_file.claims} == {"pending"}
    text = (tmp_path / "sources" / claims_file.source.file).read_text(encoding="utf-8")
    for claim in claims_file.claims:
        assert claim.rule and 0 <= claim.confidence <= 1
        assert all(text[q.start:q.end] == q.quote and len(q.quote) < 200 for q in claim.quotes)
    rows = {kind: {row["notation"]: row for row in result.report[kind]}
            for kind in ("resolved", "new", "needs_review", "in_conflict")}
    for notation, status in item["gold"].get("status", {}).items():
        kind = {"resolved": "resolved", "new": "new", "needs-review": "needs_review"}[status]
        assert notation in rows[kind], (notation, status, result.report)
    terms = {}
    for spec in claims_file.entities.values():
        if spec.kind == "document":
            terms.setdefault(spec.reference.notation, set()).add(spec.spec["term"])
    for notation, term in item["gold"].get("terms", {}).items():
        assert terms[notation] == {term}
    for notation, both in item["gold"].get("two_terms", {}).items():
        assert terms[notation] == set(both)                     # same number, two terms: two documents
    assert set(rows["in_conflict"]) == set(item["gold"].get("conflicts", []))
    for row in result.report["needs_review"]:
        assert row["term"] == "unknown" and "/unresolved/" in row["iri"]       # never merged


def test_an_undecidable_reference_lists_its_candidates_and_is_not_merged(tmp_path):
    item = next(i for i in DEVSET["texts"] if i["id"] == "vi-08-undecidable")
    result = ingest_text(tmp_path, item["text"], "vi")
    row = next(r for r in result.report["needs_review"] if r["notation"] == "158-KH/TU")
    assert row["candidates"] == ["https://w3id.org/vankien/id/doc/tu-dien-bien/kh/158/k14"]
    assert row["iri"] != row["candidates"][0]
    note = next(c["note"] for c in result.candidates.document["claims"]
                if c.get("note") and "158" in c["quote"])
    assert "never merged" in note and "k14" in note


# --- bad input: one clear error naming the file ---------------------------------------------------

def run_cli(tmp_path, capsys, path: Path, *extra: str) -> tuple[int, str]:
    code = main(["ingest", str(path), "--sources-dir", str(tmp_path / "sources"),
                 "-o", str(tmp_path / "out.claims.yaml"), *extra])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("latin1.txt", "Thực hiện\nChỉ thị số 35-CT/TW\n".encode() + b"\nNgh\xe9 quy\xeat", ":4: not UTF-8"),
    ("empty.txt", b"  \n", "the file is empty"),
    ("utf16.txt", "Chỉ thị số 35-CT/TW".encode("utf-16"), ":1: UTF-16 text, not UTF-8"),
    ("binary.txt", b"\x7fELF\x02\x01\x00\x00\x00", "binary file"),
    ("nomain.html", b"<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
     "HTML page with no main text"),
])
def test_bad_input_is_one_clear_error_naming_the_file(tmp_path, capsys, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    code, err = run_cli(tmp_path, capsys, path)
    assert code == 2
    assert err.startswith(f"vankien: error: {path}") and expected in err and "Traceback" not in err
    assert not (tmp_path / "out.claims.yaml").exists()


@pytest.mark.parametrize(("name", "content"), [
    ("latin1.txt", b"Ngh\xe9 quy\xeat"), ("empty.txt", b""), ("binary.txt", b"\x7fELF\x02\x01\x00"),
    ("nomain.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>")])
def test_bad_input_never_touches_a_reviewed_claims_file_even_forced(tmp_path, capsys, name, content):
    reviewed = tmp_path / "out.claims.yaml"
    reviewed.write_text("# decisions a person made\n", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    code, err = run_cli(tmp_path, capsys, tmp_path / name, "--force")
    assert code == 2 and err.startswith(f"vankien: error: {tmp_path / name}") and "Traceback" not in err
    assert reviewed.read_text(encoding="utf-8") == "# decisions a person made\n"
    assert not (tmp_path / "sources").exists() or not list((tmp_path / "sources").iterdir())


def test_a_50_mb_file_is_refused(tmp_path, capsys):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as out:
        out.truncate(50 * 1024 * 1024)
    code, err = run_cli(tmp_path, capsys, path)
    assert code == 2 and f"{path}: 52.4 MB is too large" in err


def test_html_page_main_text_is_stored_under_its_sha256(tmp_path, capsys):
    article = ("<p>Thực hiện Chỉ thị số 35-CT/TW ngày 14/6/2024 của Bộ Chính trị về đại hội đảng bộ các cấp, "
               "Ban Thường vụ Tỉnh ủy Điện Biên ban hành Kế hoạch số 158-KH/TU.</p>"
               "<p>Đây là văn bản tổng hợp (SYNTHETIC) dùng để kiểm thử trích xuất nội dung chính của trang.</p>")
    page = (f"<!DOCTYPE html><html><head><title>Tin</title></head><body><nav><a href='/'>Trang chủ</a>"
            f"<a href='/x'>Xây dựng Đảng</a></nav><article><h1>Tin tổng hợp</h1>{article}</article>"
            f"<footer>© Báo mẫu · Liên hệ · Quảng cáo</footer></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    code, out = main(["ingest", str(path), "--sources-dir", str(tmp_path / "sources"), "--url",
                      "https://example.org/tin", "-o", str(tmp_path / "page.claims.yaml")]), capsys.readouterr().out
    assert code == 0 and "report:" in out
    claims = load_seed_file(tmp_path / "page.claims.yaml")
    stored = tmp_path / "sources" / claims.source.file
    text = stored.read_text(encoding="utf-8")
    assert claims.source.file == f"{claims.source.sha256}.txt" and claims.source.url == "https://example.org/tin"
    assert "Trang chủ" not in text and "Quảng cáo" not in text and "158-KH/TU" in text
    assert all(text[q.start:q.end] == q.quote for c in claims.claims for q in c.quotes)
    report = yaml.safe_load((tmp_path / "page.report.json").read_text(encoding="utf-8"))
    assert {row["notation"] for row in report["resolved"]} == {"35-CT/TW"}


# --- the seed article, end to end -------------------------------------------------------------------

@pytest.fixture
def seed_sources(tmp_path) -> Path:
    original = SETTINGS.sources_dir / SEED_TEXT
    if not original.is_file():
        missing("sources", f"source text {SEED_TEXT} not found in {SETTINGS.sources_dir} "
                           "(set VANKIEN_SOURCES_DIR to the folder holding the source articles)")
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(original, folder / SEED_TEXT)
    return folder


def decide(claims_path: Path, decisions: dict[str, str]) -> dict:
    """Accept every claim (as `vankien review --accept-all` does) except those given other decisions."""
    document = yaml.safe_load(claims_path.read_text(encoding="utf-8"))
    for claim in document["claims"]:
        claim.update(review=decisions.get(claim["id"], "accepted"), reviewed_by="test",
                     reviewed_at="2026-12-01T10:00:00Z")
        if claim["review"] == "pending":
            del claim["reviewed_by"], claim["reviewed_at"]
    claims_path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return document


@pytest.mark.sources
def test_seed_article_recall_on_curated_documents_and_implements(tmp_path, seed_sources, capsys):
    code = main(["ingest", str(seed_sources / SEED_TEXT), "--lang", "de", "--url", QUELLE,
                 "--sources-dir", str(seed_sources), "-o", str(tmp_path / "seed.claims.yaml")])
    assert code == 0
    found = summarise(decide(tmp_path / "seed.claims.yaml", {}), accepted_only=True)
    curated = summarise(yaml.safe_load((SETTINGS.seeds_dir / "dien-bien-2024.yaml").read_text(encoding="utf-8")))
    implements = {r for r in curated.relations if r[1] == "vk:implements"}
    assert curated.documents == {"35-CT/TW", "04-NQ/TU", "158-KH/TU", "03-HD/TU", "09-ĐA/TU", "66-KH/TU"}
    assert curated.documents <= found.documents                        # recall 1.0
    assert implements and implements <= found.relations                # recall 1.0
    curated_by_value = {(value, unit): approximation for value, unit, approximation in curated.figures}
    assert {(v, u, a) for v, u, a in found.figures if (v, u) in curated_by_value} == \
        {(v, u, curated_by_value[(v, u)]) for v, u, _ in found.figures if (v, u) in curated_by_value}
    assert (2500, "vk:UnitPerYear", "vk:Nearly") in found.figures & curated.figures     # "fast 2.500"
    precision = len(found.relations & curated.relations) / len(found.relations)
    with capsys.disabled():
        print(f"\nseed article: documents precision {len(found.documents & curated.documents) / len(found.documents):.2f}, "
              f"relations precision {precision:.2f}")


@pytest.mark.sources
def test_accepted_candidates_build_valid_and_pending_or_rejected_never_appear(tmp_path, seed_sources):
    result = ingest_file(seed_sources / SEED_TEXT, seeds=SEEDS, sources_dir=seed_sources,
                         base_iri=SETTINGS.base_iri, output=tmp_path / "seed.claims.yaml", lang="de", url=QUELLE)
    claims = result.candidates.document["claims"]
    advice = next(c for c in claims if "vk:advisedBy" in c["facts"][0] and "04" in c["facts"][0])
    implements = next(c for c in claims if c["facts"][0].endswith("vk:implements doc-35-ct-tw"))
    decide(result.claims_file, {advice["id"]: "pending", implements["id"]: "rejected"})
    settings = Settings.from_env(sources_dir=seed_sources, claims=(result.claims_file,),
                                 data_dir=tmp_path / "var")
    dataset, build = build_from_seeds(settings)                   # raises unless SHACL conforms
    assert "ingest-3c6b0bd4582d" in build.sources and not build.unverified_sources
    graph = dataset.graph(URIRef(SETTINGS.base_iri + "graph/ingest-3c6b0bd4582d"))
    text = (seed_sources / result.candidates.document["source"]["file"]).read_text(encoding="utf-8")
    checked = 0
    for claim in graph.subjects(RDF.type, VK.Claim):
        for quote in graph.objects(claim, VK.quotation):
            selectors = list(graph.objects(quote, OA.hasSelector))
            exact = next(graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact) is not None)
            start = next(graph.value(s, OA.start) for s in selectors if graph.value(s, OA.start) is not None)
            end = next(graph.value(s, OA.end) for s in selectors if graph.value(s, OA.end) is not None)
            assert text[int(start):int(end)] == str(exact)
            checked += 1
    assert checked >= len(claims) - 2
    doc = lambda number: URIRef(SETTINGS.base_iri + f"doc/{number}/unresolved/ingest-3c6b0bd4582d")  # noqa: E731
    btc = URIRef(SETTINGS.base_iri + "body/dien-bien/ban-to-chuc-tinh-uy")
    assert (doc("tu-dien-bien/kh/158"), VK.advisedBy, btc) in graph            # accepted
    assert (doc("tu-dien-bien/nq/04"), VK.advisedBy, btc) not in graph         # pending
    assert (doc("tu-dien-bien/kh/158"), VK.implements, doc("tw/ct/35")) not in graph   # rejected
    assert (doc("tu-dien-bien/hd/03"), VK.implements, doc("tw/ct/35")) in graph        # its own claim
    rejected = URIRef(SETTINGS.base_iri + f"claim/ingest-3c6b0bd4582d/{implements['id']}/quote")
    assert not list(dataset.quads((rejected, None, None, None)))


# every cue, date and number format the issue names is exercised by the development set
REQUIRED_RULES = {
    "implements.vi.thuc-hien", "implements.vi.trien-khai", "implements.vi.trien-khai-thuc-hien",
    "implements.vi.cu-the-hoa", "implements.vi.quan-triet", "implements.de.in-umsetzung",
    "implements.de.zur-umsetzung", "implements.de.konkretisieren", "implements.en.implementing",
    "implements.en.in-implementation-of", "implements.en.to-implement", "based_on.vi.can-cu",
    "amends.vi.sua-doi-bo-sung", "replaces.vi.thay-the", "advised_by.vi.tham-muu",
    "advised_by.de.empfahl", "advised_by.en.advised", "issued_by.vi.ban-hanh", "issuer.vi.after-number",
    "issuer.de.after-number", "issuer.en.after-number", "subject.vi.marker", "subject.de.marker",
    "subject.en.marker", "figure.vi.peryear.nearly", "figure.de.peryear.nearly",
    "figure.en.peryear.nearly", "figure.vi.person.approximately", "figure.vi.percent.more-than",
    "figure.de.percent.more-than", "figure.en.organisation.more-than", "term.date-in-term-table"}
REQUIRED_WRITINGS = ("Chỉ thị số 35-CT/TW", "Richtlinie Nr.", "Directive No.", "ngày 14/6/2024",
                     "tháng 6 năm", "vom 14. Juni 2024", "dated June 14, 2024", "8.279", "2.310,5",
                     "41,775", "10,5%", "Ban Thường vụ Tỉnh ủy Điện Biên ban hành", "des Politbüros",
                     "of the Politburo", "của Bộ Chính trị", " về ", " zu ", " on ", "gần ", "fast ",
                     "nearly ", "trên ", "über ", "over ")
# every spelling of a document number the identifier parser reads (graph/identifiers.py), as written
REQUIRED_SPELLINGS = ("35 - CT/TƯ", "158–KH/TU", "01\u2011KL/TW", "09-DA/TU", "66-kh/tu", "24 – QĐ/TW",
                      "12-Q\u00d0i/TU", "Nummer 35-ct/tw", "Nr.\u00a0158 – KH / TU", "No 35–CT/TW",
                      "158\u2212KH/TU", "Chi thi so 35-CT/TW")


def test_devset_covers_every_cue_date_and_number_format(tmp_path):
    used = set()
    for item in DEVSET["texts"]:
        used |= {claim["rule"] for claim in extract_claims(tmp_path, item)}
    assert REQUIRED_RULES - used == set()
    texts = " ".join(" ".join(item["text"].split()) for item in DEVSET["texts"])
    assert [w for w in REQUIRED_WRITINGS if w not in texts] == []
    as_written = " ".join(item["text"] for item in DEVSET["texts"])
    assert [w for w in REQUIRED_SPELLINGS if w not in as_written] == []
    # a collision across terms (same number, two terms) and an undecidable reference
    assert any(item["gold"].get("conflicts") and item["gold"].get("two_terms") for item in DEVSET["texts"])
    assert any("unknown" in item["gold"].get("terms", {}).values()
               and "needs-review" in item["gold"].get("status", {}).values() for item in DEVSET["texts"])


def test_qualifiers_mean_what_the_ontology_defines():
    """One meaning per qualifier word: each rules row names an approximation concept of the ontology,
    holds that concept's names (gần / fast / nearly → vk:Nearly, a narrower vk:Approximately;
    trên / über / over → vk:MoreThan, a lower bound) and no word is in two rows."""
    from rdflib import Graph
    from rdflib.namespace import SKOS
    from vankien.graph.ingest.rules import rules
    ontology = Graph().parse(Path(__file__).parents[1] / "ontology" / "vankien.ttl")
    rows = rules()["qualifiers"]
    concepts = {spec["concept"]: spec["words"] for spec in rows.values()}
    assert set(concepts) == {"vk:Nearly", "vk:Approximately", "vk:MoreThan"}
    assert (VK.Nearly, SKOS.broader, VK.Approximately) in ontology
    for curie, words in concepts.items():
        concept = VK[curie.removeprefix("vk:")]
        assert (concept, RDF.type, VK.Approximation) in ontology
        for label in ontology.objects(concept, SKOS.prefLabel):
            assert str(label).lower() in words[label.language], (curie, label)
    assert {"gần", "fast", "nearly"} <= set().union(*concepts["vk:Nearly"].values())
    assert {"trên", "über", "over"} <= set().union(*concepts["vk:MoreThan"].values())
    for lang in ("vi", "de", "en"):
        every = [word for words in concepts.values() for word in words[lang]]
        assert len(every) == len(set(every)), lang


def extract_claims(tmp_path: Path, item: dict) -> list[dict]:
    return ingest_text(tmp_path / item["id"], item["text"], item["lang"], item["id"]).candidates.document["claims"]


def test_language_is_detected_for_every_synthetic_text():
    from vankien.graph.ingest.text import detect_language
    heldout = yaml.safe_load((FIXTURES / "heldout.yaml").read_text(encoding="utf-8"))["texts"]
    assert {item["id"]: detect_language(item["text"]) for item in DEVSET["texts"] + heldout} == \
        {item["id"]: item["lang"] for item in DEVSET["texts"] + heldout}


def test_every_term_boundary_has_its_source():
    from vankien.graph.ingest.resolve import term_table
    table = term_table()
    assert set(table) >= {"tw", "dien-bien"}
    assert [c.ordinal for c in table["tw"]] == [11, 12, 13, 14]          # national congresses XI–XIV
    for congresses in table.values():
        for congress in congresses:
            assert congress.start <= congress.end and congress.source.startswith(("https://", "http://"))
        assert all(a.end < b.start for a, b in zip(congresses, congresses[1:]))


def test_bad_date_option_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "t.txt"
    path.write_text("Kế hoạch số 158-KH/TU.", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", str(path), "--date", "14/6/2024"])
    assert exit_info.value.code == 2 and "'14/6/2024' is not a date YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["not a url", "baodienbienphu.com.vn/tin-tuc/1", "file:///etc/passwd", "https://"])
def test_a_source_url_that_is_no_web_address_is_a_clear_error(tmp_path, capsys, url):
    # it was recorded as the source's vk:sourceUrl as given
    path = tmp_path / "t.txt"
    path.write_text("Kế hoạch số 158-KH/TU.", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", str(path), "--url", url, "-o", str(tmp_path / "out.claims.yaml")])
    assert exit_info.value.code == 2
    assert f"argument --url: {url!r} is not a web address (http:// or https://" in capsys.readouterr().err
    assert not (tmp_path / "out.claims.yaml").exists()


def test_an_output_that_is_a_folder_is_a_clear_error(tmp_path, capsys):
    # it said "the claims file exists (it may hold review decisions)", even with --force
    path = tmp_path / "t.txt"
    path.write_text("Kế hoạch số 158-KH/TU.", encoding="utf-8")
    (tmp_path / "out").mkdir()
    for extra in ([], ["--force"]):
        code = main(["ingest", str(path), "--sources-dir", str(tmp_path / "sources"), "-o", str(tmp_path / "out"), *extra])
        assert code == 2
        assert f"{tmp_path / 'out'}: is a folder; give the claims file to write" in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []


def test_ingest_never_overwrites_a_claims_file_unless_forced(tmp_path, capsys):
    path = tmp_path / "t.txt"
    path.write_text("Thực hiện Chỉ thị số 35-CT/TW, Tỉnh ủy Điện Biên ban hành Kế hoạch số 158-KH/TU.",
                    encoding="utf-8")
    reviewed = tmp_path / "out.claims.yaml"
    reviewed.write_text("# decisions a person made\n", encoding="utf-8")
    code, err = run_cli(tmp_path, capsys, path)
    assert code == 2 and f"{reviewed}: the claims file exists" in err
    assert reviewed.read_text(encoding="utf-8") == "# decisions a person made\n"
    code, _ = run_cli(tmp_path, capsys, path, "--force")
    assert code == 0 and load_seed_file(reviewed).claims


@pytest.mark.sources
def test_command_line_ingest_accept_build_query(tmp_path, seed_sources, capsys):
    claims_path, data = tmp_path / "seed.claims.yaml", tmp_path / "var"
    common = ["--sources-dir", str(seed_sources), "--data-dir", str(data)]
    assert main(["ingest", str(seed_sources / SEED_TEXT), "--lang", "de", "-o", str(claims_path), *common]) == 0
    decide(claims_path, {})
    assert main(["build", "--claims", str(claims_path), *common]) == 0
    assert "SHACL: conforms" in capsys.readouterr().out
    graph = SETTINGS.base_iri + "graph/ingest-3c6b0bd4582d"
    assert main(["query", f"SELECT ?s ?o WHERE {{ GRAPH <{graph}> {{ ?s vk:implements ?o }} }}",
                 "--format", "json", *common]) == 0
    rows = yaml.safe_load(capsys.readouterr().out)
    doc = SETTINGS.base_iri + "doc/{}/unresolved/ingest-3c6b0bd4582d"
    assert {(row["s"], row["o"]) for row in rows} == {
        (doc.format("tu-dien-bien/kh/158"), doc.format("tw/ct/35")),
        (doc.format("tu-dien-bien/hd/03"), doc.format("tw/ct/35"))}
