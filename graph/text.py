"""Text normalisation shared by the number reader and the URI minter: look-alike characters,
diacritics and the ASCII slug (``fold``). Pure, no I/O."""

from __future__ import annotations

import re
import unicodedata

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SLASHES = "\u2044\u2215\uff0f"
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\r\n"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_CHAR_MAP = {
    **{ord(c): "-" for c in _DASHES},
    **{ord(c): "/" for c in _SLASHES},
    **{ord(c): " " for c in _SPACES},
    **{ord(c): None for c in _INVISIBLE},
    0x00D0: "Đ", 0x0189: "Đ",  # Ð (Icelandic eth), Ɖ (African D) look like Đ
    0x00F0: "đ", 0x0256: "đ",
}


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """NFC + look-alike mapping, with the original [start, end) of every output character.

    Works cluster by cluster (a base character and its combining marks) so that offsets found in
    the normalised text can be mapped back to the caller's text (NFD input changes the length).
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j]).translate(_CHAR_MAP)
        out.append(cluster)
        starts.extend([i] * len(cluster))
        ends.extend([j] * len(cluster))
        i = j
    return "".join(out), starts, ends


def _ascii(text: str) -> str:
    """Diacritics removed, đ→d, case kept (``09-ĐA/TU`` → ``09-DA/TU``)."""
    decomposed = unicodedata.normalize("NFKD", _normalise(text)[0].replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case ASCII slug for URIs and search: ``"Điện Biên"`` → ``"dien-bien"``."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")
