"""Party document numbers: parse, normalise and find them (pure, no I/O).

A Vietnamese party document number such as ``04-NQ/TU`` is ``{number}-{type code}/{issuer code}``:
number 04, type NQ (Nghị quyết, a resolution), issuer TU (Tỉnh ủy, a provincial party committee).
Numbers restart with every committee term, so a notation is a label, never an identity: see
``DocumentReference.identity_key`` and ``docs/data-model.md`` (URI scheme).

Type codes (``document_class`` is the local name of the ``vk:`` ontology class):

====  ================  ==============  =========
code  Vietnamese        document_class  type_slug
====  ================  ==============  =========
CT    Chỉ thị           Directive       ct
NQ    Nghị quyết        Resolution      nq
ĐA    Đề án             Project         da
KH    Kế hoạch          Plan            kh
HD    Hướng dẫn         Guidance        hd
QĐi   Quy định          Regulation      qdi
QĐ    Quyết định        Decision        qd
KL    Kết luận          Conclusion      kl
CV    Công văn          OfficialLetter  cv
TB    Thông báo         Notice          tb
BC    Báo cáo           Report          bc
CTr   Chương trình      Programme       ctr
====  ================  ==============  =========

Issuer codes and the administrative level they stand for (``level``; the ontology concepts are
``vk:CentralLevel``, ``vk:ProvincialLevel``, ``vk:DistrictLevel``, ``vk:GrassrootsLevel``):

=======  ===========================================================  ==========  =====
code     issuer                                                       level       local
=======  ===========================================================  ==========  =====
TW       Ban Chấp hành Trung ương, Bộ Chính trị, Ban Bí thư           central     no
VPTW     Văn phòng Trung ương Đảng                                    central     no
BTCTW    Ban Tổ chức Trung ương                                       central     no
BTGTW    Ban Tuyên giáo Trung ương                                    central     no
BDVTW    Ban Dân vận Trung ương                                       central     no
BKTTW    Ban Kinh tế Trung ương                                       central     no
BNCTW    Ban Nội chính Trung ương                                     central     no
BĐNTW    Ban Đối ngoại Trung ương                                     central     no
UBKTTW   Ủy ban Kiểm tra Trung ương                                   central     no
BTGDVTW  Ban Tuyên giáo và Dân vận Trung ương                         central     no
TU       Tỉnh ủy / Thành ủy of a centrally governed city              provincial  yes
VPTU     Văn phòng Tỉnh ủy                                            provincial  yes
BTCTU    Ban Tổ chức Tỉnh ủy                                          provincial  yes
BTGTU    Ban Tuyên giáo Tỉnh ủy                                       provincial  yes
BDVTU    Ban Dân vận Tỉnh ủy                                          provincial  yes
BNCTU    Ban Nội chính Tỉnh ủy                                        provincial  yes
UBKTTU   Ủy ban Kiểm tra Tỉnh ủy                                      provincial  yes
HU       Huyện ủy (rural district)                                    district    yes
QU       Quận ủy (urban district)                                     district    yes
ThU      Thị ủy / Thành ủy of a town or city inside a province        district    yes
ĐU       Đảng ủy (commune, ward or other grassroots party committee)  grassroots  yes
CB       Chi bộ (party cell)                                          grassroots  yes
=======  ===========================================================  ==========  =====

``TƯ`` (Trung ương written out) is an alias of ``TW``. ``ĐU`` is ambiguous in practice (a commune
đảng ủy, a grassroots đảng ủy of an agency, a bloc đảng ủy); commune party committees are
grassroots party organisations, so ``ĐU`` maps to ``grassroots``. A *local* code needs a
jurisdiction to identify its issuer (``TU`` of Điện Biên ≠ ``TU`` of Lai Châu).

Reading rules:

* Codes are matched case-insensitively; ``Đ``/``D`` are the same letter in codes (``09-DA/TU`` is
  ``09-ĐA/TU``), but ``Ư``/``U`` are not (``TƯ`` is central, ``TU`` provincial).
* Text is NFC-normalised; ``Ð`` (U+00D0) and ``ð`` count as ``Đ``/``đ``; en/em dashes and minus
  signs as ``-``; non-breaking and other Unicode spaces as a space; zero-width characters vanish.
* A type word before the number (``Plan Nr.``, ``Nghị quyết số``) is accepted but never decides the
  type: the code is authoritative, so ``Plan Nr. 04-NQ/TU`` is a Resolution (translations often
  render the same type with different words, e.g. German "Beschluss" for NQ).
* Numeric dates are day-first (``14/6/2024`` is 14 June), except ISO ``2024-06-14``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace
from typing import NamedTuple
from collections.abc import Callable

from vankien.graph import uris
from vankien.graph.errors import IdentifierError
from vankien.graph.text import _ascii, _normalise, fold

__all__ = [
    "DocumentReference",
    "IdentifierError",
    "ISSUERS",
    "MAX_REFERENCE_LENGTH",
    "TYPES",
    "find_references",
    "match_date",
    "fold",
    "parse_reference",
    "document_class_of",
    "type_code",
]

MAX_REFERENCE_LENGTH = 300
MAX_NUMBER_DIGITS = 5


class DocumentType(NamedTuple):
    document_class: str
    vietnamese: str
    words: tuple[str, ...]  # type words that may precede the number (vi, en, de); never decide


class Issuer(NamedTuple):
    name: str
    level: str
    local: bool


TYPES: dict[str, DocumentType] = {
    "CT": DocumentType("Directive", "Chỉ thị", ("chỉ thị", "directive", "richtlinie", "direktive", "weisung")),
    "NQ": DocumentType("Resolution", "Nghị quyết", ("nghị quyết", "resolution", "beschluss", "entschließung")),
    "ĐA": DocumentType("Project", "Đề án", ("đề án", "project", "projekt", "scheme")),
    "KH": DocumentType("Plan", "Kế hoạch", ("kế hoạch", "plan")),
    "HD": DocumentType("Guidance", "Hướng dẫn", ("hướng dẫn", "guidance", "guideline", "instruction",
                                                 "anweisung", "anleitung", "leitfaden")),
    "QĐi": DocumentType("Regulation", "Quy định", ("quy định", "regulation", "regelung", "bestimmung",
                                                   "vorschrift")),
    "QĐ": DocumentType("Decision", "Quyết định", ("quyết định", "decision", "entscheidung", "verfügung")),
    "KL": DocumentType("Conclusion", "Kết luận", ("kết luận", "conclusion", "schlussfolgerung")),
    "CV": DocumentType("OfficialLetter", "Công văn", ("công văn", "official letter", "letter", "schreiben")),
    "TB": DocumentType("Notice", "Thông báo", ("thông báo", "notice", "notification", "mitteilung",
                                               "bekanntmachung")),
    "BC": DocumentType("Report", "Báo cáo", ("báo cáo", "report", "bericht")),
    "CTr": DocumentType("Programme", "Chương trình", ("chương trình", "programme", "program", "programm")),
}

_CENTRAL, _PROVINCIAL, _DISTRICT, _GRASSROOTS = "central", "provincial", "district", "grassroots"

ISSUERS: dict[str, Issuer] = {
    "TW": Issuer("Ban Chấp hành Trung ương / Bộ Chính trị / Ban Bí thư", _CENTRAL, False),
    "VPTW": Issuer("Văn phòng Trung ương Đảng", _CENTRAL, False),
    "BTCTW": Issuer("Ban Tổ chức Trung ương", _CENTRAL, False),
    "BTGTW": Issuer("Ban Tuyên giáo Trung ương", _CENTRAL, False),
    "BDVTW": Issuer("Ban Dân vận Trung ương", _CENTRAL, False),
    "BKTTW": Issuer("Ban Kinh tế Trung ương", _CENTRAL, False),
    "BNCTW": Issuer("Ban Nội chính Trung ương", _CENTRAL, False),
    "BĐNTW": Issuer("Ban Đối ngoại Trung ương", _CENTRAL, False),
    "UBKTTW": Issuer("Ủy ban Kiểm tra Trung ương", _CENTRAL, False),
    "BTGDVTW": Issuer("Ban Tuyên giáo và Dân vận Trung ương", _CENTRAL, False),
    "TU": Issuer("Tỉnh ủy / Thành ủy (centrally governed city)", _PROVINCIAL, True),
    "VPTU": Issuer("Văn phòng Tỉnh ủy", _PROVINCIAL, True),
    "BTCTU": Issuer("Ban Tổ chức Tỉnh ủy", _PROVINCIAL, True),
    "BTGTU": Issuer("Ban Tuyên giáo Tỉnh ủy", _PROVINCIAL, True),
    "BDVTU": Issuer("Ban Dân vận Tỉnh ủy", _PROVINCIAL, True),
    "BNCTU": Issuer("Ban Nội chính Tỉnh ủy", _PROVINCIAL, True),
    "UBKTTU": Issuer("Ủy ban Kiểm tra Tỉnh ủy", _PROVINCIAL, True),
    "HU": Issuer("Huyện ủy", _DISTRICT, True),
    "QU": Issuer("Quận ủy", _DISTRICT, True),
    "ThU": Issuer("Thị ủy / Thành ủy (city inside a province)", _DISTRICT, True),
    "ĐU": Issuer("Đảng ủy (commune, ward or grassroots)", _GRASSROOTS, True),
    "CB": Issuer("Chi bộ", _GRASSROOTS, True),
}
_ISSUER_ALIASES = {"TƯ": "TW"}


def _code_key(code: str) -> str:
    """Lookup key of a code: case and Đ/D folded, but Ư kept (``TƯ`` ≠ ``TU``)."""
    return _normalise(code)[0].casefold().replace("đ", "d")


_TYPE_BY_KEY = {_code_key(code): code for code in TYPES}
_ISSUER_BY_KEY = {_code_key(code): code for code in ISSUERS} | {
    _code_key(alias): code for alias, code in _ISSUER_ALIASES.items()}


def type_code(written: str) -> str:
    """The canonical type code for a code as written (``kh``, ``QDi``, ``ĐA`` → ``KH``, ``QĐi``,
    ``ĐA``); IdentifierError naming the known codes when there is none."""
    code = _TYPE_BY_KEY.get(_code_key(written.strip()))
    if code is None:
        raise IdentifierError(f"unknown document type code {written!r}; known codes: {_known(TYPES)}")
    return code


def document_class_of(written: str) -> str:
    """The ``vk:`` class local name of a type code as written (``KH`` → ``Plan``)."""
    return TYPES[type_code(written)].document_class


def _known(codes) -> str:
    return ", ".join(sorted(codes, key=_code_key))


# --- dates --------------------------------------------------------------------------------------

_MONTH_NAMES = {  # folded (ASCII, lower case) English and German month names
    1: ("january", "jan", "januar", "janner"), 2: ("february", "feb", "februar"),
    3: ("march", "mar", "marz", "maerz"), 4: ("april", "apr"), 5: ("may", "mai"),
    6: ("june", "jun", "juni"), 7: ("july", "jul", "juli"), 8: ("august", "aug"),
    9: ("september", "sep", "sept"), 10: ("october", "oct", "oktober", "okt"),
    11: ("november", "nov"), 12: ("december", "dec", "dezember", "dez"),
}
_MONTH_BY_NAME = {name: month for month, names in _MONTH_NAMES.items() for name in names}


def _month_number(name: str) -> int:
    month = _MONTH_BY_NAME.get(_ascii(name).lower())
    if month is None:
        raise IdentifierError(f"unknown month name {name!r}")
    return month


_DAY = r"(?P<day>[0-9]{1,2})"
_MONTH = r"(?P<month>[0-9]{1,2})"
_YEAR = r"(?P<year>[0-9]{4})"
_MONTH_WORD = r"(?P<month>[^\W\d_]{3,9})\.?"

# One row per written form: (pattern, how to read the month group). Tried in order.
_DATE_FORMS: tuple[tuple[str, Callable[[str], int]], ...] = (
    (rf"{_YEAR}-{_MONTH}-{_DAY}", int),                                 # 2024-06-14
    (rf"{_DAY}(?P<sep>[/.-]){_MONTH}(?P=sep){_YEAR}", int),                          # 14/6/2024 14.06.2024
    (rf"{_DAY}\s+th[aá]ng\s+{_MONTH}\s*,?\s+n[aă]m\s+{_YEAR}", int),                 # 14 tháng 6 năm 2024
    (rf"{_DAY}\.?\s+{_MONTH_WORD},?\s+{_YEAR}", _month_number),                      # 14 June 2024, 14. Juni 2024
    (rf"{_MONTH_WORD}\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}", _month_number),         # June 14, 2024
)
_DATE_CONNECTOR = r"(?:ngày|ngay|vom|dated|date|of|on|am|from)"
# What may follow a number: separators, an optional connector word, one date, a closing bracket.
_DATE_CLAUSES = tuple(
    (re.compile(rf"[\s,;:]*(?P<open>\(\s*)?(?:{_DATE_CONNECTOR}\s*:?\s+)?{form}(?(open)\s*\))", re.IGNORECASE),
     read_month)
    for form, read_month in _DATE_FORMS
)


def _match_date(text: str, pos: int) -> tuple[int, datetime.date] | None:
    """The date clause starting at ``pos`` as (end, date), or None; raises on an impossible date."""
    for pattern, read_month in _DATE_CLAUSES:
        m = pattern.match(text, pos)
        if m is None:
            continue
        written = m.group(0).strip(" ,;:()")
        try:
            return m.end(), datetime.date(int(m["year"]), read_month(m["month"]), int(m["day"]))
        except IdentifierError as err:
            raise IdentifierError(f"{err} in date {written!r}") from None
        except ValueError as err:
            raise IdentifierError(f"invalid date {written!r}: {err}") from None
    return None


# --- the reference itself -----------------------------------------------------------------------

_LETTERS = r"[^\W\d_]+"
# Number, then optionally the type code, then optionally the issuer: parse_reference reports what
# is missing; find_references keeps only complete matches.
_REFERENCE = re.compile(
    rf"(?<!\w)(?P<number>[0-9]+)(?:\s*-\s*(?P<type>{_LETTERS})(?:\s*/\s*(?P<issuer>{_LETTERS}))?)?(?!\w)")

_TYPE_WORDS = "|".join(  # folded, longest first, any run of spaces inside ("nghi   quyet")
    r"\s+".join(map(re.escape, word.split()))
    for word in sorted({_ascii(w).lower() for t in TYPES.values() for w in t.words}, key=len, reverse=True))
_NUMBER_MARKERS = r"(?:so|nr|no|n°|nummer|#)"
# Allowed before the number (matched on the ASCII-folded prefix): a type word, then a number marker.
_PREFIX = re.compile(rf"\s*(?:(?:{_TYPE_WORDS})\s*)?(?:{_NUMBER_MARKERS}\s*[.:]?\s*)?", re.IGNORECASE)
_TRAILING = re.compile(r"[\s.,;]*")


@dataclass(frozen=True)
class DocumentReference:
    """One party document number, e.g. ``04-NQ/TU`` (codes canonical, number as written)."""

    number: str  # digits as written, leading zeros kept ("04")
    type_code: str  # canonical: "NQ", "ĐA", "QĐi", …
    issuer_code: str  # canonical: "TU", "TW", "ĐU", …
    date: datetime.date | None = None
    as_written: str = ""

    def __str__(self) -> str:
        return self.notation

    @property
    def number_int(self) -> int:
        return int(self.number)

    @property
    def notation(self) -> str:
        return f"{self.number}-{self.type_code}/{self.issuer_code}"

    @property
    def ascii_notation(self) -> str:
        return _ascii(self.notation)

    @property
    def document_class(self) -> str:
        return TYPES[self.type_code].document_class

    @property
    def type_slug(self) -> str:
        return fold(self.type_code)

    @property
    def issuer_slug(self) -> str:
        return fold(self.issuer_code)

    @property
    def level(self) -> str:
        return ISSUERS[self.issuer_code].level

    @property
    def is_local(self) -> bool:
        """True when the issuer code only means something together with a jurisdiction."""
        return ISSUERS[self.issuer_code].local

    def identity_key(self, jurisdiction: str | None, term: str | int | None) -> tuple:
        """(issuer, jurisdiction, type, number, term): see :func:`vankien.graph.uris.identity_key`."""
        return uris.identity_key(self.issuer_slug, self.is_local, self.type_slug, self.number_int,
                                 jurisdiction, term)

    def issuer_path(self, jurisdiction: str | None = None) -> str:
        """URI segment of the issuer: ``tw``, ``tu-dien-bien``, ``hu-{district}``."""
        return uris.issuer_segment(self.issuer_slug, self.is_local, jurisdiction, self.notation)

    def slug(self, jurisdiction: str | None = None, term: str | int | None = None) -> str:
        """URI path under ``doc/``: ``tu-dien-bien/nq/04/k14``; without a term ``tu-dien-bien/nq/04``
        (the one rule: :func:`vankien.graph.uris.document_path`)."""
        return uris.document_path(self.issuer_path(jurisdiction), self.type_slug, self.number, term)


def _reference_from_match(m: re.Match, as_written: str) -> DocumentReference:
    """Check the codes and number of a full match; raise IdentifierError naming what is wrong."""
    number, type_written, issuer_written = m["number"], m["type"], m["issuer"]
    where = f"in {as_written!r}"
    type_code = _TYPE_BY_KEY.get(_code_key(type_written))
    if type_code is None:
        raise IdentifierError(
            f"unknown document type code {type_written!r} {where} (at character {m.start('type')}); "
            f"known codes: {_known(TYPES)}")
    issuer_code = _ISSUER_BY_KEY.get(_code_key(issuer_written))
    if issuer_code is None:
        raise IdentifierError(
            f"unknown issuer code {issuer_written!r} {where} (at character {m.start('issuer')}); "
            f"known codes: {_known(ISSUERS)}")
    if len(number) > MAX_NUMBER_DIGITS:
        raise IdentifierError(f"document number {number!r} {where} has more than {MAX_NUMBER_DIGITS} digits")
    if int(number) == 0:
        raise IdentifierError(f"document number {number!r} {where} is zero")
    return DocumentReference(number, type_code, issuer_code, None, as_written)


def parse_reference(text: str) -> DocumentReference:
    """Read exactly one document number, with optional type word, marker and date.

    Accepts e.g. ``04-NQ/TU``, ``Nghị quyết số 04-NQ/TU ngày 14/6/2024``, ``Plan Nr. 158-KH/TU``,
    ``Resolution No. 04-NQ/TU dated June 14, 2024``. Raises IdentifierError otherwise.
    """
    if not isinstance(text, str):
        raise IdentifierError(f"a document number must be text, got {type(text).__name__}")
    if len(text) > MAX_REFERENCE_LENGTH:
        raise IdentifierError(
            f"reference text is {len(text)} characters long (limit {MAX_REFERENCE_LENGTH}): {text[:40]!r}…")
    as_written = text.strip()
    norm = _normalise(as_written)[0]
    if not norm.strip():
        raise IdentifierError("empty document number")

    candidates = list(_REFERENCE.finditer(norm))
    full = [m for m in candidates if m["issuer"]]
    if not full:
        with_type = next((m for m in candidates if m["type"]), None)
        if with_type is not None:
            raise IdentifierError(
                f"no issuer code after {with_type.group(0)!r} in {as_written!r} "
                f"(expected e.g. '{with_type['number']}-{with_type['type']}/TU')")
        if candidates:
            number = candidates[0]["number"]
            raise IdentifierError(
                f"document number {number!r} has no type and issuer code in {as_written!r} "
                f"(expected e.g. '{number}-NQ/TU')")
        raise IdentifierError(f"no document number in {as_written!r} (expected e.g. '04-NQ/TU')")
    m = full[0]
    if len(full) > 1:
        raise IdentifierError(
            f"more than one document number in {as_written!r} ({m.group(0)!r}, {full[1].group(0)!r}); "
            "use find_references for longer text")
    reference = _reference_from_match(m, as_written)

    prefix = _ascii(norm[: m.start()])
    if not _PREFIX.fullmatch(prefix):
        raise IdentifierError(f"unexpected text {norm[: m.start()].strip()!r} before {m.group(0)!r} in {as_written!r}")

    end, date = m.end(), None
    try:
        dated = _match_date(norm, end)
    except IdentifierError as err:
        raise IdentifierError(f"{err} in {as_written!r}") from None
    if dated is not None:
        end, date = dated
    if not _TRAILING.fullmatch(norm, end):
        raise IdentifierError(
            f"unexpected text {norm[end:].strip()!r} after {norm[m.start():end].strip()!r} in {as_written!r}"
            " (only a date may follow, e.g. 'ngày 14/6/2024')")
    return replace(reference, date=date)


def find_references(text: str) -> list[tuple[int, int, DocumentReference]]:
    """Every document number in ``text`` as (start, end, reference), offsets into ``text``.

    The span covers the number and a date written right after it (``04-NQ/TU ngày 14/6/2024``);
    type words and markers before it are not included. Number-like strings with unknown codes are
    skipped, and a date that does not exist (31/02) is left out of the span, so one typo does not
    stop a scan of a whole article (``parse_reference`` raises on both).
    """
    norm, starts, ends = _normalise(text)
    found: list[tuple[int, int, DocumentReference]] = []
    for m in _REFERENCE.finditer(norm):
        if not m["issuer"]:
            continue
        try:
            reference = _reference_from_match(m, m.group(0))
        except IdentifierError:
            continue
        end, date = m.end(), None
        try:
            dated = _match_date(norm, end)
        except IdentifierError:
            dated = None
        if dated is not None:
            end, date = dated
        start, stop = starts[m.start()], ends[end - 1]
        found.append((start, stop, replace(reference, date=date, as_written=text[start:stop])))
    return found


def match_date(text: str, pos: int) -> tuple[int, datetime.date] | None:
    """A date written at ``pos`` (after optional separators and a connector such as ``ngày``,
    ``vom``, ``dated``) as (end, date), or None; an impossible date (31/02) is None too."""
    try:
        return _match_date(text, pos)
    except IdentifierError:
        return None


_LOOSE_TOKENS = re.compile(r"[0-9]+|[^\W\d_]+")


def loose_notation(text: str) -> str | None:
    """The number people type without the usual marks, read as a notation: ``35 CT TW``,
    ``35/CT-TW``, ``35.CT.TW``, ``CT 35/TW`` → ``35-CT/TW``; None when the words are not a number,
    a known type code and a known issuer code (in one of those two orders)."""
    if not isinstance(text, str) or len(text) > MAX_REFERENCE_LENGTH:
        return None
    tokens = _LOOSE_TOKENS.findall(_normalise(text)[0])
    if len(tokens) != 3:
        return None
    for number, kind, issuer in ((tokens[0], tokens[1], tokens[2]), (tokens[1], tokens[0], tokens[2])):
        if number.isdigit() and len(number) <= MAX_NUMBER_DIGITS:
            kind_code, issuer_code = _TYPE_BY_KEY.get(_code_key(kind)), _ISSUER_BY_KEY.get(_code_key(issuer))
            if kind_code and issuer_code:
                return f"{number}-{kind_code}/{issuer_code}"
    return None
