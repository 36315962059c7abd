"""Read a source for ingest: UTF-8 plain text or an HTML page (its main text), normalised, hashed and
stored in the sources folder under its sha256, because claims point into it by character offsets.

Every problem is one :class:`IngestError` naming the file (and the line, for bad UTF-8).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from vankien.graph.errors import BadInput

MAX_BYTES = 10 * 1024 * 1024          # a party text is a few hundred kB at most; larger is a mistake
MIN_MAIN_WORDS = 10
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class IngestError(BadInput):
    """A source that cannot be ingested; the message starts with the file (and line)."""


@dataclass(frozen=True)
class SourceText:
    path: Path
    text: str               # NFC, "\n" line ends: the text every offset refers to
    sha256: str
    is_html: bool

    @property
    def file_name(self) -> str:
        """Its name in the sources folder."""
        return f"{self.sha256}.txt"


def read_source(path: str | Path) -> SourceText:
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IngestError(f"{path}: not a file")
        if size > MAX_BYTES:
            raise IngestError(f"{path}: {size / 1e6:.1f} MB is too large to ingest "
                              f"(limit {MAX_BYTES // (1024 * 1024)} MB); split the text or give the article alone")
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{path}: file not found") from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise IngestError(f"{path}: the file is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise IngestError(f"{path}:1: UTF-16 text, not UTF-8; convert it first (iconv -f UTF-16 -t UTF-8)")
    if b"\x00" in data[:8192]:
        raise IngestError(f"{path}: binary file (NUL bytes); give UTF-8 text or an HTML page")
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise IngestError(f"{path}:{line}: not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}); "
                          "convert the file to UTF-8 first (e.g. iconv -f WINDOWS-1258 -t UTF-8)") from None
    is_html = path.suffix.lower() in HTML_SUFFIXES or bool(_HTML_START.match(data[:4096]))
    text = _main_text(path, decoded) if is_html else decoded
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise IngestError(f"{path}:{line}: control character {bad.group(0)!r} in the text: "
                          "is this a binary file?")
    text = normalise(text)
    if not text.strip():
        raise IngestError(f"{path}: no text in the file")
    return SourceText(path=path, text=text, sha256=sha256(text), is_html=is_html)


def normalise(text: str) -> str:
    """The form offsets refer to: NFC (so ``ế`` is one character), ``\\n`` line ends."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _main_text(path: Path, html: str) -> str:
    import trafilatura   # imported here: only HTML needs it
    text = trafilatura.extract(html, include_comments=False, include_tables=False,
                               include_images=False, favor_precision=True)
    if not text or len(text.split()) < MIN_MAIN_WORDS:     # a menu link ("Home") is no article
        raise IngestError(f"{path}: HTML page with no main text (trafilatura found no article body); "
                          "save the article's text as a .txt file instead")
    return text


def store_text(source: SourceText, sources_dir: str | Path) -> Path:
    """Write the text into the sources folder as ``{sha256}.txt`` (once: same hash, same text)."""
    folder = Path(sources_dir)
    target = folder / source.file_name
    if target.is_file() and sha256(target.read_text(encoding="utf-8")) == source.sha256:
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(source.text, encoding="utf-8", newline="\n")
        tmp.replace(target)
    except OSError as exc:
        raise IngestError(f"{folder}: cannot store the source text there: {exc.strerror or exc} "
                          "(set VANKIEN_SOURCES_DIR to a writable folder)") from None
    return target


# --- language ------------------------------------------------------------------------------------

_VI_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_DE_WORDS = re.compile(r"\b(?:der|die|das|und|des|dem|den|ist|wurde|nicht|mit|zur|zum|für)\b", re.IGNORECASE)
_VI_ASCII_WORDS = re.compile(r"\b(?:cua|va|cac|nhung|duoc|trong|ve|theo|thuc hien|dang vien|tinh uy|ban hanh)\b",
                             re.IGNORECASE)    # Vietnamese written without diacritics
_EN_WORDS = re.compile(r"\b(?:the|and|of|was|were|is|with|for|to|which|that)\b", re.IGNORECASE)


def detect_language(text: str) -> str:
    """vi, de or en, from Vietnamese letters, then the commonest Vietnamese (without diacritics),
    German and English words."""
    sample = text[:20000]
    words = max(1, len(sample.split()))
    if len(_VI_LETTERS.findall(sample)) / words > 0.15:
        return "vi"
    counts = {"vi": len(_VI_ASCII_WORDS.findall(sample)), "de": len(_DE_WORDS.findall(sample)),
              "en": len(_EN_WORDS.findall(sample))}
    return max(("de", "en", "vi"), key=lambda lang: counts[lang])
