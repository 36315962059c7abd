"""The pages people read (document, body, source, claim, errors) in Vietnamese, English and German,
on the real graph: what they show is compared with what the graph holds."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

sys.path.insert(0, str(Path(__file__).resolve().parent))
from html_page import Page

from vankien.api.i18n import LOCALE_DIR, negotiate_language, pick_label
from vankien.api.links import local_href
from vankien.graph import queries

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ID = "https://w3id.org/vankien/id/"
DOC_35 = ID + "doc/tw/ct/35/k13"
IMPLEMENTERS_35 = {ID + "doc/tu-dien-bien/kh/158/k14": "158-KH/TU", ID + "doc/tu-dien-bien/hd/03/k14": "03-HD/TU"}
VK = "https://w3id.org/vankien/ontology#"
# The page's words in each language, as the catalogues translate them.
WORDS = {"vi": ("Tóm tắt", "Được thực hiện bởi", "Cơ quan ban hành"),
         "en": ("Summary", "Implemented by", "Issued by"),
         "de": ("Überblick", "Umgesetzt durch", "Erlassen von")}


def get_page(client, path: str, **headers) -> Page:
    answer = client.get(path, headers={"Accept": BROWSER, **headers})
    assert answer.status_code == 200, (path, answer.text[:500])
    assert answer.headers["content-type"].startswith("text/html")
    return Page(answer.text)


@pytest.fixture(scope="module")
def client(api_client):
    return api_client


@pytest.fixture(scope="module")
def store(client):
    return client.app.state.runtime.store


@pytest.mark.parametrize("lang", ["vi", "en", "de"])
def test_document_page_in_each_language_shows_summary_and_implementers(client, store, lang):
    page = get_page(client, f"/id/doc/tw/ct/35/k13?lang={lang}")
    assert page.lang == lang
    assert all(word in page.text for word in WORDS[lang]), (lang, page.text[:400])
    others = {w for other, words in WORDS.items() if other != lang for w in words} - set(WORDS[lang])
    assert not [w for w in others if w in page.text]
    for iri, notation in IMPLEMENTERS_35.items():
        assert local_href(iri, ID) in page.hrefs and notation in page.text
        quotes = queries.provenance(store, subject=iri, predicate=VK + "implements", obj=DOC_35)
        assert quotes and all(q["quote"] in page.text for q in quotes)
    graph_links = [parse_qs(urlsplit(h).query) for h in page.hrefs if h.startswith("/graph?")]
    assert {"focus": [DOC_35]} in graph_links
    assert {"?format=ttl", "?format=jsonld"} <= set(page.hrefs)
    lineage = [h for h in page.hrefs if h.startswith("/documents/")]
    assert len(lineage) == 2 and all(client.get(h).json()["document"] == DOC_35 for h in lineage)


def test_document_page_keeps_internal_fields_out(client, store):
    answer = client.get("/id/doc/tu-dien-bien/nq/04/k14", headers={"Accept": BROWSER}).text
    (key,) = [r["k"] for r in queries.rows(store, "SELECT ?k WHERE { ?d eli:id_local '04-NQ/TU' ; vk:searchKey ?k }")]
    assert key not in answer and "searchKey" not in answer and "typeCode" not in answer


def test_labels_in_another_language_say_which(client, store):
    # The source names 35-CT/TW's subject in German only: an English page shows it and says so.
    (subject,) = [r["t"] for r in queries.rows(store, f"SELECT ?t WHERE {{ <{DOC_35}> vk:subjectMatter ?t }}")]
    assert f"{subject} (in German)" in get_page(client, "/id/doc/tw/ct/35/k13?lang=en").text
    assert f"{subject} (auf Deutsch)" not in get_page(client, "/id/doc/tw/ct/35/k13?lang=de").text


def test_body_names_in_the_readers_language_come_from_the_lexicon(client):
    # The source calls the Politburo "Politbüro" only; the lexicon names it in vi and en.
    for lang, name in (("vi", "Bộ Chính trị"), ("en", "Politburo"), ("de", "Politbüro")):
        page = get_page(client, f"/id/doc/tw/ct/35/k13?lang={lang}")
        assert name in page.text and f"{name} (" not in page.text, lang


def test_language_from_accept_language_and_errors_for_unknown(client):
    assert get_page(client, "/id/doc/tw/ct/35/k13", **{"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}).lang == "vi"
    assert get_page(client, "/id/doc/tw/ct/35/k13", **{"Accept-Language": "fr, de;q=0.3"}).lang == "de"
    assert get_page(client, "/id/doc/tw/ct/35/k13").lang == "en"
    answer = client.get("/id/doc/tw/ct/35/k13", params={"lang": "fr"}, headers={"Accept": BROWSER})
    assert answer.status_code == 400 and "lang: unknown value 'fr'" in Page(answer.text).text
    assert negotiate_language("de;q=0.2, vi;q=0.8") == "vi" and negotiate_language("") == "en"


def test_pick_label_falls_back_and_says_so():
    assert pick_label({"de": ["Politbüro"], "vi": ["Bộ Chính trị"]}, "en").lang == "vi"
    label = pick_label({"de": "Politbüro"}, "en")
    assert (label.text, label.lang, label.fallback) == ("Politbüro", "de", True)
    assert pick_label({"": "35-CT/TW"}, "de").fallback is False and pick_label({}, "vi") is None


def test_every_link_on_the_pages_stays_on_the_server(client):
    for path in ("/id/doc/tw/ct/35/k13", "/id/body/dien-bien/ban-to-chuc-tinh-uy", "/id/source/bdbp-218887-de",
                 "/id/claim/bdbp-218887-de/c018/1", "/id/term/dien-bien/14", "/ontology"):
        for href in get_page(client, path).hrefs:
            if href.startswith(("http://", "https://")):
                assert not href.startswith(("https://w3id.org/vankien/", VK)), (path, href)


def test_body_page_lists_what_it_advised(client, store):
    body = ID + "body/dien-bien/ban-to-chuc-tinh-uy"
    page = get_page(client, "/id/body/dien-bien/ban-to-chuc-tinh-uy?lang=de")
    advised = {r["d"] for r in queries.rows(store, f"SELECT ?d WHERE {{ ?d vk:advisedBy <{body}> }}")}
    assert advised and all(local_href(d, ID) in page.hrefs for d in advised)
    assert "Beratene Dokumente" in page.text


def test_source_page_lists_every_claim(client, store):
    source = ID + "source/bdbp-218887-de"
    page = get_page(client, "/id/source/bdbp-218887-de")
    claims = {r["c"] for r in queries.rows(store, f"SELECT ?c WHERE {{ ?c a vk:Claim ; prov:wasDerivedFrom <{source}> }}")}
    assert len(claims) > 50
    assert {h for h in page.hrefs if h.startswith("/id/claim/")} == {local_href(c, ID) for c in claims}
    assert f"{len(claims)} claims rest on this source" in page.text


def test_claim_page_cites_the_claim(client, store, built):
    claim = ID + "claim/bdbp-218887-de/c018/1"
    answer = client.get("/id/claim/bdbp-218887-de/c018/1", headers={"Accept": BROWSER})
    page = Page(answer.text)
    (evidence,) = [e for e in queries.provenance(store, predicate=VK + "advisedBy") if e["claim"] == claim]
    assert evidence["quote"] in page.text and evidence["evidence"].lower() in page.text
    csl = json.loads(re.search(r'id="cite-csl">(.*?)</pre>', answer.text, re.S).group(1).replace("&#34;", '"')
                     .replace("&quot;", '"').replace("&amp;", "&"))
    assert csl[0]["URL"] == claim and evidence["quote"] in csl[0]["title"]
    assert f"\\url{{{claim}}}" in page.text and claim in page.text
    text_file = Path(built[0].sources_dir) / evidence["source_file"]
    if text_file.exists():      # the quote in its context, taken from the source text
        source_text = text_file.read_text(encoding="utf-8")
        before = source_text[max(0, evidence["start"] - 60):evidence["start"]]
        assert " ".join(before.split()) in page.text
    else:
        assert "The source text is not on this server" in page.text


def test_timeline_places_every_document_once_by_the_dates_the_graph_has(client, store):
    answer = client.get("/timeline", headers={"Accept": BROWSER})
    assert answer.status_code == 200
    text = answer.text
    documents = {r["d"] for r in queries.rows(store, "SELECT DISTINCT ?d WHERE { ?d vk:numberStatus ?s }")}
    dated = {r["d"]: r for r in queries.rows(store, """SELECT ?d (MIN(?y) AS ?year) WHERE { ?d vk:numberStatus ?s .
        { ?d vk:dateIssued ?x BIND(YEAR(?x) AS ?y) } UNION { ?d vk:applicablePeriod/vk:startYear ?x
          BIND(xsd:integer(STR(?x)) AS ?y) } } GROUP BY ?d""")}
    assert dated                                  # 04-NQ/TU: 2021–2025
    for doc in documents:
        assert text.count(f'id="{doc}"') == 1, doc
    undated = text[text.index('id="undated"'):]
    for doc in documents:
        assert (f'id="{doc}"' in undated) == (doc not in dated), doc
    for doc, row in dated.items():                # under the heading of its first year
        section = text[text.index(f'id="year-{row["year"]}"'):]
        assert f'id="{doc}"' in section.split("<h2")[0]
    page = Page(text)
    assert re.search(r"Followed by:\s*03-HD/TU\s*,\s*158-KH/TU", page.text)      # what implements 35-CT/TW
    assert local_href(DOC_35, ID) in page.hrefs


def test_catalogues_translate_every_message():
    template = read_po((LOCALE_DIR / "messages.pot").open("rb"))
    wanted = {m.id for m in template if m.id}
    assert len(wanted) > 80
    for lang in ("vi", "de", "en"):
        folder = LOCALE_DIR / lang / "LC_MESSAGES"
        catalogue = read_po((folder / "messages.po").open("rb"))
        translated = {m.id for m in catalogue if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])}
        assert wanted <= translated, (lang, sorted(map(str, wanted - translated))[:5])
        compiled = read_mo((folder / "messages.mo").open("rb"))   # the .mo is the .po compiled
        assert messages(compiled) == messages(catalogue), lang


def messages(catalogue) -> dict:
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value
    return {key(m.id): key(m.string) for m in catalogue if m.id}
