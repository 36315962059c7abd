"""Party document numbers: parse_reference, find_references, fold (vankien.graph.identifiers)."""

from __future__ import annotations

import os
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vankien.graph.identifiers import (
    ISSUERS,
    TYPES,
    DocumentReference,
    IdentifierError,
    find_references,
    fold,
    parse_reference,
)

JUNE_14 = date(2024, 6, 14)


def fields(ref: DocumentReference) -> tuple:
    return (ref.number, ref.type_code, ref.issuer_code, ref.date)


# --- written variants of one number --------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("04-NQ/TU", ("04", "NQ", "TU", None)),
    ("04 - NQ/TU", ("04", "NQ", "TU", None)),
    ("04-NQ / TU", ("04", "NQ", "TU", None)),
    ("  04-NQ/TU  ", ("04", "NQ", "TU", None)),
    ("04-NQ/TU.", ("04", "NQ", "TU", None)),
    ("Nr. 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("Nr.04-NQ/TU", ("04", "NQ", "TU", None)),
    ("số 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("Số: 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("So 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("No. 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("Nº 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("N° 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("№ 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("#04-NQ/TU", ("04", "NQ", "TU", None)),
    ("Nghị quyết số 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("Nghi quyet so 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("Resolution No. 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("Beschluss Nr. 04-NQ/TU", ("04", "NQ", "TU", None)),
    ("Quy định số 12-QĐi/TU", ("12", "QĐi", "TU", None)),
    ("Plan Nr. 158-KH/TU", ("158", "KH", "TU", None)),
    ("Richtlinie Nr. 35-CT/TW", ("35", "CT", "TW", None)),
    ("Anweisung Nr. 03-HD/TU", ("03", "HD", "TU", None)),
    ("Projekt Nr. 09-DA/TU", ("09", "ĐA", "TU", None)),
    ("04-nq/tu", ("04", "NQ", "TU", None)),
    ("4-NQ/TU", ("4", "NQ", "TU", None)),
])
def test_written_variants(text, expected):
    ref = parse_reference(text)
    assert fields(ref) == expected
    assert ref.as_written == text.strip()


def test_leading_zero_kept_but_number_int_equal():
    assert parse_reference("04-NQ/TU").number == "04"
    assert parse_reference("04-NQ/TU").number_int == parse_reference("4-NQ/TU").number_int == 4


@pytest.mark.parametrize("text", ["Plan Nr. 04-NQ/TU", "Richtlinie Nr. 04-NQ/TU", "Quyết định số 04-NQ/TU"])
def test_contradicting_type_word_keeps_the_code(text):
    ref = parse_reference(text)
    assert (ref.type_code, ref.document_class) == ("NQ", "Resolution")


# --- every type code -----------------------------------------------------------------------------

@pytest.mark.parametrize("written, code, document_class, slug", [
    ("CT", "CT", "Directive", "ct"),
    ("NQ", "NQ", "Resolution", "nq"),
    ("ĐA", "ĐA", "Project", "da"),
    ("DA", "ĐA", "Project", "da"),
    ("KH", "KH", "Plan", "kh"),
    ("HD", "HD", "Guidance", "hd"),
    ("QĐi", "QĐi", "Regulation", "qdi"),
    ("QDi", "QĐi", "Regulation", "qdi"),
    ("QDI", "QĐi", "Regulation", "qdi"),
    ("QĐ", "QĐ", "Decision", "qd"),
    ("qd", "QĐ", "Decision", "qd"),
    ("KL", "KL", "Conclusion", "kl"),
    ("CV", "CV", "OfficialLetter", "cv"),
    ("TB", "TB", "Notice", "tb"),
    ("BC", "BC", "Report", "bc"),
    ("CTr", "CTr", "Programme", "ctr"),
    ("CTR", "CTr", "Programme", "ctr"),
])
def test_type_codes(written, code, document_class, slug):
    ref = parse_reference(f"07-{written}/TU")
    assert (ref.type_code, ref.document_class, ref.type_slug) == (code, document_class, slug)
    assert ref.notation == f"07-{code}/TU"


def test_type_table_covers_the_ontology_classes():
    assert {t.document_class for t in TYPES.values()} == {
        "Directive", "Resolution", "Project", "Plan", "Guidance", "Regulation", "Decision",
        "Conclusion", "OfficialLetter", "Notice", "Report", "Programme"}


# --- every issuer code ---------------------------------------------------------------------------

@pytest.mark.parametrize("written, code, slug, level, local", [
    ("TW", "TW", "tw", "central", False),
    ("TƯ", "TW", "tw", "central", False),
    ("tư", "TW", "tw", "central", False),
    ("VPTW", "VPTW", "vptw", "central", False),
    ("BTCTW", "BTCTW", "btctw", "central", False),
    ("BTGTW", "BTGTW", "btgtw", "central", False),
    ("BDVTW", "BDVTW", "bdvtw", "central", False),
    ("BKTTW", "BKTTW", "bkttw", "central", False),
    ("BNCTW", "BNCTW", "bnctw", "central", False),
    ("BĐNTW", "BĐNTW", "bdntw", "central", False),
    ("UBKTTW", "UBKTTW", "ubkttw", "central", False),
    ("BTGDVTW", "BTGDVTW", "btgdvtw", "central", False),
    ("TU", "TU", "tu", "provincial", True),
    ("VPTU", "VPTU", "vptu", "provincial", True),
    ("BTCTU", "BTCTU", "btctu", "provincial", True),
    ("BTGTU", "BTGTU", "btgtu", "provincial", True),
    ("BDVTU", "BDVTU", "bdvtu", "provincial", True),
    ("BNCTU", "BNCTU", "bnctu", "provincial", True),
    ("UBKTTU", "UBKTTU", "ubkttu", "provincial", True),
    ("HU", "HU", "hu", "district", True),
    ("QU", "QU", "qu", "district", True),
    ("ThU", "ThU", "thu", "district", True),
    ("ĐU", "ĐU", "du", "grassroots", True),
    ("DU", "ĐU", "du", "grassroots", True),
    ("CB", "CB", "cb", "grassroots", True),
])
def test_issuer_codes(written, code, slug, level, local):
    ref = parse_reference(f"21-KH/{written}")
    assert (ref.issuer_code, ref.issuer_slug, ref.level, ref.is_local) == (code, slug, level, local)


def test_every_issuer_in_the_table_parses():
    assert {parse_reference(f"1-NQ/{code}").issuer_code for code in ISSUERS} == set(ISSUERS)


# --- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [
    "ngày 14/6/2024",
    "ngày 14-6-2024",
    "ngay 14/06/2024",
    "14.06.2024",
    "vom 14.06.2024",
    ", vom 14. Juni 2024",
    "June 14, 2024",
    "dated June 14th, 2024",
    "14 June 2024",
    "of 14 Jun 2024",
    "2024-06-14",
    "dated 14/06/2024",
    "ngày 14 tháng 6 năm 2024",
    "(ngày 14 tháng 06 năm 2024)",
    "ngay 14 thang 6 nam 2024",
])
def test_dates(suffix):
    ref = parse_reference(f"Nghị quyết số 04-NQ/TU {suffix}")
    assert fields(ref) == ("04", "NQ", "TU", JUNE_14)


def test_numeric_dates_are_day_first():
    assert parse_reference("04-NQ/TU ngày 03/04/2024").date == date(2024, 4, 3)


@pytest.mark.parametrize("text, message", [
    ("04-NQ/TU ngày 31/02/2024", "invalid date"),
    ("04-NQ/TU 2024-13-01", "invalid date"),
    ("04-NQ/TU vom 14. Juin 2024", "unknown month name 'Juin'"),
    ("04-NQ/TU ngày 14/6", "unexpected text 'ngày 14/6'"),
])
def test_bad_dates(text, message):
    with pytest.raises(IdentifierError, match=message):
        parse_reference(text)


# --- malformed input -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("", "empty document number"),
    ("   \u00a0 ", "empty document number"),
    ("NQ/TU", "no document number in 'NQ/TU'"),
    ("Nghị quyết", "no document number"),
    ("04", "document number '04' has no type and issuer code"),
    ("số 04", "document number '04' has no type and issuer code"),
    ("04/TU", "document number '04' has no type and issuer code"),
    ("04-NQ", "no issuer code after '04-NQ'"),
    ("04-NQ/", "no issuer code after '04-NQ'"),
    ("12-XY/TU", r"unknown document type code 'XY' in '12-XY/TU' \(at character 3\); known codes: BC, CT, CTr"),
    ("12-NQ/XX", r"unknown issuer code 'XX' in '12-NQ/XX' \(at character 6\); known codes: .*TU, TW"),
    ("12-TT/TU", "unknown document type code 'TT'"),
    ("0-NQ/TU", "is zero"),
    ("123456-NQ/TU", "more than 5 digits"),
    ("foo 04-NQ/TU", "unexpected text 'foo' before '04-NQ/TU'"),
    ("04-NQ/TU bar", "unexpected text 'bar' after '04-NQ/TU'"),
    ("04-NQ/TU và 05-NQ/TU", "more than one document number"),
    ("A04-NQ/TU", "no document number"),
    ("%$§!", "no document number"),
    ("x" * 301, "301 characters long"),
])
def test_malformed(text, message):
    with pytest.raises(IdentifierError, match=message):
        parse_reference(text)


def test_error_is_a_value_error():
    assert issubclass(IdentifierError, ValueError)
    with pytest.raises(IdentifierError, match="must be text"):
        parse_reference(None)  # type: ignore[arg-type]


def test_exactly_300_characters_is_accepted():
    text = "04-NQ/TU".rjust(300)
    assert parse_reference(text).notation == "04-NQ/TU"


# --- Unicode variants ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, notation", [
    (unicodedata.normalize("NFD", "09-ĐA/TU"), "09-ĐA/TU"),
    (unicodedata.normalize("NFD", "12-QĐi/TƯ"), "12-QĐi/TW"),
    ("09-\u00d0A/TU", "09-ĐA/TU"),          # Ð, the Icelandic eth capital
    ("09-\u00f0a/tu", "09-ĐA/TU"),          # ð
    ("09-đa/tu", "09-ĐA/TU"),
    ("04\u2013NQ/TU", "04-NQ/TU"),          # en dash
    ("04 \u2014 NQ/TU", "04-NQ/TU"),        # em dash
    ("04\u2212NQ/TU", "04-NQ/TU"),          # minus sign
    ("Nr.\u00a004-NQ/TU", "04-NQ/TU"),      # no-break space
    ("04-NQ\u202f/\u202fTU", "04-NQ/TU"),   # narrow no-break space
    ("04-NQ\u200b/TU", "04-NQ/TU"),         # zero-width space
    ("04-NQ\uff0fTU", "04-NQ/TU"),          # full-width solidus
    (unicodedata.normalize("NFD", "Nghị quyết số 04-NQ/TU ngày 14/6/2024"), "04-NQ/TU"),
])
def test_unicode_variants(text, notation):
    assert parse_reference(text).notation == notation


def test_da_with_and_without_stroke_are_the_same_document():
    with_stroke, without = parse_reference("09-ĐA/TU"), parse_reference("09-DA/TU")
    assert fields(with_stroke) == fields(without)
    assert with_stroke.identity_key("Điện Biên", 14) == without.identity_key("dien-bien", "14")


# --- derived names -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, notation, ascii_notation", [
    ("09-DA/TU", "09-ĐA/TU", "09-DA/TU"),
    ("12-qdi/du", "12-QĐi/ĐU", "12-QDi/DU"),
    ("5-ctr/bđntw", "5-CTr/BĐNTW", "5-CTr/BDNTW"),
])
def test_notation_and_ascii_notation(text, notation, ascii_notation):
    ref = parse_reference(text)
    assert (ref.notation, ref.ascii_notation, str(ref)) == (notation, ascii_notation, notation)


@pytest.mark.parametrize("text, jurisdiction, term, slug, key", [
    ("04-NQ/TU", "Điện Biên", 14, "tu-dien-bien/nq/04/k14", ("tu", "dien-bien", "nq", 4, "14")),
    ("35-CT/TW", "Điện Biên", "13", "tw/ct/35/k13", ("tw", None, "ct", 35, "13")),
    ("35-CT/TW", None, None, "tw/ct/35", ("tw", None, "ct", 35, None)),
    ("09-DA/TU", "dien-bien", None, "tu-dien-bien/da/09", ("tu", "dien-bien", "da", 9, None)),
    ("7-QĐi/HU", "Mường Chà", "k20", "hu-muong-cha/qdi/07/k20", ("hu", "muong-cha", "qdi", 7, "20")),
])
def test_slug_and_identity_key(text, jurisdiction, term, slug, key):
    ref = parse_reference(text)
    assert ref.slug(jurisdiction, term) == slug
    assert ref.identity_key(jurisdiction, term) == key


def test_local_issuer_needs_a_jurisdiction_for_its_slug():
    with pytest.raises(IdentifierError, match="'TU' of '04-NQ/TU' is local"):
        parse_reference("04-NQ/TU").slug()
    assert parse_reference("04-NQ/TU").identity_key(None, None) == ("tu", None, "nq", 4, None)


def test_term_must_be_an_ordinal():
    with pytest.raises(IdentifierError, match="term must be an ordinal number"):
        parse_reference("35-CT/TW").slug(term="unknown")


@pytest.mark.parametrize("text, folded", [
    ("Điện Biên", "dien-bien"),
    ("Ban Thường vụ Tỉnh ủy", "ban-thuong-vu-tinh-uy"),
    ("QĐi", "qdi"),
    ("\u00d0\u00e0 N\u1eb5ng", "da-nang"),
    (unicodedata.normalize("NFD", "Mường Chà"), "muong-cha"),
    ("  Bộ Chính trị!  ", "bo-chinh-tri"),
    ("", ""),
])
def test_fold(text, folded):
    assert fold(text) == folded


# --- finding numbers in running text -------------------------------------------------------------

PARAGRAPH = (
    "Der Ausschuss setzte die Resolution Nr. 04-NQ/TU vom 14.06.2024 um (Zeitraum 2021–2025) "
    "sowie den Plan Nr. 158 – KH / TU, die Richtlinie Nr. 35-CT/TW und das Projekt 09-ÐA/TU; "
    "die Nummer 12-XY/TU ist kein Dokument, 3-4 Kader auch nicht (Beschluss Nr. 04-NQ/TƯ)."
)


def test_find_references_in_a_paragraph():
    found = find_references(PARAGRAPH)
    assert [(PARAGRAPH[start:end], ref.notation, ref.date) for start, end, ref in found] == [
        ("04-NQ/TU vom 14.06.2024", "04-NQ/TU", JUNE_14),
        ("158 – KH / TU", "158-KH/TU", None),
        ("35-CT/TW", "35-CT/TW", None),
        ("09-ÐA/TU", "09-ĐA/TU", None),
        ("04-NQ/TƯ", "04-NQ/TW", None),
    ]
    assert all(ref.as_written == PARAGRAPH[start:end] for start, end, ref in found)


def test_find_references_offsets_point_into_nfd_text():
    written = "Đề án số 09-ĐA/TU ngày 14 tháng 6 năm 2024 và Kế hoạch số 66-KH/TU."
    text = unicodedata.normalize("NFD", written)
    found = find_references(text)
    assert [(text[start:end], ref.notation) for start, end, ref in found] == [
        (unicodedata.normalize("NFD", "09-ĐA/TU ngày 14 tháng 6 năm 2024"), "09-ĐA/TU"),
        ("66-KH/TU", "66-KH/TU"),
    ]
    assert found[0][2].date == JUNE_14


def test_find_references_leaves_out_impossible_dates_and_closing_brackets():
    text = "(Nr. 04-NQ/TU vom 31.02.2024) und (Nr. 05-NQ/TU vom 14.06.2024)"
    found = find_references(text)
    assert [(text[start:end], ref.date) for start, end, ref in found] == [
        ("04-NQ/TU", None),
        ("05-NQ/TU vom 14.06.2024", JUNE_14),
    ]


def test_find_references_in_text_without_numbers():
    assert find_references("Seit Beginn der Amtszeit wurden 8.279 Parteimitglieder aufgenommen (2021–2025).") == []


def _sources_dir() -> Path:
    configured = os.environ.get("VANKIEN_SOURCES_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "seeds"


ARTICLE = _sources_dir() / "000_9108560e6253c378.txt"


@pytest.mark.sources
@pytest.mark.skipif(not ARTICLE.is_file(),
                    reason=f"source article {ARTICLE} not present "
                           "(set VANKIEN_SOURCES_DIR or check out ../shared/seeds)")
def test_find_references_in_the_source_article():
    text = ARTICLE.read_text(encoding="utf-8")
    found = find_references(text)
    assert [ref.notation for _, _, ref in found] == [
        "04-NQ/TU", "04-NQ/TU", "09-ĐA/TU", "66-KH/TU", "35-CT/TW", "158-KH/TU", "03-HD/TU"]
    assert [text[start:end] for start, end, _ in found] == [
        "04-NQ/TU", "04-NQ/TU", "09-DA/TU", "66-KH/TU", "35-CT/TW", "158-KH/TU", "03-HD/TU"]
    assert {ref.document_class for _, _, ref in found} == {"Resolution", "Project", "Plan", "Directive", "Guidance"}


FRAGMENTS = ["Nr. ", "số ", " und ", "(", ")", ", ", "2021–2025", "8.279", "Kader", "04-NQ/TU", "158 - KH/TU",
             "09-ĐA/TU", "12-XY/TU", " vom 14.06.2024", " ngày 31/02/2024", "\u00a0", "3-4", "35-CT/TƯ"]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_every_found_span_parses_back_to_the_same_reference(parts):
    text = "".join(parts)
    previous_end = 0
    for start, end, ref in find_references(text):
        assert previous_end <= start < end <= len(text)
        previous_end = end
        again = parse_reference(text[start:end])
        assert fields(again) == fields(ref)
